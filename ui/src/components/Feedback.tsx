/** Loading, empty and error states shared by the pages. */
import type { ReactNode } from "react";
import { ApiError } from "../api/client.ts";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" /> {label}
    </div>
  );
}

/** What to show when there is nothing yet, and the command that makes something. */
export function EmptyState({
  title,
  children,
  command,
}: {
  title: string;
  children?: ReactNode;
  command?: string;
}) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden>
        ◎
      </div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {command && (
        <pre className="command">
          <code>{command}</code>
        </pre>
      )}
    </div>
  );
}

export function ErrorState({ error, what }: { error: unknown; what?: string }) {
  const unreachable = error instanceof ApiError && error.status === 0;
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="error-state" role="alert">
      <h3>
        {unreachable
          ? "Cannot reach the Prefect TS server"
          : notFound
            ? `${what ?? "It"} was not found`
            : `Could not load ${what ?? "this page"}`}
      </h3>
      <p>
        {unreachable
          ? "Start it with `prefect-ts server start`, then this page refreshes by itself."
          : error instanceof Error
            ? error.message
            : String(error)}
      </p>
    </div>
  );
}

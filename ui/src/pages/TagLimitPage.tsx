/**
 * One task-run limit (`/concurrency-limits/concurrency-limit/{id}`, Prefect's URL): its tag and
 * limit, the task runs holding its slots and those waiting for one; reset and delete.
 */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import {
  concurrencyApi,
  useConcurrencyChange,
  useTagLimit,
  useTagLimitRuns,
} from "../api/concurrency.ts";
import type { TaskRun } from "../api/types.ts";
import { SlotsUsed } from "../components/concurrency/GlobalLimitsTab.tsx";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { TaskRunsTable } from "../components/TaskRunsTable.tsx";
import { Time } from "../components/Time.tsx";

const route = getRouteApi("/concurrency-limits/concurrency-limit/$id");

export function TagLimitPage() {
  const { id } = route.useParams();
  const limit = useTagLimit(id);
  const runs = useTagLimitRuns(limit.data);
  const change = useConcurrencyChange();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  if (limit.isError) return <ErrorState error={limit.error} what="This task-run limit" />;
  if (limit.isPending) return <Loading />;
  const l = limit.data;
  const active = l.active_slots ?? [];

  const act = async (what: () => Promise<unknown>, then?: () => Promise<void>) => {
    setBusy(true);
    setNotice(null);
    try {
      await change(what);
      await then?.();
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/concurrency-limits" search={{ tab: "task-run" }}>
          Concurrency
        </Link>
        <span className="sep">›</span>
        <span>{l.tag}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>{l.tag}</h1>
          <p className="muted">
            Task runs tagged {l.tag} run at most {l.concurrency_limit} at once.
          </p>
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Slots taken</span>
              <SlotsUsed used={active.length} limit={l.concurrency_limit} />
            </div>
            <div className="meta-item">
              <span className="meta-label">Created</span>
              <Time iso={l.created} mode="absolute" />
            </div>
            <div className="meta-item">
              <span className="meta-label">Updated</span>
              <Time iso={l.updated} mode="absolute" />
            </div>
          </div>
        </div>
        <div className="actions">
          <div className="action-buttons">
            <button
              type="button"
              className="btn"
              disabled={busy || active.length === 0}
              onClick={() => {
                if (window.confirm(`Reset the task-run limit on ${l.tag}? Every slot is freed.`))
                  void act(() => concurrencyApi.resetTag(l.tag));
              }}
            >
              Reset
            </button>
            <button
              type="button"
              className="btn danger"
              disabled={busy}
              onClick={() => {
                if (window.confirm(`Delete the task-run limit on ${l.tag}? This cannot be undone.`))
                  void act(
                    () => concurrencyApi.deleteTag(l.tag),
                    () => navigate({ to: "/concurrency-limits", search: { tab: "task-run" } }),
                  );
              }}
            >
              Delete
            </button>
          </div>
          {notice && <div className="banner warn">{notice}</div>}
        </div>
      </header>
      <RunsCard
        title="Active task runs"
        runs={runs.active}
        empty="No task run holds a slot of this limit."
      />
      <RunsCard
        title="Waiting task runs"
        runs={runs.waiting}
        empty={`No task run tagged ${l.tag} is waiting for a slot.`}
      />
    </div>
  );
}

function RunsCard({
  title,
  runs,
  empty,
}: {
  title: string;
  runs: TaskRun[] | undefined;
  empty: string;
}) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
        {runs && <span className="muted">{runs.length}</span>}
      </div>
      {runs === undefined ? (
        <Loading />
      ) : runs.length === 0 ? (
        <EmptyState title={empty} />
      ) : (
        <TaskRunsTable runs={runs} showFlowRun />
      )}
    </section>
  );
}

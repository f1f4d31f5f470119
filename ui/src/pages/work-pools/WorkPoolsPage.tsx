/**
 * Work pools (`/work-pools`, Prefect's URL): each pool's name, type, status, concurrency limit and
 * an active switch (pause / resume); a button to create one; the CLI command when there is none.
 */
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useWorkPools, workPoolsApi } from "../../api/work-pools.ts";
import { EmptyState, ErrorState, Loading } from "../../components/Feedback.tsx";
import { Time } from "../../components/Time.tsx";
import { PausedSwitch } from "../../components/work-pools/PausedSwitch.tsx";
import { StatusBadge } from "../../components/work-pools/StatusBadge.tsx";

export function WorkPoolsPage() {
  const pools = useWorkPools();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Work Pools</h1>
          <p className="muted">
            Where deployments send their runs; workers poll a pool's queues and start them.
          </p>
        </div>
        <Link to="/work-pools/create" className="btn primary">
          Create work pool
        </Link>
      </header>
      {notice && (
        <div className="banner warn" role="alert">
          {notice}
        </div>
      )}
      <section className="card">
        <div className="card-head">
          <h2>
            {pools.data
              ? `${pools.data.length.toLocaleString()} work pool${pools.data.length === 1 ? "" : "s"}`
              : "Work pools"}
          </h2>
        </div>
        {pools.isError ? (
          <ErrorState error={pools.error} what="work pools" />
        ) : pools.isPending ? (
          <Loading />
        ) : pools.data.length === 0 ? (
          <EmptyState
            title="No work pools yet"
            command="npx prefect-ts work-pool create local --type process"
          >
            Create one (or use the button above), then start a worker for it with{" "}
            <code>npx prefect-ts worker start --pool local</code>.
          </EmptyState>
        ) : (
          <table className="table pools-table">
            <thead>
              <tr>
                <th>Work pool</th>
                <th>Type</th>
                <th>Status</th>
                <th>Concurrency limit</th>
                <th>Updated</th>
                <th>Active</th>
              </tr>
            </thead>
            <tbody>
              {pools.data.map((p) => (
                <tr key={p.id} data-pool={p.name}>
                  <td>
                    <Link
                      to="/work-pools/work-pool/$name"
                      params={{ name: p.name }}
                      className="strong-link"
                    >
                      {p.name}
                    </Link>
                    {p.description && <div className="muted small">{p.description}</div>}
                  </td>
                  <td>{p.type}</td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td className="mono">
                    {p.concurrency_limit == null
                      ? "—"
                      : `${p.active_slots ?? 0} / ${p.concurrency_limit}`}
                  </td>
                  <td>
                    <Time iso={p.updated} />
                  </td>
                  <td>
                    <PausedSwitch
                      paused={p.is_paused}
                      label={p.name}
                      onChange={(paused) => workPoolsApi.update(p.name, { is_paused: paused })}
                      onError={setNotice}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

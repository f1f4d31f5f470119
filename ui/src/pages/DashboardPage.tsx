/** Dashboard: flow-run counts by state, run activity, task-run completion, latest failed, running and upcoming runs. */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { Suspense, useMemo } from "react";
import { useFlowRunHistory, useFlowRunsFilter, useTaskRunCountsByState } from "../api/queries.ts";
import type { StateType } from "../api/types.ts";
import { STATE_TYPES } from "../api/types.ts";
import { HistoryChart } from "../charts/index.ts";
import { UpcomingRuns } from "../components/deployments/UpcomingRuns.tsx";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { RunsTable } from "../components/RunsTable.tsx";
import { StateDot } from "../components/StateBadge.tsx";
import { WorkPoolsCard } from "../components/work-pools/WorkPoolsCard.tsx";
import { minuteNow } from "../lib/filters.ts";
import { WINDOWS, type WindowKey } from "../lib/search.ts";
import { stateLabel } from "../lib/states.ts";

const route = getRouteApi("/dashboard");
const BUCKETS = 36;

export function DashboardPage() {
  const { window = "24h" } = route.useSearch();
  const navigate = useNavigate({ from: "/dashboard" });
  const now = minuteNow() + 60_000;
  const after = new Date(now - WINDOWS[window] * 1000).toISOString();
  const before = new Date(now).toISOString();
  const inWindow = { expected_start_time: { after_: after, before_: before } };

  const history = useFlowRunHistory({
    history_start: after,
    history_end: before,
    history_interval_seconds: Math.ceil(WINDOWS[window] / BUCKETS),
  });
  const taskCounts = useTaskRunCountsByState({ task_runs: { start_time: { after_: after } } });
  const failed = useFlowRunsFilter("dash-failed", {
    flow_runs: { ...inWindow, state: { type: { any_: ["FAILED", "CRASHED"] } } },
    sort: "START_TIME_DESC",
    limit: 5,
  });
  const running = useFlowRunsFilter("dash-running", {
    flow_runs: { state: { type: { any_: ["RUNNING", "PENDING", "CANCELLING"] } } },
    sort: "START_TIME_DESC",
    limit: 5,
  });

  const counts = useMemo(() => {
    const byState = new Map<StateType, number>();
    for (const bucket of history.data ?? []) {
      for (const s of bucket.states)
        byState.set(s.state_type, (byState.get(s.state_type) ?? 0) + s.count_runs);
    }
    return byState;
  }, [history.data]);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const tasks = taskCounts.data ?? {};
  const taskTotal = Object.values(tasks).reduce((a, b) => a + (b ?? 0), 0);
  const taskDone = tasks.COMPLETED ?? 0;
  const taskFailed = (tasks.FAILED ?? 0) + (tasks.CRASHED ?? 0);
  const completion = taskDone + taskFailed > 0 ? (taskDone / (taskDone + taskFailed)) * 100 : null;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Dashboard</h1>
          <p className="muted">What ran, what failed and what is running now.</p>
        </div>
        <label className="field inline">
          <span>Window</span>
          <select
            value={window}
            onChange={(e) => void navigate({ search: { window: e.target.value as WindowKey } })}
            aria-label="Time window"
          >
            <option value="1h">Past hour</option>
            <option value="24h">Past 24 hours</option>
            <option value="7d">Past 7 days</option>
            <option value="30d">Past 30 days</option>
          </select>
        </label>
      </header>

      {history.isError ? (
        <ErrorState error={history.error} what="the flow-run history" />
      ) : (
        <>
          <section className="card">
            <div className="card-head">
              <h2>Flow runs</h2>
              <span className="big-number">{total.toLocaleString()}</span>
            </div>
            <div className="state-counts">
              {STATE_TYPES.filter(
                (t) => (counts.get(t) ?? 0) > 0 || ["COMPLETED", "FAILED", "RUNNING"].includes(t),
              ).map((t) => (
                <Link
                  key={t}
                  to="/runs"
                  search={{ state: [t], range: window }}
                  className="state-count"
                >
                  <StateDot type={t} />
                  <span>{stateLabel(t)}</span>
                  <strong>{(counts.get(t) ?? 0).toLocaleString()}</strong>
                </Link>
              ))}
            </div>
            {history.isPending ? (
              <Loading />
            ) : total === 0 ? (
              <EmptyState title="No flow runs in this window" command="npm run example">
                Run a flow with the Prefect TS SDK and it shows up here.
              </EmptyState>
            ) : (
              <Suspense fallback={<Loading />}>
                <HistoryChart history={history.data ?? []} />
              </Suspense>
            )}
          </section>

          <div className="grid-2">
            <section className="card">
              <div className="card-head">
                <h2>Task runs</h2>
                <span className="big-number">{taskTotal.toLocaleString()}</span>
              </div>
              <div className="metrics">
                <div>
                  <span className="muted">Completed</span>
                  <strong className="ok">{taskDone.toLocaleString()}</strong>
                </div>
                <div>
                  <span className="muted">Failed</span>
                  <strong className="bad">{taskFailed.toLocaleString()}</strong>
                </div>
                <div>
                  <span className="muted">Running</span>
                  <strong>{(tasks.RUNNING ?? 0).toLocaleString()}</strong>
                </div>
                <div>
                  <span className="muted">Completion rate</span>
                  <strong>{completion === null ? "—" : `${completion.toFixed(1)}%`}</strong>
                </div>
              </div>
              {completion !== null && (
                <div
                  className="progress"
                  role="progressbar"
                  aria-label="Task-run completion rate"
                  aria-valuenow={Math.round(completion)}
                  aria-valuemin={0}
                  aria-valuemax={100}
                >
                  <span style={{ width: `${completion}%` }} />
                </div>
              )}
            </section>
            <section className="card">
              <div className="card-head">
                <h2>Running now</h2>
              </div>
              {running.data?.length ? (
                <RunsTable runs={running.data} />
              ) : running.isPending ? (
                <Loading />
              ) : (
                <p className="muted small">No flow run is running.</p>
              )}
            </section>
          </div>

          <section className="card">
            <div className="card-head">
              <h2>Latest failed runs</h2>
              <Link
                to="/runs"
                search={{ state: ["FAILED", "CRASHED"], range: window }}
                className="muted-link"
              >
                View all
              </Link>
            </div>
            {failed.data?.length ? (
              <RunsTable runs={failed.data} />
            ) : failed.isPending ? (
              <Loading />
            ) : (
              <p className="muted small">No failed runs in this window.</p>
            )}
          </section>

          <UpcomingRuns scope={{}} limit={5} />

          <WorkPoolsCard />
        </>
      )}
    </div>
  );
}

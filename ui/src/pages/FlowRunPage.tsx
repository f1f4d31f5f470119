/** A flow run: header (state, timing, tags, actions), its graph, logs, task runs, subflows, parameters, states. */
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { Suspense, useState } from "react";
import {
  isLive,
  useFlow,
  useFlowRun,
  useFlowRunCount,
  useFlowRunGraph,
  useFlowRunsFilter,
  useSubflowGraphs,
  useTaskRunsPage,
} from "../api/queries.ts";
import type { FlowRun, StateType } from "../api/types.ts";
import { RunGraph } from "../charts/index.ts";
import { RunArtifacts } from "../components/artifacts/RunArtifacts.tsx";
import { DeploymentLink } from "../components/deployments/DeploymentLink.tsx";
import { EmptyState, ErrorState, Loading } from "../components/Feedback.tsx";
import { JsonView } from "../components/JsonView.tsx";
import { LogsView } from "../components/LogsView.tsx";
import { Pagination } from "../components/Pagination.tsx";
import { RunActions } from "../components/RunActions.tsx";
import { RunsTable } from "../components/RunsTable.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { StateHistory } from "../components/StateHistory.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { Tags } from "../components/Tags.tsx";
import { TaskRunsTable } from "../components/TaskRunsTable.tsx";
import { Time } from "../components/Time.tsx";
import { elapsedSeconds, formatDuration } from "../lib/format.ts";
import type { FlowRunTab } from "../lib/search.ts";
import { stateColor } from "../lib/states.ts";

const route = getRouteApi("/runs/flow-run/$id");

/** States whose message (why it crashed, was cancelled or failed) the header shows prominently. */
const ENDED_BADLY: ReadonlySet<StateType> = new Set(["CRASHED", "CANCELLED", "FAILED"]);

export function FlowRunPage() {
  const { id } = route.useParams();
  const { tab = "logs" } = route.useSearch();
  const navigate = useNavigate({ from: "/runs/flow-run/$id" });
  const run = useFlowRun(id);
  const flow = useFlow(run.data?.flow_id);
  const live = isLive(run.data?.state_type);
  const taskCount = useTaskRunsPage({ flow_runs: { id: { any_: [id] } }, limit: 1, page: 1 }, live);
  const subflowCount = useFlowRunCount("subflows", {
    flow_runs: { parent_flow_run_id: { any_: [id] } },
  });

  if (run.isError) return <ErrorState error={run.error} what="This flow run" />;
  if (run.isPending) return <Loading />;
  const r = run.data;
  const duration = live ? elapsedSeconds(r.start_time, null) : r.total_run_time;
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/runs">Runs</Link>
        <span className="sep">›</span>
        {flow.data ? (
          <Link to="/flows/flow/$id" params={{ id: r.flow_id }}>
            {flow.data.name}
          </Link>
        ) : (
          <span>…</span>
        )}
        <span className="sep">›</span>
        <span>{r.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            {r.name} <StateBadge type={r.state_type} name={r.state_name} />
          </h1>
          {r.state?.message &&
            (r.state_type && ENDED_BADLY.has(r.state_type) ? (
              <div
                className="banner state-reason"
                role="status"
                aria-label="State message"
                style={{ "--state-reason": stateColor(r.state_type) } as React.CSSProperties}
              >
                <strong>{r.state_name ?? r.state_type}:</strong> {r.state.message}
              </div>
            ) : (
              <p className="state-message">{r.state.message}</p>
            ))}
          <div className="meta">
            <Meta label="Start">
              <Time iso={r.start_time ?? r.expected_start_time} mode="absolute" />
            </Meta>
            <Meta label="End">
              <Time iso={r.end_time} mode="absolute" />
            </Meta>
            <Meta label="Duration">
              <span className="mono">{formatDuration(duration)}</span>
            </Meta>
            <Meta label="Run count">{r.run_count}</Meta>
            <Meta label="Task runs">{taskCount.data?.count.toLocaleString() ?? "—"}</Meta>
            {r.deployment_id && (
              <Meta label="Deployment">
                <DeploymentLink id={r.deployment_id} />
              </Meta>
            )}
            {r.work_pool_name && (
              <Meta label="Work pool">
                <Link to="/work-pools/work-pool/$name" params={{ name: r.work_pool_name }}>
                  {r.work_pool_name}
                </Link>
                {r.work_queue_name && (
                  <>
                    {" › "}
                    <Link
                      to="/work-pools/work-pool/$name/queue/$queue"
                      params={{ name: r.work_pool_name, queue: r.work_queue_name }}
                    >
                      {r.work_queue_name}
                    </Link>
                  </>
                )}
              </Meta>
            )}
            {r.parent_task_run_id && (
              <Meta label="Parent">
                <Link to="/runs/task-run/$id" params={{ id: r.parent_task_run_id }}>
                  parent task run
                </Link>
              </Meta>
            )}
          </div>
          {(r.tags ?? []).length > 0 && <Tags tags={r.tags} />}
        </div>
        <RunActions run={r} />
      </header>

      <GraphSection run={r} live={live} />

      <Tabs<FlowRunTab>
        tabs={[
          { key: "logs", label: "Logs" },
          { key: "task-runs", label: "Task runs", count: taskCount.data?.count ?? null },
          { key: "subflow-runs", label: "Subflow runs", count: subflowCount.data ?? null },
          { key: "artifacts", label: "Artifacts" },
          { key: "parameters", label: "Parameters" },
          { key: "states", label: "State history" },
          { key: "details", label: "Details" },
        ]}
        value={tab}
        onChange={(t) =>
          void navigate({ search: { tab: t === "logs" ? undefined : t }, replace: true })
        }
      />
      <section className="card">
        {tab === "logs" && <LogsView flowRunId={id} live={live} />}
        {tab === "task-runs" && <FlowRunTaskRuns id={id} live={live} />}
        {tab === "subflow-runs" && <Subflows id={id} />}
        {tab === "artifacts" && <RunArtifacts run={{ flowRunId: id }} live={live} />}
        {tab === "parameters" && (
          <JsonView value={r.parameters} empty="This run has no parameters." />
        )}
        {tab === "states" && <StateHistory kind="flow_run" id={id} live={live} />}
        {tab === "details" && <Details run={r} />}
      </section>
    </div>
  );
}

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="meta-item">
      <span className="meta-label">{label}</span>
      <span>{children}</span>
    </div>
  );
}

function GraphSection({ run, live }: { run: FlowRun; live: boolean }) {
  const graph = useFlowRunGraph(run.id, live);
  const nested = useSubflowGraphs(graph.data, live);
  return (
    <section className="card graph-card">
      <div className="card-head">
        <h2>Run graph</h2>
        {live && <span className="live-badge">Live</span>}
      </div>
      {graph.isError ? (
        <ErrorState error={graph.error} what="the run graph" />
      ) : graph.isPending ? (
        <Loading label="Loading the graph…" />
      ) : graph.data.nodes.length === 0 ? (
        <EmptyState title={live ? "No task has started yet" : "This run has no task runs"}>
          Task runs and subflow runs appear here on a time axis, with their dependencies.
        </EmptyState>
      ) : (
        <>
          <Suspense fallback={<div className="chart" style={{ height: 200 }} />}>
            <RunGraph graph={graph.data} nested={nested} />
          </Suspense>
          <ul className="sr-only" aria-label="Runs in the graph">
            {graph.data.nodes.slice(0, 500).map(([nodeId, n]) => (
              <li key={nodeId}>
                {n.label} ({n.kind}, {n.state_type})
                {nested.get(nodeId) && (
                  <ul>
                    {nested
                      .get(nodeId)
                      ?.nodes.slice(0, 500)
                      .map(([childId, c]) => (
                        <li key={childId}>
                          {c.label} ({c.kind} in {n.label}, {c.state_type})
                        </li>
                      ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function FlowRunTaskRuns({ id, live }: { id: string; live: boolean }) {
  const [page, setPage] = useState(1);
  const runs = useTaskRunsPage(
    { flow_runs: { id: { any_: [id] } }, sort: "EXPECTED_START_TIME_ASC", limit: 50, page },
    live,
  );
  if (runs.isError) return <ErrorState error={runs.error} what="task runs" />;
  if (runs.isPending) return <Loading />;
  if (runs.data.results.length === 0)
    return <EmptyState title="No task runs">Tasks this flow calls appear here.</EmptyState>;
  return (
    <>
      <TaskRunsTable runs={runs.data.results} />
      <Pagination page={page} pages={runs.data.pages} onPage={setPage} />
    </>
  );
}

function Subflows({ id }: { id: string }) {
  const runs = useFlowRunsFilter("subflows", {
    flow_runs: { parent_flow_run_id: { any_: [id] } },
    sort: "START_TIME_ASC",
    limit: 200,
  });
  if (runs.isError) return <ErrorState error={runs.error} what="subflow runs" />;
  if (runs.isPending) return <Loading />;
  if (runs.data.length === 0)
    return (
      <EmptyState title="No subflow runs">
        Flows called from inside this flow appear here.
      </EmptyState>
    );
  return <RunsTable runs={runs.data} />;
}

function Details({ run }: { run: FlowRun }) {
  const rows: [string, React.ReactNode][] = [
    ["Flow run ID", <code key="id">{run.id}</code>],
    ["Flow ID", <code key="flow">{run.flow_id}</code>],
    ["Created", <Time key="c" iso={run.created} mode="absolute" />],
    ["Expected start", <Time key="e" iso={run.expected_start_time} mode="absolute" />],
    ["Flow version", run.flow_version ?? "—"],
    ["Deployment", run.deployment_id ?? "—"],
    ["Work pool", run.work_pool_name ?? "—"],
    ["Retries", String(run.empirical_policy?.retries ?? 0)],
    ["Idempotency key", run.idempotency_key ?? "—"],
  ];
  return (
    <dl className="details">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

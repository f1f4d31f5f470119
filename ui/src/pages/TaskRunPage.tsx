/** A task run: state, timing, inputs and upstream dependencies, logs, state history. */
import { getRouteApi, Link } from "@tanstack/react-router";
import { useState } from "react";
import { isLive, useFlowRun, useTaskRun, useTaskRunsById } from "../api/queries.ts";
import type { TaskRun } from "../api/types.ts";
import { RunArtifacts } from "../components/artifacts/RunArtifacts.tsx";
import { ErrorState, Loading } from "../components/Feedback.tsx";
import { LogsView } from "../components/LogsView.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { StateHistory } from "../components/StateHistory.tsx";
import { Tabs } from "../components/Tabs.tsx";
import { Tags } from "../components/Tags.tsx";
import { Time } from "../components/Time.tsx";
import { elapsedSeconds, formatDuration } from "../lib/format.ts";

const route = getRouteApi("/runs/task-run/$id");
type Tab = "logs" | "inputs" | "artifacts" | "states" | "details";

export function TaskRunPage() {
  const { id } = route.useParams();
  const run = useTaskRun(id);
  const [tab, setTab] = useState<Tab>("logs");
  if (run.isError) return <ErrorState error={run.error} what="This task run" />;
  if (run.isPending) return <Loading />;
  const r = run.data;
  const live = isLive(r.state_type);
  return (
    <div className="page">
      <nav className="breadcrumbs">
        <Link to="/runs" search={{ tab: "task-runs" }}>
          Runs
        </Link>
        <span className="sep">›</span>
        {r.flow_run_id ? <ParentLink flowRunId={r.flow_run_id} /> : <span>no flow run</span>}
        <span className="sep">›</span>
        <span>{r.name}</span>
      </nav>
      <header className="page-header run-header">
        <div>
          <h1>
            {r.name} <StateBadge type={r.state_type} name={r.state_name} />
          </h1>
          {r.state?.message && <p className="state-message">{r.state.message}</p>}
          <div className="meta">
            <div className="meta-item">
              <span className="meta-label">Start</span>
              <Time iso={r.start_time ?? r.expected_start_time} mode="absolute" />
            </div>
            <div className="meta-item">
              <span className="meta-label">End</span>
              <Time iso={r.end_time} mode="absolute" />
            </div>
            <div className="meta-item">
              <span className="meta-label">Duration</span>
              <span className="mono">
                {formatDuration(live ? elapsedSeconds(r.start_time, null) : r.total_run_time)}
              </span>
            </div>
            <div className="meta-item">
              <span className="meta-label">Run count</span>
              <span>{r.run_count}</span>
            </div>
            <div className="meta-item">
              <span className="meta-label">Task key</span>
              <code>{r.task_key}</code>
            </div>
          </div>
          {(r.tags ?? []).length > 0 && <Tags tags={r.tags} />}
        </div>
      </header>
      <Tabs<Tab>
        tabs={[
          { key: "logs", label: "Logs" },
          { key: "inputs", label: "Inputs" },
          { key: "artifacts", label: "Artifacts" },
          { key: "states", label: "State history" },
          { key: "details", label: "Details" },
        ]}
        value={tab}
        onChange={setTab}
      />
      <section className="card">
        {tab === "logs" && <LogsView taskRunId={id} live={live} />}
        {tab === "inputs" && <Inputs run={r} />}
        {tab === "artifacts" && <RunArtifacts run={{ taskRunId: id }} live={live} />}
        {tab === "states" && <StateHistory kind="task_run" id={id} live={live} />}
        {tab === "details" && (
          <dl className="details">
            <div>
              <dt>Task run ID</dt>
              <dd>
                <code>{r.id}</code>
              </dd>
            </div>
            <div>
              <dt>Dynamic key</dt>
              <dd>{r.dynamic_key}</dd>
            </div>
            <div>
              <dt>Cache key</dt>
              <dd>{r.cache_key ?? "—"}</dd>
            </div>
            <div>
              <dt>Retries</dt>
              <dd>{String(r.empirical_policy?.retries ?? 0)}</dd>
            </div>
            <div>
              <dt>Version</dt>
              <dd>{r.task_version ?? "—"}</dd>
            </div>
          </dl>
        )}
      </section>
    </div>
  );
}

function ParentLink({ flowRunId }: { flowRunId: string }) {
  const parent = useFlowRun(flowRunId);
  return (
    <Link to="/runs/flow-run/$id" params={{ id: flowRunId }}>
      {parent.data?.name ?? "flow run"}
    </Link>
  );
}

type Input = { input_type: string; id?: string; name?: string; type?: string };

function Inputs({ run }: { run: TaskRun }) {
  const entries = Object.entries((run.task_inputs ?? {}) as Record<string, Input[]>);
  const upstream = useTaskRunsById(
    entries.flatMap(([, inputs]) =>
      inputs.filter((i) => i.input_type === "task_run" && i.id).map((i) => i.id ?? ""),
    ),
  );
  if (entries.length === 0) return <p className="muted small">This task run has no inputs.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Parameter</th>
          <th>Comes from</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([param, inputs]) => (
          <tr key={param}>
            <td>
              <code>{param}</code>
            </td>
            <td>
              {inputs.length === 0 ? (
                <span className="muted">a value (no upstream run)</span>
              ) : (
                <div className="tags">
                  {inputs.map((input, i) =>
                    input.input_type === "task_run" && input.id ? (
                      <Link
                        key={input.id}
                        to="/runs/task-run/$id"
                        params={{ id: input.id }}
                        className="tag link"
                      >
                        {upstream.data?.get(input.id)?.name ?? `task run ${input.id.slice(-8)}`}
                      </Link>
                    ) : input.input_type === "flow_run" && input.id ? (
                      <Link
                        key={input.id}
                        to="/runs/flow-run/$id"
                        params={{ id: input.id }}
                        className="tag link"
                      >
                        flow run {input.id.slice(-8)}
                      </Link>
                    ) : (
                      // biome-ignore lint/suspicious/noArrayIndexKey: inputs have no id of their own
                      <span key={i} className="tag">
                        {input.input_type === "parameter"
                          ? `flow parameter ${input.name ?? ""}`
                          : `constant ${input.type ?? ""}`}
                      </span>
                    ),
                  )}
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The flow-run list: state, name, flow, timing, task-run count, tags; optional selection for bulk actions. */
import { Link } from "@tanstack/react-router";
import { useFlowsById, useTaskRunCountsByFlowRun } from "../api/queries.ts";
import type { FlowRun } from "../api/types.ts";
import { elapsedSeconds, formatDuration } from "../lib/format.ts";
import { StateBadge } from "./StateBadge.tsx";
import { Tags } from "./Tags.tsx";
import { Time } from "./Time.tsx";

export function RunsTable({
  runs,
  selected,
  onSelect,
  showFlow = true,
}: {
  runs: FlowRun[];
  selected?: Set<string>;
  onSelect?: (ids: Set<string>) => void;
  showFlow?: boolean;
}) {
  const flows = useFlowsById(showFlow ? runs.map((r) => r.flow_id) : []);
  const taskCounts = useTaskRunCountsByFlowRun(runs.map((r) => r.id));
  const allSelected =
    selected !== undefined && runs.length > 0 && runs.every((r) => selected.has(r.id));
  const toggle = (id: string) => {
    if (!selected || !onSelect) return;
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };
  return (
    <table className="table runs-table">
      <thead>
        <tr>
          {onSelect && (
            <th className="check">
              <input
                type="checkbox"
                aria-label="Select all runs on this page"
                checked={allSelected}
                onChange={() => onSelect(allSelected ? new Set() : new Set(runs.map((r) => r.id)))}
              />
            </th>
          )}
          <th>Run</th>
          <th>State</th>
          <th>Start</th>
          <th>Duration</th>
          <th className="num">Task runs</th>
          <th>Tags</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const flow = flows.data?.get(run.flow_id);
          const live = run.state_type === "RUNNING";
          return (
            <tr key={run.id} className={selected?.has(run.id) ? "selected" : undefined}>
              {onSelect && (
                <td className="check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${run.name}`}
                    checked={selected?.has(run.id) ?? false}
                    onChange={() => toggle(run.id)}
                  />
                </td>
              )}
              <td>
                <div className="run-name">
                  {showFlow && (
                    <>
                      <Link
                        to="/flows/flow/$id"
                        params={{ id: run.flow_id }}
                        className="muted-link"
                      >
                        {flow?.name ?? "…"}
                      </Link>
                      <span className="sep">›</span>
                    </>
                  )}
                  <Link to="/runs/flow-run/$id" params={{ id: run.id }} className="strong-link">
                    {run.name}
                  </Link>
                </div>
              </td>
              <td>
                <StateBadge type={run.state_type} name={run.state_name} />
              </td>
              <td>
                <Time iso={run.start_time ?? run.expected_start_time} />
              </td>
              <td className="mono">
                {live
                  ? formatDuration(elapsedSeconds(run.start_time, null))
                  : formatDuration(run.total_run_time)}
              </td>
              <td className="num mono">{taskCounts.data?.[run.id]?.toLocaleString() ?? "—"}</td>
              <td>
                <Tags tags={run.tags} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

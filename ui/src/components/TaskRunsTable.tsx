/** A task-run list: state, name, timing. */
import { Link } from "@tanstack/react-router";
import type { TaskRun } from "../api/types.ts";
import { elapsedSeconds, formatDuration } from "../lib/format.ts";
import { StateBadge } from "./StateBadge.tsx";
import { Tags } from "./Tags.tsx";
import { Time } from "./Time.tsx";

export function TaskRunsTable({
  runs,
  showFlowRun = false,
}: {
  runs: TaskRun[];
  showFlowRun?: boolean;
}) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Task run</th>
          <th>State</th>
          <th>Start</th>
          <th>Duration</th>
          {showFlowRun && <th>Flow run</th>}
          <th>Tags</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id}>
            <td>
              <Link to="/runs/task-run/$id" params={{ id: run.id }} className="strong-link">
                {run.name}
              </Link>
            </td>
            <td>
              <StateBadge type={run.state_type} name={run.state_name} />
            </td>
            <td>
              <Time iso={run.start_time ?? run.expected_start_time} />
            </td>
            <td className="mono">
              {run.state_type === "RUNNING"
                ? formatDuration(elapsedSeconds(run.start_time, null))
                : formatDuration(run.total_run_time)}
            </td>
            {showFlowRun && (
              <td>
                {run.flow_run_id ? (
                  <Link
                    to="/runs/flow-run/$id"
                    params={{ id: run.flow_run_id }}
                    className="muted-link"
                  >
                    Open flow run
                  </Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            )}
            <td>
              <Tags tags={run.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

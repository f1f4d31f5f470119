/** Runs waiting for a slot (`AwaitingConcurrencySlot`), each with the message saying on what. */
import { Link } from "@tanstack/react-router";
import type { FlowRun, TaskRun } from "../../api/types.ts";
import { StateBadge } from "../StateBadge.tsx";
import { Time } from "../Time.tsx";

export function WaitingRuns({ flowRuns, taskRuns }: { flowRuns: FlowRun[]; taskRuns: TaskRun[] }) {
  const count = flowRuns.length + taskRuns.length;
  return (
    <section className="card" aria-label="Runs waiting for a slot">
      <div className="card-head">
        <h2>Waiting for a slot</h2>
        <span className="muted">
          {count === 0 ? "No run is waiting" : `${count} run${count === 1 ? "" : "s"}`}
        </span>
      </div>
      {count > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Run</th>
              <th>State</th>
              <th>Why</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {flowRuns.map((run) => (
              <tr key={run.id}>
                <td>
                  <Link to="/runs/flow-run/$id" params={{ id: run.id }} className="strong-link">
                    {run.name}
                  </Link>{" "}
                  <span className="muted small">flow run</span>
                </td>
                <td>
                  <StateBadge type={run.state_type} name={run.state_name} />
                </td>
                <td className="state-message">{run.state?.message ?? "—"}</td>
                <td>
                  <Time iso={run.state?.timestamp} />
                </td>
              </tr>
            ))}
            {taskRuns.map((run) => (
              <tr key={run.id}>
                <td>
                  <Link to="/runs/task-run/$id" params={{ id: run.id }} className="strong-link">
                    {run.name}
                  </Link>{" "}
                  <span className="muted small">task run</span>
                </td>
                <td>
                  <StateBadge type={run.state_type} name={run.state_name} />
                </td>
                <td className="state-message">{run.state?.message ?? "—"}</td>
                <td>
                  <Time iso={run.state?.timestamp} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

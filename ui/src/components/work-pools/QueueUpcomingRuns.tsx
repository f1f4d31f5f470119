/** The scheduled runs a worker of a queue would start next, late ones first, with their deployment. */
import { Link } from "@tanstack/react-router";
import { useDeploymentsById } from "../../api/deployments.ts";
import {
  QUEUE_UPCOMING_LIMIT,
  useQueueUpcomingRuns,
  type WorkQueue,
} from "../../api/work-pools.ts";
import { EmptyState, ErrorState, Loading } from "../Feedback.tsx";
import { StateBadge } from "../StateBadge.tsx";
import { Time } from "../Time.tsx";

export function QueueUpcomingRuns({ queue }: { queue: WorkQueue }) {
  const runs = useQueueUpcomingRuns(queue.id);
  const list = runs.data ?? [];
  const deployments = useDeploymentsById(list.map((r) => r.deployment_id));
  if (runs.isError) return <ErrorState error={runs.error} what="the upcoming runs" />;
  if (runs.isPending) return <Loading />;
  if (list.length === 0)
    return (
      <EmptyState title="No run is waiting in this queue">
        {queue.is_paused
          ? "The queue is paused: its workers take none of its runs."
          : "Runs of the deployments sending to this queue, due in the next 7 days, show here."}
      </EmptyState>
    );
  return (
    <table className="table upcoming-table">
      <thead>
        <tr>
          <th>Run</th>
          <th>Deployment</th>
          <th>Scheduled for</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {list.map((run) => (
          <tr key={run.id} data-run={run.name}>
            <td>
              <Link to="/runs/flow-run/$id" params={{ id: run.id }} className="strong-link">
                {run.name}
              </Link>
            </td>
            <td>
              {run.deployment_id ? (
                <Link
                  to="/deployments/deployment/$id"
                  params={{ id: run.deployment_id }}
                  className="muted-link"
                >
                  {deployments.data?.get(run.deployment_id)?.name ?? "…"}
                </Link>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td>
              <Time iso={run.expected_start_time} />
            </td>
            <td>
              <StateBadge type={run.state_type} name={run.state_name} />
            </td>
          </tr>
        ))}
        {list.length === QUEUE_UPCOMING_LIMIT && (
          <tr>
            <td colSpan={4} className="muted small">
              The first {QUEUE_UPCOMING_LIMIT} shown.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

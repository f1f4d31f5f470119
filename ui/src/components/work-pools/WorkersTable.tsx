/** A pool's workers: name, status (Online / Offline), last heartbeat and heartbeat interval. */
import { usePoolWorkers } from "../../api/work-pools.ts";
import { EmptyState, ErrorState, Loading } from "../Feedback.tsx";
import { Time } from "../Time.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export function WorkersTable({ pool }: { pool: string }) {
  const workers = usePoolWorkers(pool);
  if (workers.isError) return <ErrorState error={workers.error} what="the workers" />;
  if (workers.isPending) return <Loading />;
  if (workers.data.length === 0)
    return (
      <EmptyState
        title="No worker has polled this pool"
        command={`npx prefect-ts worker start --pool ${pool}`}
      >
        Start a worker for it; it shows here once it sends its first heartbeat.
      </EmptyState>
    );
  return (
    <table className="table workers-table">
      <thead>
        <tr>
          <th>Worker</th>
          <th>Status</th>
          <th>Last heartbeat</th>
          <th>Heartbeat every</th>
          <th>First seen</th>
        </tr>
      </thead>
      <tbody>
        {workers.data.map((w) => (
          <tr key={w.id} data-worker={w.name}>
            <td className="mono">{w.name}</td>
            <td>
              <StatusBadge status={w.status} />
            </td>
            <td>
              <Time iso={w.last_heartbeat_time} />
            </td>
            <td className="mono">
              {w.heartbeat_interval_seconds ? `${w.heartbeat_interval_seconds} s` : "—"}
            </td>
            <td>
              <Time iso={w.created} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

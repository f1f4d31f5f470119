/** A pool's work queues: name (linked to its page), priority, concurrency limit, status, paused switch. */
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { usePoolQueues, type WorkPool, workPoolsApi } from "../../api/work-pools.ts";
import { ErrorState, Loading } from "../Feedback.tsx";
import { Time } from "../Time.tsx";
import { PausedSwitch } from "./PausedSwitch.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

export function QueuesTable({ pool }: { pool: WorkPool }) {
  const queues = usePoolQueues(pool.name);
  const [notice, setNotice] = useState<string | null>(null);
  if (queues.isError) return <ErrorState error={queues.error} what="the work queues" />;
  if (queues.isPending) return <Loading />;
  return (
    <>
      {notice && (
        <div className="banner warn" role="alert">
          {notice}
        </div>
      )}
      <table className="table queues-table">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Priority</th>
            <th>Concurrency limit</th>
            <th>Status</th>
            <th>Last polled</th>
            <th>Active</th>
          </tr>
        </thead>
        <tbody>
          {queues.data.map((q) => (
            <tr key={q.id} data-queue={q.name}>
              <td>
                <Link
                  to="/work-pools/work-pool/$name/queue/$queue"
                  params={{ name: pool.name, queue: q.name }}
                  className="strong-link"
                >
                  {q.name}
                </Link>
                {q.id === pool.default_queue_id && <span className="tag">default</span>}
                {q.description && <div className="muted small">{q.description}</div>}
              </td>
              <td className="mono">{q.priority}</td>
              <td className="mono">{q.concurrency_limit ?? "—"}</td>
              <td>
                <StatusBadge status={q.status} />
              </td>
              <td>
                <Time iso={q.last_polled} />
              </td>
              <td>
                <PausedSwitch
                  paused={q.is_paused}
                  label={`Queue ${q.name}`}
                  onChange={(paused) =>
                    workPoolsApi.updateQueue(pool.name, q.name, { is_paused: paused })
                  }
                  onError={setNotice}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The deployments sending their runs to a pool: name (linked), queue, status, schedules. */
import { Link } from "@tanstack/react-router";
import { usePoolDeployments } from "../../api/work-pools.ts";
import { scheduleWords } from "../../lib/schedules.ts";
import { DeploymentStatus } from "../deployments/DeploymentStatus.tsx";
import { EmptyState, ErrorState, Loading } from "../Feedback.tsx";

export function PoolDeployments({ pool }: { pool: string }) {
  const deployments = usePoolDeployments(pool);
  if (deployments.isError) return <ErrorState error={deployments.error} what="the deployments" />;
  if (deployments.isPending) return <Loading />;
  if (deployments.data.length === 0)
    return (
      <EmptyState
        title="No deployment sends its runs here"
        command={`npx prefect-ts deploy etl.ts:etl --name nightly --pool ${pool}`}
      />
    );
  return (
    <table className="table pool-deployments">
      <thead>
        <tr>
          <th>Deployment</th>
          <th>Queue</th>
          <th>Status</th>
          <th>Schedules</th>
        </tr>
      </thead>
      <tbody>
        {deployments.data.map((d) => (
          <tr key={d.id} data-deployment={d.name}>
            <td>
              <Link to="/deployments/deployment/$id" params={{ id: d.id }} className="strong-link">
                {d.name}
              </Link>
            </td>
            <td className="mono">{d.work_queue_name ?? "—"}</td>
            <td>
              <DeploymentStatus deployment={d} />
            </td>
            <td>
              {(d.schedules ?? []).length === 0 ? (
                <span className="muted">—</span>
              ) : (
                <ul className="plain-list">
                  {(d.schedules ?? []).map((s) => (
                    <li key={s.id} className={s.active ? "mono" : "mono muted"}>
                      {scheduleWords(s.schedule)}
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

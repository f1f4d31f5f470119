/** The next scheduled runs of everything, a flow or a deployment, soonest first, with their deployment. */
import { Link } from "@tanstack/react-router";
import { type RunScope, useDeploymentsById, useUpcomingRuns } from "../../api/deployments.ts";
import { useFlowsById } from "../../api/queries.ts";
import { ErrorState, Loading } from "../Feedback.tsx";
import { StateBadge } from "../StateBadge.tsx";
import { Tags } from "../Tags.tsx";
import { Time } from "../Time.tsx";

export function UpcomingRuns({
  scope,
  title = "Upcoming runs",
  showFlow = true,
  showDeployment = true,
  limit,
}: {
  scope: RunScope;
  title?: string;
  showFlow?: boolean;
  showDeployment?: boolean;
  limit?: number;
}) {
  const runs = useUpcomingRuns(scope, limit);
  const list = runs.data ?? [];
  const flows = useFlowsById(showFlow ? list.map((r) => r.flow_id) : []);
  const deployments = useDeploymentsById(showDeployment ? list.map((r) => r.deployment_id) : []);
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
        {runs.data && list.length > 0 && (
          <span className="muted small">next {list.length.toLocaleString()}</span>
        )}
      </div>
      {runs.isError ? (
        <ErrorState error={runs.error} what="the upcoming runs" />
      ) : runs.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <p className="muted small">
          No run is scheduled. A deployment with a schedule gets its runs here (
          <code>prefect-ts deployment schedule create</code>).
        </p>
      ) : (
        <table className="table upcoming-table">
          <thead>
            <tr>
              <th>Run</th>
              {showDeployment && <th>Deployment</th>}
              <th>Scheduled for</th>
              <th>State</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {list.map((run) => {
              const deployment = run.deployment_id
                ? deployments.data?.get(run.deployment_id)
                : undefined;
              return (
                <tr key={run.id} data-run={run.name}>
                  <td>
                    <div className="run-name">
                      {showFlow && (
                        <>
                          <Link
                            to="/flows/flow/$id"
                            params={{ id: run.flow_id }}
                            className="muted-link"
                          >
                            {flows.data?.get(run.flow_id)?.name ?? "…"}
                          </Link>
                          <span className="sep">›</span>
                        </>
                      )}
                      <Link to="/runs/flow-run/$id" params={{ id: run.id }} className="strong-link">
                        {run.name}
                      </Link>
                    </div>
                  </td>
                  {showDeployment && (
                    <td>
                      {run.deployment_id ? (
                        <Link
                          to="/deployments/deployment/$id"
                          params={{ id: run.deployment_id }}
                          className="muted-link"
                        >
                          {deployment?.name ?? "…"}
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  )}
                  <td>
                    <Time iso={run.expected_start_time} />
                  </td>
                  <td>
                    <StateBadge type={run.state_type} name={run.state_name} />
                  </td>
                  <td>
                    <Tags tags={run.tags} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

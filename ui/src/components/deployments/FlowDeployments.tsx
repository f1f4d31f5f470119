/** The deployments of a flow, on the flow's page: each linked, with its status and schedules. */
import { Link } from "@tanstack/react-router";
import { useFlowDeployments } from "../../api/deployments.ts";
import { scheduleWords, scheduleZone } from "../../lib/schedules.ts";
import { ErrorState, Loading } from "../Feedback.tsx";
import { Tags } from "../Tags.tsx";
import { DeploymentStatus } from "./DeploymentStatus.tsx";

export function FlowDeployments({ flowId }: { flowId: string }) {
  const deployments = useFlowDeployments(flowId);
  const list = deployments.data ?? [];
  // a flow nobody deployed shows nothing here
  if (deployments.isSuccess && list.length === 0) return null;
  return (
    <section className="card" aria-label="Deployments">
      <div className="card-head">
        <h2>Deployments</h2>
      </div>
      {deployments.isError ? (
        <ErrorState error={deployments.error} what="the deployments" />
      ) : deployments.isPending ? (
        <Loading />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Deployment</th>
              <th>Status</th>
              <th>Schedules</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id} data-deployment={d.name}>
                <td>
                  <Link
                    to="/deployments/deployment/$id"
                    params={{ id: d.id }}
                    className="strong-link"
                  >
                    {d.name}
                  </Link>
                </td>
                <td>
                  <DeploymentStatus deployment={d} />
                </td>
                <td>
                  {(d.schedules ?? []).length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    (d.schedules ?? []).map((s) => (
                      <div key={s.id} className={s.active ? undefined : "muted"}>
                        <span className="mono">{scheduleWords(s.schedule)}</span>{" "}
                        <span className="muted small">{scheduleZone(s.schedule)}</span>
                      </div>
                    ))
                  )}
                </td>
                <td>
                  <Tags tags={d.tags} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

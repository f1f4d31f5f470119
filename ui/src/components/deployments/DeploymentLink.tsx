/** A link to a deployment's page, by its name (its id until the name is known, or if it is gone). */
import { Link } from "@tanstack/react-router";
import { useDeploymentsById } from "../../api/deployments.ts";

export function DeploymentLink({ id }: { id: string }) {
  const deployments = useDeploymentsById([id]);
  const deployment = deployments.data?.get(id);
  if (deployments.isSuccess && !deployment)
    return <span className="muted">deleted deployment</span>;
  return (
    <Link to="/deployments/deployment/$id" params={{ id }}>
      {deployment?.name ?? "…"}
    </Link>
  );
}

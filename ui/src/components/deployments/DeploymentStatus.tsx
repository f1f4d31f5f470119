/** A deployment's status as Prefect shows it: Ready (a serving process or worker polls it), Not ready, Paused. */
import type { Deployment } from "../../api/types.ts";

export function DeploymentStatus({ deployment }: { deployment: Deployment }) {
  const ready = deployment.status === "READY";
  return (
    <span className="inline-gap">
      <span
        className={ready ? "status-pill ready" : "status-pill"}
        title={
          ready
            ? "A serving process or worker is polling for its runs"
            : "Nothing has polled for its runs in the last minute: runs wait until something serves it"
        }
      >
        {ready ? "Ready" : "Not ready"}
      </span>
      {deployment.paused && <span className="status-pill paused">Paused</span>}
    </span>
  );
}

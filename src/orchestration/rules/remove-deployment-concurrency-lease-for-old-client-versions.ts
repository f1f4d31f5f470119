import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/** Revokes the deployment concurrency lease for clients older than 3.4.11 (they cannot renew). */
export const RemoveDeploymentConcurrencyLeaseForOldClientVersions: OrchestrationRule<FlowOrchestrationContext> =
  {
    name: "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
    fromStates: [StateType.PENDING],
    toStates: [StateType.RUNNING, StateType.CANCELLING],
    // No hooks yet: deployment concurrency arrives with the "deployments" issue.
  };

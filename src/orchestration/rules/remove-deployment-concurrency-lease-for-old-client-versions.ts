import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/**
 * Prefect revokes the deployment concurrency lease of a run going RUNNING or CANCELLING for
 * clients older than 3.4.11, which cannot renew it (the slot stays taken until the run leaves
 * those states). The leases taken here do not run out, so there is nothing to revoke: the rule
 * keeps its place in the policy and does nothing.
 */
export const RemoveDeploymentConcurrencyLeaseForOldClientVersions: OrchestrationRule<FlowOrchestrationContext> =
  {
    name: "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
    fromStates: [StateType.PENDING],
    toStates: [StateType.RUNNING, StateType.CANCELLING],
  };

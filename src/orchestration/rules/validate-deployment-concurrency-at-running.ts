import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/** Renews (or re-takes) the deployment concurrency lease when a PENDING run starts RUNNING. */
export const ValidateDeploymentConcurrencyAtRunning: OrchestrationRule<FlowOrchestrationContext> = {
  name: "ValidateDeploymentConcurrencyAtRunning",
  fromStates: [StateType.PENDING],
  toStates: [StateType.RUNNING],
  // No hooks yet: deployment concurrency arrives with the "deployments" issue.
};

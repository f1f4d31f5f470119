import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/** Cancels instead of marking Late when the deployment is full and its strategy is CANCEL_NEW. */
export const EnforceDeploymentConcurrencyOnLate: OrchestrationRule<FlowOrchestrationContext> = {
  name: "EnforceDeploymentConcurrencyOnLate",
  fromStates: [StateType.SCHEDULED],
  toStates: [StateType.SCHEDULED],
  // No hooks yet: deployment concurrency arrives with the "deployments" issue.
};

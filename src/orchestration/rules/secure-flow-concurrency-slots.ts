import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { allStatesExcept, type OrchestrationRule } from "../rule.ts";

/** Takes a deployment concurrency slot (with a lease) for a run about to be submitted. */
export const SecureFlowConcurrencySlots: OrchestrationRule<FlowOrchestrationContext> = {
  name: "SecureFlowConcurrencySlots",
  fromStates: allStatesExcept(StateType.PENDING, StateType.RUNNING, StateType.CANCELLING),
  toStates: [StateType.PENDING],
  // No hooks yet: deployment concurrency arrives with the "deployments" issue.
};

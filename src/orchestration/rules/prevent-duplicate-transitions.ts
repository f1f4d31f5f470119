import type { FlowOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule } from "../rule.ts";

/** Null-rejects a proposal whose `transition_id` equals the current state's (a retried request). */
export const PreventDuplicateTransitions: OrchestrationRule<FlowOrchestrationContext> = {
  name: "PreventDuplicateTransitions",
  fromStates: ALL_STATES,
  toStates: ALL_STATES,
  before(t) {
    const initialId = t.initial?.state_details.transition_id;
    const proposedId = t.proposed.state_details.transition_id;
    if (initialId && proposedId && initialId === proposedId) {
      t.reject(null, "This run has already made this state transition.");
    }
  },
};

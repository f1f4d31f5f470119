import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule } from "../rule.ts";

/** Only a SCHEDULED run not yet named `Late` may be marked `Late`. */
export const EnsureOnlyScheduledFlowsMarkedLate: OrchestrationRule<FlowOrchestrationContext> = {
  name: "EnsureOnlyScheduledFlowsMarkedLate",
  fromStates: ALL_STATES,
  toStates: [StateType.SCHEDULED],
  before(t) {
    if (t.proposed.name !== "Late") return;
    if (t.initial?.type !== StateType.SCHEDULED || t.initial.name === "Late") {
      t.reject(null, "Only scheduled runs that are not already late can be marked late.");
    }
  },
};

import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule, StateTypeOrNone } from "../rule.ts";

const ALL_BUT_CANCELLED: readonly StateTypeOrNone[] = [
  StateType.SCHEDULED,
  StateType.PENDING,
  StateType.RUNNING,
  StateType.PAUSED,
  StateType.CANCELLING,
  StateType.COMPLETED,
  StateType.FAILED,
  StateType.CRASHED,
];

/** A CANCELLING run only leaves to CANCELLED: every other proposal is null-rejected. */
export const EnforceCancellingToCancelledTransition: OrchestrationRule<FlowOrchestrationContext> = {
  name: "EnforceCancellingToCancelledTransition",
  fromStates: [StateType.CANCELLING],
  toStates: ALL_BUT_CANCELLED,
  before(t) {
    t.reject(null, "Cannot transition a flow run that is cancelling to anything but Cancelled.");
  },
};

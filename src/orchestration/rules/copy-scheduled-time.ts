import { StateType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/** SCHEDULED → PENDING keeps the scheduled time when the proposal has none. */
export const CopyScheduledTime: OrchestrationRule<BaseOrchestrationContext> = {
  name: "CopyScheduledTime",
  fromStates: [StateType.SCHEDULED],
  toStates: [StateType.PENDING],
  before(t) {
    t.proposed.state_details.scheduled_time ??= t.initial?.state_details.scheduled_time ?? null;
  },
};

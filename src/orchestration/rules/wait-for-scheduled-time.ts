import { StateType } from "../../core/state-types.ts";
import { secondsBetween } from "../../core/time.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/** A run may not start RUNNING before its scheduled time: WAIT for the remaining seconds. */
export const WaitForScheduledTime: OrchestrationRule<BaseOrchestrationContext> = {
  name: "WaitForScheduledTime",
  fromStates: [StateType.SCHEDULED, StateType.PENDING],
  toStates: [StateType.RUNNING],
  before(t) {
    const scheduled = t.initial?.state_details.scheduled_time;
    if (!scheduled) return;
    const delay = Math.round(secondsBetween(t.ctx.clock.nowIso(), scheduled));
    if (delay >= 1) t.delay(delay, "Scheduled time is in the future.");
  },
};

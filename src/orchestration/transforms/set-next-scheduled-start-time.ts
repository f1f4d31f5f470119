import { StateType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Keeps `next_scheduled_start_time` equal to the scheduled time while the run is SCHEDULED. */
export const SetNextScheduledStartTime: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetNextScheduledStartTime",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (!proposed) return;
    if (ctx.initialState?.type === StateType.SCHEDULED) ctx.run.next_scheduled_start_time = null;
    if (proposed.type === StateType.SCHEDULED) {
      ctx.run.next_scheduled_start_time = proposed.state_details.scheduled_time;
    }
  },
};

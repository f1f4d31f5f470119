import { StateType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Sets `expected_start_time` once: a SCHEDULED proposal's scheduled time, else its timestamp. */
export const SetExpectedStartTime: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetExpectedStartTime",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (!proposed || ctx.run.expected_start_time) return;
    ctx.run.expected_start_time =
      proposed.type === StateType.SCHEDULED
        ? (proposed.state_details.scheduled_time ?? proposed.timestamp)
        : proposed.timestamp;
  },
};

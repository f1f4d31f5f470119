import { isTerminalType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Sets `end_time` (and a missing `start_time`) on a final proposal; clears it on leaving final. */
export const SetEndTime: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetEndTime",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (!proposed) return;
    const run = ctx.run;
    if (isTerminalType(ctx.initialState?.type) && !isTerminalType(proposed.type)) {
      run.end_time = null;
    }
    if (isTerminalType(proposed.type) && !run.end_time) {
      run.end_time = proposed.timestamp;
      if (!run.start_time) run.start_time = proposed.timestamp;
    }
  },
};

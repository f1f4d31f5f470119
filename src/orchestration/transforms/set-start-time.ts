import { StateType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Sets `start_time` from the first RUNNING proposal; later ones do not move it. */
export const SetStartTime: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetStartTime",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (proposed?.type === StateType.RUNNING && !ctx.run.start_time) {
      ctx.run.start_time = proposed.timestamp;
    }
  },
};

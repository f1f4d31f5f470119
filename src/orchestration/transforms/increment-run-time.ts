import { StateType } from "../../core/state-types.ts";
import { secondsBetween } from "../../core/time.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Leaving RUNNING adds the time spent in it to `total_run_time`. */
export const IncrementRunTime: UniversalTransform<BaseOrchestrationContext> = {
  name: "IncrementRunTime",
  universal: true,
  before(ctx) {
    const { initialState: initial, proposedState: proposed } = ctx;
    if (!proposed || initial?.type !== StateType.RUNNING) return;
    ctx.run.total_run_time += secondsBetween(initial.timestamp, proposed.timestamp);
  },
};

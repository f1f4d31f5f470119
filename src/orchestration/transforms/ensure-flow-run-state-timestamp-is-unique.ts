import { addSeconds } from "../../core/time.ts";
import { type FlowOrchestrationContext, isNullified } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Moves the proposed timestamp forward 1 µs at a time until no other state of the run has it. */
export const EnsureFlowRunStateTimestampIsUnique: UniversalTransform<FlowOrchestrationContext> = {
  name: "EnsureFlowRunStateTimestampIsUnique",
  universal: true,
  async before(ctx) {
    const proposed = ctx.proposedState;
    if (isNullified(ctx) || !proposed) return;
    while (await ctx.deps.stateTimestampTaken(proposed.timestamp)) {
      proposed.timestamp = addSeconds(proposed.timestamp, 0.000001);
    }
  },
};

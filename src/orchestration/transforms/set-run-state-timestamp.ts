import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Copies the proposal's timestamp onto `run.state_timestamp`. */
export const SetRunStateTimestamp: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetRunStateTimestamp",
  universal: true,
  before(ctx) {
    if (ctx.proposedState) ctx.run.state_timestamp = ctx.proposedState.timestamp;
  },
};

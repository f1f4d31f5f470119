import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Copies the proposal's name onto `run.state_name`. */
export const SetRunStateName: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetRunStateName",
  universal: true,
  before(ctx) {
    if (ctx.proposedState) ctx.run.state_name = ctx.proposedState.name;
  },
};

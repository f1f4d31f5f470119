import type { BaseOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Copies the proposal's type onto `run.state_type`. */
export const SetRunStateType: UniversalTransform<BaseOrchestrationContext> = {
  name: "SetRunStateType",
  universal: true,
  before(ctx) {
    if (ctx.proposedState) ctx.run.state_type = ctx.proposedState.type;
  },
};

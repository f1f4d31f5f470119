import type { FlowOrchestrationContext } from "../context.ts";
import { flowRunStateEvent } from "../events.ts";
import type { UniversalTransform } from "../rule.ts";

/** Emits `prefect.flow-run.<state name>` for every written flow-run state. */
export const InstrumentFlowRunStateTransitions: UniversalTransform<FlowOrchestrationContext> = {
  name: "InstrumentFlowRunStateTransitions",
  universal: true,
  after(ctx) {
    const validated = ctx.validatedState;
    if (ctx.proposedState === null || !validated) return;
    ctx.deps.emit(flowRunStateEvent(ctx.run, ctx.initialState, validated, ctx.relations));
  },
};

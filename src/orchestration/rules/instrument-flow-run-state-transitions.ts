import type { FlowOrchestrationContext } from "../context.ts";
import { flowRunStateEvent } from "../events.ts";
import type { UniversalTransform } from "../rule.ts";

/** Emits `prefect.flow-run.<state name>` for every written flow-run state. */
export const InstrumentFlowRunStateTransitions: UniversalTransform<FlowOrchestrationContext> = {
  name: "InstrumentFlowRunStateTransitions",
  universal: true,
  async after(ctx) {
    const emit = ctx.deps.emitEvent;
    const validated = ctx.validatedState;
    if (!emit || ctx.proposedState === null || !validated) return;
    await emit(flowRunStateEvent(ctx.run, ctx.initialState, validated));
  },
};

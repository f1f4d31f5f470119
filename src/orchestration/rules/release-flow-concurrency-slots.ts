import { type FlowOrchestrationContext, isNullified } from "../context.ts";
import { StateType, type UniversalTransform } from "../rule.ts";

/** The states in which a run of a deployment holds one of its concurrency slots. */
const HOLDING: readonly (StateType | undefined)[] = [
  StateType.PENDING,
  StateType.RUNNING,
  StateType.CANCELLING,
];

/**
 * Gives back the run's deployment concurrency slot (its lease) when it leaves PENDING, RUNNING
 * or CANCELLING for any other state (Prefect's transform; forced transitions too).
 */
export const ReleaseFlowConcurrencySlots: UniversalTransform<FlowOrchestrationContext> = {
  name: "ReleaseFlowConcurrencySlots",
  universal: true,
  async after(ctx) {
    if (isNullified(ctx) || !ctx.run.deployment_id || !ctx.deps.releaseDeploymentSlot) return;
    if (!HOLDING.includes(ctx.initialState?.type) || HOLDING.includes(ctx.proposedState?.type)) {
      return;
    }
    await ctx.deps.releaseDeploymentSlot();
  },
};

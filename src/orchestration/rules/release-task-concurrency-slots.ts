import { isNullified, type TaskOrchestrationContext } from "../context.ts";
import { StateType, type UniversalTransform } from "../rule.ts";

/** Frees the task run's tag concurrency slots once it is written in a non-running state. */
export const ReleaseTaskConcurrencySlots: UniversalTransform<TaskOrchestrationContext> = {
  name: "ReleaseTaskConcurrencySlots",
  universal: true,
  async after(ctx) {
    if (isNullified(ctx) || ctx.run.tags.length === 0 || !ctx.deps.releaseTagSlots) return;
    const type = ctx.validatedState?.type;
    if (!type || type === StateType.RUNNING || type === StateType.CANCELLING) return;
    await ctx.deps.releaseTagSlots();
  },
};

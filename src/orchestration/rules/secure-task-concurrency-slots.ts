import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";

/** Set while this transition holds the slots this rule took (undone if the rule fizzles). */
const TAKEN = "tag-concurrency-slots-taken";

/**
 * Takes a slot of every tag concurrency limit of the task run (the global limits named
 * `tag:<tag>`) before it starts RUNNING. A full limit delays the transition (WAIT, for
 * `PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS`) with a reason naming the limit and who
 * holds it; a limit of 0 aborts it (the run could never start). Tags without a limit take nothing.
 */
export const SecureTaskConcurrencySlots: OrchestrationRule<TaskOrchestrationContext> = {
  name: "SecureTaskConcurrencySlots",
  fromStates: ALL_STATES,
  toStates: [StateType.RUNNING],
  async before(t) {
    const { ctx } = t;
    if (ctx.run.tags.length === 0 || !ctx.deps.secureTagSlots) return;
    const outcome = await ctx.deps.secureTagSlots();
    if (outcome.status === "zero") t.abort(outcome.reason);
    else if (outcome.status === "full") t.delay(outcome.delaySeconds, outcome.reason);
    else ctx.parameters.set(TAKEN, true);
  },
  async cleanup({ ctx }) {
    if (ctx.parameters.get(TAKEN) !== true) return;
    ctx.parameters.delete(TAKEN);
    await ctx.deps.releaseTagSlots?.();
  },
};

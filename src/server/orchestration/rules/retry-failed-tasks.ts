import type { TaskRunPolicy } from "../../../core/runs.ts";
import { StateType } from "../../../core/state-types.ts";
import { addSeconds } from "../../../core/time.ts";
import type { TaskOrchestrationContext } from "../context.ts";
import { clampedPoissonInterval } from "../jitter.ts";
import type { OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

/** The retry delay for the `runCount`-th run: list entry, number or 0, jittered when asked. */
export function retryDelaySeconds(policy: TaskRunPolicy, runCount: number): number {
  const delay = policy.retry_delay;
  const base = Array.isArray(delay)
    ? (delay[Math.max(0, Math.min(runCount - 1, delay.length - 1))] ?? 0)
    : (delay ?? 0);
  const factor = policy.retry_jitter_factor;
  return factor && factor > 0 && base > 0 ? clampedPoissonInterval(base, factor) : base;
}

/** A failing task run with retries left is rescheduled as `AwaitingRetry` instead. */
export const RetryFailedTasks: OrchestrationRule<TaskOrchestrationContext> = {
  name: "RetryFailedTasks",
  fromStates: [StateType.RUNNING],
  toStates: [StateType.FAILED],
  before(t) {
    const { ctx, proposed } = t;
    const policy = ctx.run.empirical_policy;
    if (proposed.state_details.retriable === false) return;
    if (policy.retries == null || ctx.run.run_count > policy.retries) return;
    const delay = retryDelaySeconds(policy, ctx.run.run_count);
    const retry = freshState(ctx.clock, {
      type: StateType.SCHEDULED,
      name: "AwaitingRetry",
      message: proposed.message,
      data: proposed.data,
      state_details: { scheduled_time: addSeconds(ctx.clock.nowIso(), delay) },
    });
    t.reject(retry, "Retrying");
  },
};

import { retryDelaySeconds } from "../../core/retry-delay.ts";
import { StateType } from "../../core/state-types.ts";
import { addSeconds } from "../../core/time.ts";
import type { TaskOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

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
    const delay = retryDelaySeconds(
      policy.retry_delay,
      policy.retry_jitter_factor,
      ctx.run.run_count,
    );
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

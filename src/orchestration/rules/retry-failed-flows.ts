import { StateType } from "../../core/state-types.ts";
import { addSeconds } from "../../core/time.ts";
import { apiVersionAtLeast } from "../api-version.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

/** A failing flow run with retries left is rescheduled as `AwaitingRetry` instead. */
export const RetryFailedFlows: OrchestrationRule<FlowOrchestrationContext> = {
  name: "RetryFailedFlows",
  fromStates: [StateType.RUNNING],
  toStates: [StateType.FAILED],
  before(t) {
    const { ctx, proposed } = t;
    const policy = ctx.run.empirical_policy;
    if (policy.retries == null || ctx.run.run_count > policy.retries) {
      policy.retry_type = null;
      return;
    }
    if (apiVersionAtLeast(ctx, "0.8.4")) {
      policy.resuming = false;
      policy.pause_keys = [];
      policy.retry_type = "in_process";
    }
    const now = ctx.clock.nowIso();
    const retry = freshState(ctx.clock, {
      type: StateType.SCHEDULED,
      name: "AwaitingRetry",
      message: proposed.message,
      data: proposed.data,
      state_details: { scheduled_time: addSeconds(now, policy.retry_delay ?? 0) },
    });
    t.reject(retry, "Retrying");
  },
};

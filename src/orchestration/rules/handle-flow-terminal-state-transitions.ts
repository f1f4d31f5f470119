import type { FlowRunPolicy } from "../../core/runs.ts";
import { isPersistedResultData } from "../../core/state.ts";
import { isTerminalType, StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, TERMINAL_STATES } from "../rule.ts";
import { abortForbiddenExit, isCompletedWithPersistedResult } from "./terminal-state-guards.ts";

const saved = new WeakMap<object, FlowRunPolicy>();

/**
 * Guards flow runs leaving a terminal state: aborts moves to CANCELLING/PAUSED/CRASHED, keeps
 * completed runs with persisted results, requires a deployment to reschedule, and resets the
 * run's pause/retry bookkeeping for a re-run (restored on cleanup).
 */
export const HandleFlowTerminalStateTransitions: OrchestrationRule<FlowOrchestrationContext> = {
  name: "HandleFlowTerminalStateTransitions",
  fromStates: TERMINAL_STATES,
  toStates: ALL_STATES,
  before(t) {
    const { initial, proposed, ctx } = t;
    if (abortForbiddenExit(t)) return;
    if (isCompletedWithPersistedResult(initial)) {
      if (!isTerminalType(proposed.type)) {
        t.reject(null, "This run has already completed and its result is persisted.");
        return;
      }
      if (proposed.type === StateType.COMPLETED && !isPersistedResultData(proposed.data)) {
        t.reject(null, "This run already completed with a persisted result; refusing to lose it.");
        return;
      }
    }
    if (proposed.type === StateType.SCHEDULED && !ctx.run.deployment_id) {
      t.abort("Cannot reschedule a run that has no deployment.");
      return;
    }
    if (!isTerminalType(proposed.type)) {
      const policy = ctx.run.empirical_policy;
      saved.set(ctx, structuredClone(policy));
      policy.pause_keys = [];
      policy.resuming = false;
      policy.retry_type = proposed.type === StateType.SCHEDULED ? "reschedule" : null;
    }
  },
  cleanup({ ctx }) {
    const policy = saved.get(ctx);
    if (policy) ctx.run.empirical_policy = policy;
  },
};

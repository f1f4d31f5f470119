import { isTerminalType, StateType } from "../../core/state-types.ts";
import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, TERMINAL_STATES } from "../rule.ts";
import { abortForbiddenExit, isCompletedWithPersistedResult } from "./terminal-state-guards.ts";

const savedRunCount = new WeakMap<object, number>();

/**
 * Guards task runs leaving a terminal state: aborts moves to CANCELLING/PAUSED/CRASHED, keeps
 * completed runs with persisted results, and re-grants retries (`run_count` := 0, restored on
 * cleanup) for a re-run, renamed `Retrying` when the parent flow is itself retrying.
 */
export const HandleTaskTerminalStateTransitions: OrchestrationRule<TaskOrchestrationContext> = {
  name: "HandleTaskTerminalStateTransitions",
  fromStates: TERMINAL_STATES,
  toStates: ALL_STATES,
  async before(t) {
    const { initial, proposed, ctx } = t;
    if (abortForbiddenExit(t)) return;
    if (isCompletedWithPersistedResult(initial)) {
      t.reject(null, "This run has already completed and its result is persisted.");
      return;
    }
    if (isTerminalType(proposed.type)) return;
    savedRunCount.set(ctx, ctx.run.run_count);
    ctx.run.run_count = 0;
    if (proposed.type === StateType.RUNNING && ctx.run.flow_run_id) {
      const flowRun = await ctx.deps.readFlowRun();
      if (flowRun && ctx.run.flow_run_run_count < flowRun.run_count) t.rename("Retrying");
    }
  },
  cleanup({ ctx }) {
    const runCount = savedRunCount.get(ctx);
    if (runCount !== undefined) ctx.run.run_count = runCount;
  },
};

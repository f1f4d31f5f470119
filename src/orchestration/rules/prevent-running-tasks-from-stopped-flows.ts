import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";
import { freshState } from "../states.ts";

/** A task run may only start RUNNING while its flow run is RUNNING (Paused flow → NotReady). */
export const PreventRunningTasksFromStoppedFlows: OrchestrationRule<TaskOrchestrationContext> = {
  name: "PreventRunningTasksFromStoppedFlows",
  fromStates: ALL_STATES,
  toStates: [StateType.RUNNING],
  async before(t) {
    const { ctx } = t;
    if (!ctx.run.flow_run_id) return;
    const flowState = (await ctx.deps.readFlowRun())?.state ?? null;
    if (!flowState) {
      t.abort("The enclosing flow run has no state; the task run cannot start.");
      return;
    }
    if (flowState.type === StateType.PAUSED) {
      const paused = freshState(ctx.clock, {
        type: StateType.PAUSED,
        name: "NotReady",
        state_details: {
          pause_timeout: flowState.state_details.pause_timeout,
          pause_reschedule: flowState.state_details.pause_reschedule,
        },
      });
      t.reject(paused, "The flow is paused, new tasks can execute after resuming flow run.");
      return;
    }
    if (flowState.type !== StateType.RUNNING) {
      t.abort(`The enclosing flow run is ${flowState.type}; the task run cannot start.`);
    }
  },
};

import { ObjectNotFoundError } from "../../core/errors.ts";
import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";

/** After a task run starts RUNNING, records which run of its flow run it belongs to. */
export const UpdateFlowRunTrackerOnTasks: OrchestrationRule<TaskOrchestrationContext> = {
  name: "UpdateFlowRunTrackerOnTasks",
  fromStates: ALL_STATES,
  toStates: [StateType.RUNNING],
  async after({ ctx }) {
    const flowRunId = ctx.run.flow_run_id;
    if (!flowRunId) return;
    const flowRun = await ctx.deps.readFlowRun();
    if (!flowRun) throw new ObjectNotFoundError(`Flow run with id ${flowRunId} not found`);
    ctx.run.flow_run_run_count = flowRun.run_count;
  },
};

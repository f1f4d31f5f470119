import type { FlowOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** After a subflow's state is written, forces a fresh copy of it onto the parent task run. */
export const UpdateSubflowParentTask: UniversalTransform<FlowOrchestrationContext> = {
  name: "UpdateSubflowParentTask",
  universal: true,
  async after(ctx) {
    const parentId = ctx.run.parent_task_run_id;
    const validated = ctx.validatedState;
    if (ctx.proposedState === null || !validated || !parentId) return;
    await ctx.deps.forceParentTaskRunState(parentId, {
      type: validated.type,
      name: validated.name,
      message: validated.message,
      data: validated.data,
      state_details: {
        child_flow_run_id: ctx.run.id,
        scheduled_time: validated.state_details.scheduled_time,
      },
    });
  },
};

import type { FlowOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** A subflow's proposal records its parent task run in `state_details.task_run_id`. */
export const UpdateSubflowStateDetails: UniversalTransform<FlowOrchestrationContext> = {
  name: "UpdateSubflowStateDetails",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (proposed && ctx.run.parent_task_run_id) {
      proposed.state_details.task_run_id = ctx.run.parent_task_run_id;
    }
  },
};

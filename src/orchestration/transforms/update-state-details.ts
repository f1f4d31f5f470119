import type { OrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Stamps the run's ids into the proposal's `state_details` (overriding client values). */
export const UpdateStateDetails: UniversalTransform<OrchestrationContext> = {
  name: "UpdateStateDetails",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (!proposed) return;
    if (ctx.kind === "flow") {
      proposed.state_details.flow_run_id = ctx.run.id;
    } else {
      proposed.state_details.flow_run_id = ctx.run.flow_run_id;
      proposed.state_details.task_run_id = ctx.run.id;
    }
  },
};

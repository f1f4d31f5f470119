import { StateType } from "../../core/state-types.ts";
import { apiVersionAtLeast } from "../api-version.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** A RUNNING proposal counts a run, except when resuming from a pause. */
export const IncrementFlowRunCount: UniversalTransform<FlowOrchestrationContext> = {
  name: "IncrementFlowRunCount",
  universal: true,
  before(ctx) {
    if (ctx.proposedState?.type !== StateType.RUNNING) return;
    if (ctx.run.empirical_policy.resuming && apiVersionAtLeast(ctx, "0.8.4")) return;
    ctx.run.run_count += 1;
  },
};

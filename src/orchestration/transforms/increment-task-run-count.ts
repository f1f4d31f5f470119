import { StateType } from "../../core/state-types.ts";
import type { TaskOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** A RUNNING proposal counts a task run. */
export const IncrementTaskRunCount: UniversalTransform<TaskOrchestrationContext> = {
  name: "IncrementTaskRunCount",
  universal: true,
  before(ctx) {
    if (ctx.proposedState?.type === StateType.RUNNING) ctx.run.run_count += 1;
  },
};

import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";

/** Takes a slot on every tag concurrency limit of the task run before it starts RUNNING. */
export const SecureTaskConcurrencySlots: OrchestrationRule<TaskOrchestrationContext> = {
  name: "SecureTaskConcurrencySlots",
  fromStates: ALL_STATES,
  toStates: [StateType.RUNNING],
  // No hooks yet: tag concurrency limits arrive with the "concurrency limits" issue.
};

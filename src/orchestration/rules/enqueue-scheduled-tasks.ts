import type { TaskOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule, StateType } from "../rule.ts";

/** Puts a deferred SCHEDULED task run on its task key's queue for background task workers. */
export const EnqueueScheduledTasks: OrchestrationRule<TaskOrchestrationContext> = {
  name: "EnqueueScheduledTasks",
  fromStates: ALL_STATES,
  toStates: [StateType.SCHEDULED],
  // No hooks yet: the background-task queue arrives with the "background tasks" issue.
};

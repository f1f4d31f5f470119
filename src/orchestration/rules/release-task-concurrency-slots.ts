import type { TaskOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Frees the task run's tag concurrency slots once it is written in a non-running state. */
export const ReleaseTaskConcurrencySlots: UniversalTransform<TaskOrchestrationContext> = {
  name: "ReleaseTaskConcurrencySlots",
  universal: true,
  // No hooks yet: tag concurrency limits arrive with the "concurrency limits" issue.
};

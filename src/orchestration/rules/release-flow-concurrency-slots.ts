import type { FlowOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Releases the deployment concurrency slot when a run leaves PENDING/RUNNING/CANCELLING. */
export const ReleaseFlowConcurrencySlots: UniversalTransform<FlowOrchestrationContext> = {
  name: "ReleaseFlowConcurrencySlots",
  universal: true,
  // No hooks yet: deployment concurrency arrives with the "deployments" issue.
};

import type { FlowOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** Carries the initial state's deployment concurrency lease id onto a proposal without one. */
export const PreserveDeploymentConcurrencyLeaseId: UniversalTransform<FlowOrchestrationContext> = {
  name: "PreserveDeploymentConcurrencyLeaseId",
  universal: true,
  before(ctx) {
    const lease = ctx.initialState?.state_details.deployment_concurrency_lease_id;
    const proposed = ctx.proposedState;
    if (!proposed || !lease || proposed.state_details.deployment_concurrency_lease_id) return;
    proposed.state_details.deployment_concurrency_lease_id = lease;
  },
};

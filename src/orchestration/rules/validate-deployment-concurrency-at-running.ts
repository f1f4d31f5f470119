import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

/**
 * A run going from PENDING to RUNNING keeps its deployment concurrency lease (copied onto the
 * proposed state) and must still hold that slot (Prefect's rule): a lease that is gone — its limit
 * was reset, or a client let it run out — is replaced by a free slot taken anew; when there is
 * none, the run is cancelled (its infrastructure is up: it cannot be sent back to wait).
 */
export const ValidateDeploymentConcurrencyAtRunning: OrchestrationRule<FlowOrchestrationContext> = {
  name: "ValidateDeploymentConcurrencyAtRunning",
  fromStates: [StateType.PENDING],
  toStates: [StateType.RUNNING],
  async before(t) {
    const { ctx, initial, proposed } = t;
    if (!initial) return;
    const leaseId = initial.state_details.deployment_concurrency_lease_id;
    proposed.state_details.deployment_concurrency_lease_id = leaseId;
    if (!leaseId || !ctx.run.deployment_id || !ctx.deps.checkDeploymentSlot) return;
    const check = await ctx.deps.checkDeploymentSlot(leaseId);
    if (check.status === "held") return;
    if (check.status === "retaken") {
      proposed.state_details.deployment_concurrency_lease_id = check.leaseId;
      return;
    }
    t.reject(
      freshState(ctx.clock, {
        type: StateType.CANCELLED,
        message:
          "Deployment concurrency slot lost during provisioning - no slots available to continue execution",
      }),
      "Deployment concurrency limit reached after lease expiry.",
    );
  },
};

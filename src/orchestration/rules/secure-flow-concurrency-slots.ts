import { StateType } from "../../core/state-types.ts";
import { addSeconds } from "../../core/time.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { allStatesExcept, type OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

/** Set while this transition holds the slot this rule took (given back if the rule fizzles). */
const TAKEN = "deployment-concurrency-slot-taken";

/** Prefect workers that take deployment slots themselves (the server leaves their runs alone). */
const WORKERS_MANAGING_DEPLOYMENT_CONCURRENCY = ["3.0.0rc20", "3.0.0"];

const LIMIT_REACHED = "Deployment concurrency limit reached.";

/**
 * Enforces a deployment's `concurrency_limit` (Prefect's rule): a run of the deployment going
 * PENDING — what a worker proposes before it provisions anything — takes a slot of the
 * deployment's limit under a lease held by the run (`deployment_concurrency_lease_id` on the
 * proposed state). When the limit is full, its `concurrency_options.collision_strategy` decides:
 * ENQUEUE (the default) sends the run back to `Scheduled` named `AwaitingConcurrencySlot`, due
 * again after `PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS`; CANCEL_NEW cancels it.
 * A limit of 0 aborts the transition (the run could never start). A run whose deployment is gone
 * takes no slot (Prefect's foreign key would have set its `deployment_id` to null).
 */
export const SecureFlowConcurrencySlots: OrchestrationRule<FlowOrchestrationContext> = {
  name: "SecureFlowConcurrencySlots",
  fromStates: allStatesExcept(StateType.PENDING, StateType.RUNNING, StateType.CANCELLING),
  toStates: [StateType.PENDING],
  async before(t) {
    const { ctx, proposed } = t;
    if (!ctx.run.deployment_id || !ctx.deps.secureDeploymentSlot) return;
    if (WORKERS_MANAGING_DEPLOYMENT_CONCURRENCY.includes(ctx.clientVersion ?? "")) return;
    const outcome = await ctx.deps.secureDeploymentSlot();
    switch (outcome.status) {
      case "unlimited":
        return;
      case "zero":
        t.abort(
          "The deployment concurrency limit is 0. The flow will deadlock if submitted again.",
        );
        return;
      case "taken":
        proposed.state_details.deployment_concurrency_lease_id = outcome.leaseId;
        ctx.parameters.set(TAKEN, true);
        return;
      case "full": {
        const now = ctx.clock.nowIso();
        const instead =
          outcome.strategy === "CANCEL_NEW"
            ? freshState(ctx.clock, { type: StateType.CANCELLED, message: LIMIT_REACHED })
            : freshState(ctx.clock, {
                type: StateType.SCHEDULED,
                name: "AwaitingConcurrencySlot",
                state_details: { scheduled_time: addSeconds(now, outcome.waitSeconds) },
              });
        t.reject(instead, LIMIT_REACHED);
      }
    }
  },
  async cleanup({ ctx, validated }) {
    if (ctx.parameters.get(TAKEN) !== true) return;
    ctx.parameters.delete(TAKEN);
    await ctx.deps.releaseDeploymentSlot?.();
    if (validated) validated.state_details.deployment_concurrency_lease_id = null;
  },
};

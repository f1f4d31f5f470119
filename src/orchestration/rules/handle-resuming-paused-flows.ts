import { isTerminalType, StateType } from "../../core/state-types.ts";
import { isoToMicros } from "../../core/time.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

/**
 * A PAUSED run may only move to RUNNING, SCHEDULED or a final type; a suspended run needs a
 * deployment; an expired pause fails the run. Afterwards the run is marked `resuming`.
 */
export const HandleResumingPausedFlows: OrchestrationRule<FlowOrchestrationContext> = {
  name: "HandleResumingPausedFlows",
  fromStates: [StateType.PAUSED],
  toStates: ALL_STATES,
  before(t) {
    const { initial, proposed, ctx } = t;
    if (!initial) return;
    const allowed =
      proposed.type === StateType.RUNNING ||
      proposed.type === StateType.SCHEDULED ||
      isTerminalType(proposed.type);
    if (!allowed) {
      t.reject(null, `Cannot transition a paused run to ${proposed.type}.`);
      return;
    }
    if (initial.state_details.pause_reschedule && !ctx.run.deployment_id) {
      t.reject(null, "Cannot reschedule a paused flow run that has no deployment.");
      return;
    }
    const timeout = initial.state_details.pause_timeout;
    if (timeout && isoToMicros(timeout) < isoToMicros(ctx.clock.nowIso())) {
      t.reject(
        freshState(ctx.clock, {
          type: StateType.FAILED,
          name: "Failed",
          message: "The flow was paused and never resumed.",
        }),
        "The flow run pause has timed out and can no longer resume.",
      );
    }
  },
  after({ ctx }) {
    ctx.run.empirical_policy.resuming = true;
  },
};

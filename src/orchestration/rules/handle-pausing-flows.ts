import { uuid4 } from "../../core/ids.ts";
import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { ALL_STATES, type OrchestrationRule } from "../rule.ts";

const pauseKeys = new WeakMap<object, string>();

/**
 * Only a RUNNING run may pause, once per pause key; suspending (pause with reschedule) needs a
 * top-level run with a deployment. After the pause, its key joins `empirical_policy.pause_keys`.
 */
export const HandlePausingFlows: OrchestrationRule<FlowOrchestrationContext> = {
  name: "HandlePausingFlows",
  fromStates: ALL_STATES,
  toStates: [StateType.PAUSED],
  before(t) {
    const { initial, proposed, ctx } = t;
    if (!initial) {
      t.abort("Cannot pause a run that has no state.");
      return;
    }
    if (initial.type !== StateType.RUNNING) {
      t.reject(null, "Cannot pause a run that is not running.");
      return;
    }
    const key = proposed.state_details.pause_key ?? uuid4();
    if (ctx.run.empirical_policy.pause_keys.includes(key)) {
      t.reject(null, "This pause has already fired.");
      return;
    }
    if (proposed.state_details.pause_reschedule) {
      if (ctx.run.parent_task_run_id) {
        t.abort("Cannot pause subflows with the reschedule option.");
        return;
      }
      if (!ctx.run.deployment_id) {
        t.abort("Cannot pause flows without a deployment with the reschedule option.");
        return;
      }
    }
    pauseKeys.set(ctx, key);
  },
  after({ ctx }) {
    const key = pauseKeys.get(ctx);
    if (key !== undefined) ctx.run.empirical_policy.pause_keys.push(key);
  },
};

import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";
import { freshState } from "../states.ts";

/** Cancels outright (REJECT to Cancelled) a run with no infrastructure to tear down. */
export const BypassCancellingFlowRunsWithNoInfra: OrchestrationRule<FlowOrchestrationContext> = {
  name: "BypassCancellingFlowRunsWithNoInfra",
  fromStates: [StateType.SCHEDULED, StateType.PAUSED],
  toStates: [StateType.CANCELLING],
  before(t) {
    const { initial, ctx } = t;
    if (!initial) return;
    const noInfra = initial.type === StateType.SCHEDULED && !ctx.run.infrastructure_pid;
    const suspended = initial.type === StateType.PAUSED && initial.state_details.pause_reschedule;
    if (noInfra || initial.name === "Resuming" || suspended) {
      t.reject(
        freshState(ctx.clock, {
          type: StateType.CANCELLED,
          name: "Cancelled",
          message: "Run had no infrastructure to cancel; cancelled directly.",
        }),
        "The flow run has no infrastructure running; cancelled directly.",
      );
    }
  },
};

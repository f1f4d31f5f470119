import { StateType } from "../../core/state-types.ts";
import type { TaskOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/** Keeps a background task's `task_parameters_id` when the proposal has none. */
export const CopyTaskParametersID: OrchestrationRule<TaskOrchestrationContext> = {
  name: "CopyTaskParametersID",
  fromStates: [StateType.SCHEDULED, StateType.PENDING],
  toStates: [StateType.PENDING, StateType.RUNNING],
  before(t) {
    t.proposed.state_details.task_parameters_id ??=
      t.initial?.state_details.task_parameters_id ?? null;
  },
};

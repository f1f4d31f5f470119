import { isPersistedResultData } from "../../core/state.ts";
import { StateType } from "../../core/state-types.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import { type OrchestrationRule, TERMINAL_STATES } from "../rule.ts";

/** Even a forced write may not replace a persisted COMPLETED result with an unpersisted one. */
export const PreventResultDataLoss: OrchestrationRule<FlowOrchestrationContext> = {
  name: "PreventResultDataLoss",
  fromStates: TERMINAL_STATES,
  toStates: TERMINAL_STATES,
  before(t) {
    const { initial, proposed } = t;
    if (
      initial?.type === StateType.COMPLETED &&
      isPersistedResultData(initial.data) &&
      proposed.type === StateType.COMPLETED &&
      !isPersistedResultData(proposed.data)
    ) {
      t.reject(null, "This run already completed with a persisted result; refusing to lose it.");
    }
  },
};

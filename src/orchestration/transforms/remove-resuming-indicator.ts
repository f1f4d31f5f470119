import { isTerminalType, StateType } from "../../core/state-types.ts";
import { apiVersionAtLeast } from "../api-version.ts";
import type { FlowOrchestrationContext } from "../context.ts";
import type { UniversalTransform } from "../rule.ts";

/** A RUNNING or final proposal clears `empirical_policy.resuming`. */
export const RemoveResumingIndicator: UniversalTransform<FlowOrchestrationContext> = {
  name: "RemoveResumingIndicator",
  universal: true,
  before(ctx) {
    const proposed = ctx.proposedState;
    if (!proposed || !apiVersionAtLeast(ctx, "0.8.4")) return;
    if (proposed.type === StateType.RUNNING || isTerminalType(proposed.type)) {
      ctx.run.empirical_policy.resuming = false;
    }
  },
};

import { StateType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { OrchestrationRule } from "../rule.ts";

/**
 * Aborts a second submission (→ PENDING from PENDING, RUNNING, CANCELLING or CANCELLED), but lets
 * a PENDING run be renamed (Pending → Submitting → InfrastructurePending), carrying over its
 * scheduled time and lease id.
 */
export const PreventPendingTransitions: OrchestrationRule<BaseOrchestrationContext> = {
  name: "PreventPendingTransitions",
  fromStates: [StateType.PENDING, StateType.RUNNING, StateType.CANCELLING, StateType.CANCELLED],
  toStates: [StateType.PENDING],
  before(t) {
    const { initial, proposed } = t;
    if (!initial) return;
    const rename =
      initial.type === StateType.PENDING &&
      proposed.name !== initial.name &&
      proposed.name !== "Pending";
    if (!rename) {
      t.abort(`This run is in a ${initial.type} state and cannot transition to a PENDING state.`);
      return;
    }
    const details = proposed.state_details;
    details.scheduled_time ??= initial.state_details.scheduled_time;
    details.deployment_concurrency_lease_id ??=
      initial.state_details.deployment_concurrency_lease_id;
  },
};

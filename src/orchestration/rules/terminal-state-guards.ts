/** What the flow and task terminal-state rules both check when a run leaves a terminal state. */
import { isPersistedResultData, type StateRecord } from "../../core/state.ts";
import { StateType } from "../../core/state-types.ts";
import type { BaseOrchestrationContext } from "../context.ts";
import type { RuleTransition } from "../rule.ts";

const FORBIDDEN: readonly StateType[] = [StateType.CANCELLING, StateType.PAUSED, StateType.CRASHED];

/** Aborts a move from a terminal state to CANCELLING, PAUSED or CRASHED; true when it did. */
export function abortForbiddenExit<C extends BaseOrchestrationContext>(
  t: RuleTransition<C>,
): boolean {
  const { initial, proposed } = t;
  if (!FORBIDDEN.includes(proposed.type)) return false;
  t.abort(
    `This run is in terminal state ${initial?.type} and cannot transition to ${proposed.type}.`,
  );
  return true;
}

/** True for a COMPLETED state whose result is persisted. */
export function isCompletedWithPersistedResult(state: StateRecord | null): boolean {
  return state?.type === StateType.COMPLETED && isPersistedResultData(state.data);
}

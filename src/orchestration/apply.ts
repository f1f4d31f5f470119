/**
 * Running a policy over a context and handing the outcome to a persistence callback: the part of
 * Prefect's models-layer `set_*_state` that does not depend on storage.
 */
import type { OrchestrationResult } from "../core/state.ts";
import { type BaseOrchestrationContext, resultOf } from "./context.ts";
import type { PolicyEntry } from "./rule.ts";
import { runTransition } from "./transition.ts";

/** The answer to a proposal, and whether a state row was written (HTTP 201 vs 200). */
export interface TransitionOutcome {
  result: OrchestrationResult;
  written: boolean;
}

/** What was written, handed to the persistence callback once all hooks have run. */
export interface TransitionWrites {
  /** A new state was validated: insert it and make it the run's current state. */
  stateWritten: boolean;
  /** The run's fields changed (always true when a state was written). */
  runChanged: boolean;
}

/**
 * Raised by {@link applyPolicy} when writing the validated state failed with a non-retryable
 * database error: the caller rolls the transaction back and answers with `outcome` (ABORT).
 */
export class StateValidationError extends Error {
  readonly outcome: TransitionOutcome;
  constructor(outcome: TransitionOutcome, options: { cause: unknown }) {
    super("Error validating state", options);
    this.name = "StateValidationError";
    this.outcome = outcome;
  }
}

/** SQLite busy/locked and PostgreSQL serialization/deadlock/lock errors: the client retries. */
export function isRetryableDatabaseError(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const code = String(error.code);
  return /^SQLITE_(BUSY|LOCKED)/.test(code) || ["40001", "40P01", "55P03"].includes(code);
}

/**
 * Run `policy` then `globalPolicy` over `ctx`, then `persist` what changed. Re-raises an error
 * from a rule (after cleanup); turns a non-retryable persistence error into an ABORT outcome.
 */
export async function applyPolicy<C extends BaseOrchestrationContext>(
  ctx: C,
  policy: readonly PolicyEntry<C>[],
  globalPolicy: readonly PolicyEntry<C>[],
  persist: (writes: TransitionWrites) => Promise<void>,
): Promise<TransitionOutcome> {
  const before = JSON.stringify(ctx.run);
  let stateWritten = false;
  await runTransition(ctx, policy, globalPolicy, (c) => {
    const proposed = c.proposedState;
    if (proposed) {
      c.run.state = proposed;
      c.run.state_id = proposed.id;
      stateWritten = true;
    }
    c.validatedState = proposed ?? c.initialState;
  });
  if (ctx.orchestrationError) throw ctx.orchestrationError;
  const runChanged = stateWritten || JSON.stringify(ctx.run) !== before;
  try {
    await persist({ stateWritten, runChanged });
  } catch (error) {
    if (isRetryableDatabaseError(error)) throw error;
    const reason = `Error validating state: ${error instanceof Error ? error.message : String(error)}`;
    const outcome: TransitionOutcome = {
      result: { state: null, status: "ABORT", details: { type: "abort_details", reason } },
      written: false,
    };
    throw new StateValidationError(outcome, { cause: error });
  }
  return { result: resultOf(ctx), written: stateWritten };
}

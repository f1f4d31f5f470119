/**
 * The rule machinery of Prefect's `orchestration/rules.py`: compile the entries of a policy that
 * apply to a transition, enter them in priority order, validate, and exit in reverse order with
 * Prefect's invalid / fizzle / cleanup semantics (prefect-capabilities.md §3.4).
 */
import { coerceError } from "../core/errors.ts";
import type { StateRecord } from "../core/state.ts";
import type { BaseOrchestrationContext } from "./context.ts";
import {
  isUniversalTransform,
  type OrchestrationRule,
  type PolicyEntry,
  type RuleExit,
  type RuleTransition,
  type StateTypeOrNone,
  type UniversalTransform,
} from "./rule.ts";

type RuleFrame<C extends BaseOrchestrationContext> = {
  kind: "rule";
  rule: OrchestrationRule<C>;
  from: StateTypeOrNone;
  /** The rule's own target: its reject / delay / abort move it. */
  to: StateTypeOrNone;
  validOnEntry: boolean;
};
type TransformFrame<C extends BaseOrchestrationContext> = {
  kind: "transform";
  transform: UniversalTransform<C>;
};
type Frame<C extends BaseOrchestrationContext> = RuleFrame<C> | TransformFrame<C>;

const typeOf = (state: StateRecord | null): StateTypeOrNone => state?.type ?? null;

/** The entries of `policy` that apply to `from → to`, in priority order. */
export function compileTransitionRules<C extends BaseOrchestrationContext>(
  policy: readonly PolicyEntry<C>[],
  from: StateTypeOrNone,
  to: StateTypeOrNone,
): PolicyEntry<C>[] {
  return policy.filter(
    (entry) =>
      isUniversalTransform(entry) ||
      (entry.fromStates.includes(from) && entry.toStates.includes(to)),
  );
}

/** Validation: write the proposal (or not) and set `ctx.validatedState`. */
export type Validate<C extends BaseOrchestrationContext> = (ctx: C) => void | Promise<void>;

/**
 * Run one transition: `policy` entries first, then `globalPolicy` entries, nested; `validate`
 * in the middle. Outcomes are left on the context (status, details, validated state); an error
 * raised by a before-hook is recorded as `ctx.orchestrationError` (status ABORT) for the caller
 * to re-raise once every entered rule has cleaned up.
 */
export async function runTransition<C extends BaseOrchestrationContext>(
  ctx: C,
  policy: readonly PolicyEntry<C>[],
  globalPolicy: readonly PolicyEntry<C>[],
  validate: Validate<C>,
): Promise<void> {
  const from = typeOf(ctx.initialState);
  const to = typeOf(ctx.proposedState);
  const entries = [
    ...compileTransitionRules(policy, from, to),
    ...compileTransitionRules(globalPolicy, from, to),
  ];
  const frames: Frame<C>[] = [];
  for (const entry of entries) {
    if (isUniversalTransform(entry)) {
      frames.push({ kind: "transform", transform: entry });
      await entry.before?.(ctx);
      continue;
    }
    const frame: RuleFrame<C> = {
      kind: "rule",
      rule: entry,
      from,
      to,
      validOnEntry: typeOf(ctx.proposedState) === to && ctx.proposedState !== null,
    };
    frames.push(frame);
    if (frame.validOnEntry) await enterRule(ctx, frame);
  }
  await validate(ctx);
  ctx.validated = true;
  for (const frame of frames.reverse()) {
    if (frame.kind === "transform") {
      if (ctx.orchestrationError === null) await frame.transform.after?.(ctx);
    } else {
      await exitRule(ctx, frame);
    }
  }
}

async function enterRule<C extends BaseOrchestrationContext>(ctx: C, frame: RuleFrame<C>) {
  const proposed = ctx.proposedState;
  if (!frame.rule.before || !proposed) return;
  try {
    await frame.rule.before(mutators(ctx, frame, proposed));
  } catch (error) {
    const e = coerceError(error);
    ctx.proposedState = null;
    ctx.status = "ABORT";
    ctx.details = {
      type: "abort_details",
      reason: `Aborting orchestration due to error in ${frame.rule.name}: ${e.message}`,
    };
    ctx.orchestrationError = e;
  }
}

async function exitRule<C extends BaseOrchestrationContext>(ctx: C, frame: RuleFrame<C>) {
  if (!frame.validOnEntry || !frame.rule.toStates.includes(frame.to)) return;
  const exit: RuleExit<C> = {
    ctx,
    initial: ctx.initialState,
    validated: ctx.validatedState,
  };
  const fizzled = typeOf(ctx.initialState) !== frame.from || typeOf(ctx.proposedState) !== frame.to;
  if (fizzled) await frame.rule.cleanup?.(exit);
  else await frame.rule.after?.(exit);
}

function mutators<C extends BaseOrchestrationContext>(
  ctx: C,
  frame: RuleFrame<C>,
  proposed: StateRecord,
): RuleTransition<C> {
  const guard = (what: string) => {
    if (ctx.validated) throw new Error(`${frame.rule.name}: cannot ${what} after validation`);
  };
  return {
    ctx,
    initial: ctx.initialState,
    proposed,
    reject(state, reason) {
      guard("reject");
      if (state === null && ctx.initialState === null) {
        throw new Error(`${frame.rule.name}: cannot reject a transition of a run without a state`);
      }
      ctx.proposedState = state;
      frame.to = typeOf(state);
      ctx.status = "REJECT";
      ctx.details = { type: "reject_details", reason };
    },
    delay(seconds, reason) {
      guard("delay");
      ctx.proposedState = null;
      frame.to = null;
      ctx.status = "WAIT";
      ctx.details = { type: "wait_details", delay_seconds: Math.round(seconds), reason };
    },
    abort(reason) {
      guard("abort");
      ctx.proposedState = null;
      frame.to = null;
      ctx.status = "ABORT";
      ctx.details = { type: "abort_details", reason };
    },
    rename(name) {
      guard("rename");
      if (ctx.proposedState) ctx.proposedState.name = name;
    },
  };
}

/** The shapes of orchestration rules and universal transforms: plain objects, one per file. */
import type { StateRecord } from "../core/state.ts";
import { ALL_STATE_TYPES, StateType, TERMINAL_STATE_TYPES } from "../core/state-types.ts";
import type { BaseOrchestrationContext } from "./context.ts";

/** A state type, or `null` for "no state" (a run without a state, or a nullified proposal). */
export type StateTypeOrNone = StateType | null;

/** What a rule's before-hook sees and may change, bound to that rule's nesting frame. */
export interface RuleTransition<C extends BaseOrchestrationContext> {
  readonly ctx: C;
  readonly initial: StateRecord | null;
  /** The live proposal: editing its fields edits what is written. */
  readonly proposed: StateRecord;
  /** REJECT: with a state, that state is written instead; with `null`, nothing is written. */
  reject(state: StateRecord | null, reason: string): void;
  /** WAIT: nothing is written; the client retries after `seconds`. */
  delay(seconds: number, reason: string): void;
  /** ABORT: nothing is written. */
  abort(reason: string): void;
  /** Change the proposal's name only (the type is unchanged, so nothing fizzles). */
  rename(name: string): void;
}

/** What a rule's after-hook or cleanup sees once the proposal was validated. */
export interface RuleExit<C extends BaseOrchestrationContext> {
  readonly ctx: C;
  readonly initial: StateRecord | null;
  readonly validated: StateRecord | null;
}

type Hook<T> = (transition: T) => void | Promise<void>;

/**
 * An orchestration rule (Prefect's `BaseOrchestrationRule`): applies to transitions whose initial
 * type is in `fromStates` and proposed type in `toStates`. `before` may mutate the proposal,
 * `after` runs when the transition went through as this rule left it, `cleanup` when a later
 * rule changed the proposal (the rule "fizzled") and its side effects must be undone.
 */
export interface OrchestrationRule<C extends BaseOrchestrationContext> {
  readonly name: string;
  readonly fromStates: readonly StateTypeOrNone[];
  readonly toStates: readonly StateTypeOrNone[];
  readonly before?: Hook<RuleTransition<C>>;
  readonly after?: Hook<RuleExit<C>>;
  readonly cleanup?: Hook<RuleExit<C>>;
}

/**
 * A universal transform (Prefect's `BaseUniversalTransform`): stateless, entered on every
 * transition; each hook checks for itself whether the transition was nullified.
 */
export interface UniversalTransform<C extends BaseOrchestrationContext> {
  readonly name: string;
  readonly universal: true;
  readonly before?: (ctx: C) => void | Promise<void>;
  readonly after?: (ctx: C) => void | Promise<void>;
}

/** One entry of a policy, in priority order. */
export type PolicyEntry<C extends BaseOrchestrationContext> =
  | OrchestrationRule<C>
  | UniversalTransform<C>;

export function isUniversalTransform<C extends BaseOrchestrationContext>(
  entry: PolicyEntry<C>,
): entry is UniversalTransform<C> {
  return "universal" in entry;
}

/** Every state type plus "no state" (Prefect's `ALL_ORCHESTRATION_STATES`). */
export const ALL_STATES: readonly StateTypeOrNone[] = [...ALL_STATE_TYPES, null];

/** The terminal state types. */
export const TERMINAL_STATES: readonly StateTypeOrNone[] = [...TERMINAL_STATE_TYPES];

/** Every state type (and "no state") except the given ones. */
export function allStatesExcept(...excluded: StateTypeOrNone[]): StateTypeOrNone[] {
  return ALL_STATES.filter((t) => !excluded.includes(t));
}

export { StateType };

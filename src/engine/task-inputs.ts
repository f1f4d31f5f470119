/**
 * Resolving a task's arguments: futures (also inside arrays and plain objects, one level deep)
 * are awaited and replaced by their results, and recorded as `task_inputs` — the upstream edges of
 * the run graph. An upstream that did not complete stops the task unless wrapped in `allowFailure`.
 */

import { UpstreamTaskError } from "../core/run-errors.ts";
import type { TaskRunInput } from "../core/runs.ts";
import { isAllowFailure, isFuture, type PrefectFuture } from "./futures.ts";
import type { State } from "./state.ts";

function containsFuture(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (isFuture(value) || isAllowFailure(value)) return true;
  if (Array.isArray(value)) return value.some((v) => isFuture(v) || isAllowFailure(v));
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) if (isFuture(v) || isAllowFailure(v)) return true;
  }
  return false;
}

/** Whether any argument needs resolving (the fast path skips everything below). */
export function needsResolution(args: readonly unknown[]): boolean {
  for (const a of args) if (containsFuture(a)) return true;
  return false;
}

/** Upstream task-run ids found in a value (for `task_inputs`). */
export function upstreamInputs(value: unknown): TaskRunInput[] {
  const out: TaskRunInput[] = [];
  const visit = (v: unknown) => {
    if (isFuture(v)) out.push({ input_type: "task_run", id: v.taskRunId });
    else if (isAllowFailure(v)) visit(v.value);
  };
  visit(value);
  if (Array.isArray(value)) value.forEach(visit);
  else if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    Object.values(value).forEach(visit);
  }
  return out;
}

async function resolveOne(value: unknown, allowFailed: boolean): Promise<unknown> {
  if (isAllowFailure(value)) return resolveOne(value.value, true);
  if (!isFuture(value)) return value;
  const state: State = await (value as PrefectFuture).finalState();
  if (state.isCompleted()) return state.result();
  if (allowFailed) return state.result({ raiseOnFailure: false }).catch((e: unknown) => e);
  throw new UpstreamTaskError(
    `Upstream task run '${value.taskRunId}' did not reach a 'COMPLETED' state.`,
  );
}

/** Await the futures in one argument and return the argument with their results in place. */
export async function resolveArgument(value: unknown): Promise<unknown> {
  if (!containsFuture(value)) return value;
  if (isFuture(value) || isAllowFailure(value)) return resolveOne(value, false);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveOne(v, false)));
  const entries = await Promise.all(
    Object.entries(value as Record<string, unknown>).map(
      async ([k, v]) => [k, await resolveOne(v, false)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/** Wait for `waitFor` futures; throw if one did not complete (unless wrapped in allowFailure). */
export async function awaitWaitFor(waitFor: readonly unknown[]): Promise<void> {
  for (const w of waitFor) await resolveOne(w, false);
}

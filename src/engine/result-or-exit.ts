import { TerminationSignal } from "../core/run-errors.ts";
import { isTerminating, untilTerminated } from "./process-runtime.ts";
import type { State } from "./state.ts";

/** The state's result — unless a SIGTERM/SIGINT crashed the run, then wait for the process to exit. */
export function resultOrExit<T>(state: State<T>): T | Promise<T> {
  // the common case without another promise: a completed state holding its result
  if (state.type === "COMPLETED" && state.hasData()) return state.data as T;
  if (state.data instanceof TerminationSignal && isTerminating()) return untilTerminated();
  return state.result();
}

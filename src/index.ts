/**
 * Prefect TS: write flows and tasks as plain TypeScript functions; every run is orchestrated,
 * retried and recorded — in a local SQLite database by default, no server needed.
 *
 * @example
 * import { flow, task } from "prefect-ts";
 * const add = task(async (a: number, b: number) => a + b);
 * const main = flow({ name: "main" }, async () => add(1, 2));
 * console.log(await main());
 *
 * @module
 */
import { installLogPrints } from "./sdk/log-prints.ts";

installLogPrints();

export { createClient } from "./client/get-client.ts";
export type { PrefectClient } from "./client/prefect-client.ts";
export { ErrorCode, isPrefectTsError, PrefectTsError } from "./core/errors.ts";
export type { FlowRun, LogRecord, TaskRun } from "./core/runs.ts";
export type { StateRecord } from "./core/state.ts";
export { StateType, TERMINAL_STATE_TYPES } from "./core/state-types.ts";
export type { RunLogger } from "./engine/logging.ts";
export { shutdownRuntime } from "./engine/process-runtime.ts";
export { TaskRunner } from "./engine/task-runner.ts";
export { getRunContext, type RunContext } from "./sdk/context.ts";
export {
  Abort,
  CancelledRun,
  CrashedRun,
  FailedRun,
  MissingContextError,
  MissingResultError,
  ParameterValidationError,
  RunTimeoutError,
  TerminationSignal,
  UpstreamTaskError,
} from "./sdk/errors.ts";
export { type Flow, type FlowOptions, flow } from "./sdk/flow.ts";
export {
  allowFailure,
  asCompleted,
  isFuture,
  PrefectFuture,
  PrefectFutureList,
  unmapped,
  wait,
} from "./sdk/futures.ts";
export { getRunLogger } from "./sdk/get-run-logger.ts";
export { runtime } from "./sdk/runtime.ts";
export { isState, State, type StateOptions } from "./sdk/state.ts";
export {
  AwaitingConcurrencySlot,
  AwaitingRetry,
  Cached,
  Cancelled,
  Cancelling,
  Completed,
  Crashed,
  Failed,
  Late,
  Paused,
  Pending,
  Rerunning,
  Resuming,
  Retrying,
  RolledBack,
  Running,
  Scheduled,
  Suspended,
  TimedOut,
} from "./sdk/state-constructors.ts";
export { type MapArg, type Task, type TaskArg, type TaskOptions, task } from "./sdk/task.ts";

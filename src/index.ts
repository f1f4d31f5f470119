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

export { flow, type Flow, type FlowOptions } from "./sdk/flow.ts";
export { task, type Task, type TaskOptions, type TaskArg, type MapArg } from "./sdk/task.ts";
export {
  PrefectFuture,
  PrefectFutureList,
  wait,
  asCompleted,
  allowFailure,
  unmapped,
  isFuture,
} from "./sdk/futures.ts";
export { State, isState, type StateOptions } from "./sdk/state.ts";
export {
  Scheduled,
  Late,
  AwaitingRetry,
  AwaitingConcurrencySlot,
  Resuming,
  Pending,
  Running,
  Retrying,
  Rerunning,
  Paused,
  Suspended,
  Cancelling,
  Cancelled,
  Completed,
  Cached,
  RolledBack,
  Failed,
  TimedOut,
  Crashed,
} from "./sdk/state-constructors.ts";
export { StateType, TERMINAL_STATE_TYPES } from "./core/state-types.ts";
export { getRunContext, type RunContext } from "./sdk/context.ts";
export { runtime } from "./sdk/runtime.ts";
export { getRunLogger } from "./sdk/get-run-logger.ts";
export type { RunLogger } from "./engine/logging.ts";
export { TaskRunner } from "./engine/task-runner.ts";
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
export { PrefectTsError, isPrefectTsError, ErrorCode } from "./core/errors.ts";
export { createClient } from "./client/get-client.ts";
export type { PrefectClient } from "./client/prefect-client.ts";
export type { FlowRun, TaskRun, LogRecord } from "./core/runs.ts";
export type { StateRecord } from "./core/state.ts";
export { shutdownRuntime } from "./engine/process-runtime.ts";

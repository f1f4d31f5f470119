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

export { hashObjects } from "./caching/hash-inputs.ts";
export {
  type CacheKeyContext,
  type CacheKeyFn,
  CacheKeyFnPolicy,
  CachePolicy,
  DEFAULT,
  FLOW_PARAMETERS,
  INPUTS,
  NO_CACHE,
  RUN_ID,
  TASK_SOURCE,
} from "./caching/policies.ts";
export { createClient, getClient } from "./client/get-client.ts";
export type { PrefectClient } from "./client/prefect-client.ts";
export type { Artifact, ArtifactCollection } from "./core/artifacts.ts";
export type { BlockDocument, BlockSchema, BlockType } from "./core/blocks.ts";
export {
  ConcurrencyRequestError,
  ConcurrencySlotsUnavailableError,
} from "./core/concurrency.ts";
export { ErrorCode, isPrefectTsError, PrefectTsError } from "./core/errors.ts";
export {
  Abort,
  CancelledRun,
  CrashedRun,
  FailedRun,
  FlowRunCancellation,
  MissingContextError,
  MissingResultError,
  ParameterValidationError,
  RunTimeoutError,
  TerminationSignal,
  UpstreamTaskError,
} from "./core/run-errors.ts";
export type { FlowRun, LogRecord, TaskRun } from "./core/runs.ts";
export type { StateRecord } from "./core/state.ts";
export { StateType, TERMINAL_STATE_TYPES } from "./core/state-types.ts";
export type { Variable, VariableValue } from "./core/variables.ts";
export { getRunContext, type RunContext } from "./engine/context.ts";
export {
  allowFailure,
  asCompleted,
  isFuture,
  PrefectFuture,
  PrefectFutureList,
  unmapped,
  wait,
} from "./engine/futures.ts";
export type { RunLogger } from "./engine/logging.ts";
export { shutdownRuntime } from "./engine/process-runtime.ts";
export { isState, State, type StateOptions } from "./engine/state.ts";
export { TaskRunner } from "./engine/task-runner.ts";
export {
  LockError,
  ResultStorageError,
  SerializationError,
  TransactionError,
} from "./results/errors.ts";
export type { ResultRecordMetadata } from "./results/result-record.ts";
export { defaultResultStorage, ResultStore } from "./results/result-store.ts";
export {
  CompressedSerializer,
  JsonSerializer,
  RichJsonSerializer,
  resolveSerializer,
  type Serializer,
} from "./results/serializers.ts";
export type { ResultStorage } from "./results/storage.ts";
export {
  type ArtifactOptions,
  createImageArtifact,
  createLinkArtifact,
  createMarkdownArtifact,
  createProgressArtifact,
  createTableArtifact,
  type Table,
  updateProgressArtifact,
} from "./sdk/artifacts.ts";
export {
  Asset,
  type AssetLike,
  type AssetProperties,
  addAssetMetadata,
  type MaterializeOptions,
  type MaterializingTask,
  materialize,
  type TaskAssetOptions,
  validateAssetKey,
} from "./sdk/assets/index.ts";
export { Block, type BlockOptions, type DefinedBlock } from "./sdk/blocks/block.ts";
export { SecretValue } from "./sdk/blocks/secret-value.ts";
export {
  CustomWebhookNotificationBlock,
  DateTimeBlock,
  JSONBlock,
  LocalFileSystem,
  Secret,
  SlackWebhook,
  StringBlock,
  Webhook,
} from "./sdk/blocks/system-blocks.ts";
export {
  type ConcurrencyOptions,
  concurrency,
  type HeldSlots,
  type RateLimitOptions,
  rateLimit,
} from "./sdk/concurrency.ts";
export { type Flow, type FlowOptions, flow } from "./sdk/flow.ts";
export { getRunLogger } from "./sdk/get-run-logger.ts";
export { type RunDeploymentOptions, runDeployment } from "./sdk/run-deployment.ts";
export { runtime } from "./sdk/runtime.ts";
export {
  type DeploymentOptions,
  type RunnerDeployment,
  type RunnerOptions,
  type ScheduleOption,
  type ServeOptions,
  serve,
} from "./sdk/serve.ts";
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
export { type VariableSetOptions, variables } from "./sdk/variables.ts";
export { IsolationLevel } from "./transactions/isolation.ts";
export { FileSystemLockManager } from "./transactions/lock-managers/file-system-lock-manager.ts";
export type { LockManager } from "./transactions/lock-managers/lock-manager.ts";
export { MemoryLockManager } from "./transactions/lock-managers/memory-lock-manager.ts";
export { RedisLockManager } from "./transactions/lock-managers/redis-lock-manager.ts";
export {
  CommitMode,
  getTransaction,
  Transaction,
  type TransactionHook,
  type TransactionOptions,
  transaction,
} from "./transactions/transaction.ts";

/**
 * Run context through AsyncLocalStorage: inside a flow or task body, `getRunContext()` tells which
 * flow run and task run the code belongs to; the engine also keeps its per-run machinery here.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { PrefectClient } from "../client/prefect-client.ts";
import type { FlowRun, TaskRun } from "../core/runs.ts";
import type { ResultStore } from "../results/result-store.ts";
import { consoleLogger, type RunLogger } from "./logging.ts";
import type { ResumeLedger } from "./resume-ledger.ts";
import type { RunRecorder } from "./run-recorder.ts";
import type { TaskRunner } from "./task-runner.ts";

/** A running task run, as the flow engine sees it (to crash it on SIGTERM). */
export interface RunningTask {
  crash(message: string): void;
  cancel(message: string): void;
}

/** What the engine keeps for a running flow run. */
export interface FlowRunScope {
  readonly flowName: string;
  readonly flowRun: FlowRun;
  readonly client: PrefectClient;
  readonly recorder: RunRecorder;
  readonly taskRunner: TaskRunner;
  readonly logger: RunLogger;
  readonly logPrints: boolean;
  readonly parameters: Record<string, unknown>;
  /** Aborted when the run times out or the process is told to stop. */
  readonly signal: AbortSignal;
  /** Work started in this flow run that must settle before it finishes. */
  readonly pending: Set<Promise<unknown>>;
  /** Task runs executing now (crashed if the process is told to stop). */
  readonly runningTasks: Set<RunningTask>;
  /** Task runs completed in this flow run, reusable by a later attempt of it. */
  readonly resume: ResumeLedger;
  /** The flow's result store when it names a storage or serializer (its tasks inherit it). */
  readonly resultStore: (() => ResultStore) | null;
}

/** What the engine keeps for a running task run. */
export interface TaskRunScope {
  readonly taskName: string;
  readonly taskRun: TaskRun;
  readonly logger: RunLogger;
  readonly logPrints: boolean;
  readonly parameters: Record<string, unknown>;
  readonly signal: AbortSignal;
}

export interface RunScope {
  flow: FlowRunScope | null;
  task: TaskRunScope | null;
}

export const runScope = new AsyncLocalStorage<RunScope>();

/** The run context of the calling code, as Prefect's `get_run_context()`. */
export interface RunContext {
  /** The flow run this code belongs to (the parent flow run inside a task). */
  flowRun: FlowRun | null;
  /** The task run, inside a task. */
  taskRun: TaskRun | null;
  flowName: string | null;
  taskName: string | null;
  parameters: Record<string, unknown>;
  /** Aborted when the run times out or the process receives SIGTERM/SIGINT. */
  signal: AbortSignal | null;
}

/** The current run context, or `null` outside any flow or task run. */
export function getRunContext(): RunContext | null {
  const scope = runScope.getStore();
  if (!scope || (!scope.flow && !scope.task)) return null;
  return {
    flowRun: scope.flow?.flowRun ?? null,
    taskRun: scope.task?.taskRun ?? null,
    flowName: scope.flow?.flowName ?? null,
    taskName: scope.task?.taskName ?? null,
    parameters: scope.task?.parameters ?? scope.flow?.parameters ?? {},
    signal: scope.task?.signal ?? scope.flow?.signal ?? null,
  };
}

/** The logger of the current task or flow run, or the console's (INFO) outside any run. */
export function currentRunLogger(): RunLogger {
  const scope = runScope.getStore();
  return scope?.task?.logger ?? scope?.flow?.logger ?? consoleLogger(20);
}

import type { TaskRun } from "../core/runs.ts";
import type { State } from "../sdk/state.ts";
import type { TaskResults } from "./task-results.ts";

/** A task hook: `(task, taskRun, state)`, as Prefect's task state hooks. */
export type TaskHook = (task: TaskSpec, taskRun: TaskRun, state: State) => unknown;

/** Everything the task engine needs to know about a task (the SDK's `Task` carries it). */
export interface TaskSpec {
  readonly name: string;
  readonly taskKey: string;
  readonly version: string | null;
  readonly description: string | null;
  readonly fn: (...args: never[]) => unknown;
  readonly paramNames: readonly string[];
  readonly tags: readonly string[];
  readonly retries: number;
  readonly retryDelaySeconds: number | readonly number[] | null;
  readonly retryJitterFactor: number | null;
  readonly retryConditionFn:
    | ((task: TaskSpec, taskRun: TaskRun, state: State) => boolean | Promise<boolean>)
    | null;
  readonly timeoutSeconds: number | null;
  readonly logPrints: boolean | null;
  readonly taskRunName: string | ((parameters: Record<string, unknown>) => string) | null;
  readonly onCompletion: readonly TaskHook[];
  readonly onFailure: readonly TaskHook[];
  readonly onRunning: readonly TaskHook[];
  /** Results, caching and transaction hooks; null for a plain task (the engine's fast path). */
  readonly results: TaskResults | null;
  /** Reuse this task's result when its flow run is attempted again (default true). */
  readonly resume: boolean;
}

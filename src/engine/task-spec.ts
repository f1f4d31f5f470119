import type { CacheKeyFn, CachePolicy } from "../caching/policies.ts";
import type { Asset } from "../core/assets.ts";
import type { TaskRun } from "../core/runs.ts";
import type { ResultStore } from "../results/result-store.ts";
import type { SerializerLike } from "../results/serializers.ts";
import type { ResultStorage } from "../results/storage.ts";
import type { IsolationLevel } from "../transactions/isolation.ts";
import type { TransactionHook } from "../transactions/transaction.ts";
import type { State } from "./state.ts";

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
  /** The assets its runs materialize (`materialize()`); none for a plain task. */
  readonly assets?: readonly Asset[];
  /** Upstream assets its runs depend on, besides those their inputs carry (`assetDeps`). */
  readonly assetDeps?: readonly Asset[];
  /** The tool that materializes the assets (`materialize(…, { by: "dbt" })`). */
  readonly materializedBy?: string | null;
}

/** The result and cache options of a task, as given. */
export interface TaskResultOptions {
  persistResult?: boolean;
  resultStorage?: ResultStorage | string;
  resultSerializer?: SerializerLike;
  resultStorageKey?: string;
  cachePolicy?: CachePolicy;
  cacheKeyFn?: CacheKeyFn;
  cacheExpiration?: number;
  refreshCache?: boolean;
  cacheResultInMemory?: boolean;
  onCommit?: TransactionHook[];
  onRollback?: TransactionHook[];
  /** Reuse this task's result on a retried attempt of its flow run (default true). */
  resume?: boolean;
}

/** Resolved once per task: null when the task takes the plain path. */
export interface TaskResults {
  readonly persist: boolean;
  readonly cachePolicy: CachePolicy | null;
  readonly storageKey: string | null;
  readonly expiration: number | null;
  readonly refresh: boolean;
  readonly isolationLevel: IsolationLevel | null;
  readonly onCommit: readonly TransactionHook[];
  readonly onRollback: readonly TransactionHook[];
  /** The task's store; the flow's (`inherit`) when the task names no storage of its own. */
  store(inherit?: (() => ResultStore) | null): ResultStore;
}

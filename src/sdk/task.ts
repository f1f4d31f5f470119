/**
 * `task(fn)` / `task(options, fn)`: a function whose every call is a recorded task run, with
 * retries, timeouts, hooks, `.submit()` → future and `.map()` over iterables.
 *
 * @example
 * const fetchPage = task({ name: "fetch-page", retries: 3, retryDelaySeconds: [1, 5, 10] },
 *   async (url: string) => (await fetch(url)).status);
 */

import { createHash } from "node:crypto";
import { uuid7 } from "../core/ids.ts";
import type { TaskRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { runScope } from "../engine/context.ts";
import {
  type AllowFailure,
  isFuture,
  isUnmapped,
  PrefectFuture,
  PrefectFutureList,
  type Unmapped,
} from "../engine/futures.ts";
import { parameterNames } from "../engine/parameters.ts";
import { State } from "../engine/state.ts";
import { runTask, runTaskForResult } from "../engine/task-engine.ts";
import { resolveTaskResults } from "../engine/task-results.ts";
import type { TaskHook, TaskResultOptions, TaskSpec } from "../engine/task-spec.ts";
import { loadSettings } from "../settings/settings.ts";
import {
  type MaterializeAssetOptions,
  type TaskAssetOptions,
  taskAssetFields,
} from "./assets/task-assets.ts";
import { checkRetryOptions } from "./option-checks.ts";

/** An argument may also be a future of its type (or an `allowFailure` of one). */
export type TaskArg<T> = T | PrefectFuture<T> | AllowFailure<PrefectFuture<T>>;
export type TaskArgs<A extends readonly unknown[]> = { [K in keyof A]: TaskArg<A[K]> };
/** A `.map()` argument: an array to map over, or a value passed whole (`unmapped()` for arrays). */
export type MapArg<T> = readonly TaskArg<T>[] | Unmapped<T> | T;
export type MapArgs<A extends readonly unknown[]> = { [K in keyof A]: MapArg<A[K]> };

export interface TaskOptions<A extends readonly unknown[] = unknown[], R = unknown>
  extends TaskResultOptions,
    TaskAssetOptions {
  /** Defaults to the function's name. */
  name?: string;
  description?: string;
  version?: string;
  tags?: string[];
  /** `"fetch-{url}"` (filled from parameters) or a function of the parameters. */
  taskRunName?: string | ((parameters: Record<string, unknown>) => string);
  /** How many times to retry on failure (default `PREFECT_TASK_DEFAULT_RETRIES`, 0). */
  retries?: number;
  /** Seconds before each retry: one number, or one per retry (last reused). */
  retryDelaySeconds?: number | number[];
  /** Randomise delays by up to this factor (0.3 → about 0.75×…1.3×). */
  retryJitterFactor?: number;
  /** Retry only when this returns true. */
  retryConditionFn?: (
    task: Task<A, R>,
    taskRun: TaskRun,
    state: State,
  ) => boolean | Promise<boolean>;
  /** Fail the run `TimedOut` after this many seconds. */
  timeoutSeconds?: number;
  /** Capture `console.log` inside the task as run logs (default: inherit from the flow). */
  logPrints?: boolean;
  onCompletion?: TaskHook[];
  onFailure?: TaskHook[];
  onRunning?: TaskHook[];
  /** Calls resolve to the final `State` instead of the result. */
  returnState?: boolean;
  /** Futures every run of this task waits for (without taking their results). */
  waitFor?: readonly unknown[];
}

export interface Task<A extends readonly unknown[] = unknown[], R = unknown> extends TaskSpec {
  /** Run the task now and wait for its result (throws its error if it fails). */
  (...args: TaskArgs<A>): Promise<R>;
  /** Submit to the flow's task runner; the future resolves when the run finishes. */
  submit(...args: TaskArgs<A>): PrefectFuture<R>;
  /** Submit one run per element of the array arguments. Awaitable as the array of results. */
  map(...args: MapArgs<A>): PrefectFutureList<R>;
  /** Run now and resolve with the final state, whatever it is. */
  callWithState(...args: TaskArgs<A>): Promise<State<R>>;
  /** A copy of this task with some options changed. */
  withOptions(options: TaskOptions<A, R>): Task<A, R>;
  /** A copy whose runs first wait for these futures. */
  waitFor(futures: readonly unknown[]): Task<A, R>;
  readonly options: Readonly<TaskOptions<A, R>>;
}

type Fn<A extends readonly unknown[], R> = (...args: A) => R | Promise<R>;

function makeTask<A extends readonly unknown[], R>(
  options: TaskOptions<A, R>,
  fn: Fn<A, R>,
): Task<A, R> {
  const name = options.name ?? (fn.name || "task");
  checkRetryOptions(`task '${name}'`, options);
  const source = Function.prototype.toString.call(fn);
  const settings = loadSettings();
  const spec: Omit<TaskSpec, "name"> = {
    taskKey: `${name}-${createHash("sha256").update(source).digest("hex").slice(0, 8)}`,
    version: options.version ?? null,
    description: options.description ?? null,
    fn: fn as unknown as TaskSpec["fn"],
    paramNames: parameterNames(fn as unknown as TaskSpec["fn"]),
    tags: options.tags ?? [],
    retries: options.retries ?? settings.taskDefaultRetries,
    retryDelaySeconds: options.retryDelaySeconds ?? (settings.taskDefaultRetryDelaySeconds || null),
    retryJitterFactor: options.retryJitterFactor ?? null,
    retryConditionFn: (options.retryConditionFn as TaskSpec["retryConditionFn"]) ?? null,
    timeoutSeconds: options.timeoutSeconds ?? null,
    logPrints: options.logPrints ?? null,
    taskRunName: options.taskRunName ?? null,
    onCompletion: options.onCompletion ?? [],
    onFailure: options.onFailure ?? [],
    onRunning: options.onRunning ?? [],
    results: resolveTaskResults(options, settings),
    resume: options.resume ?? true,
    ...taskAssetFields(options as MaterializeAssetOptions),
  };
  const waitFor = options.waitFor;
  const callOptions = { waitFor };
  const callWithState = (...args: unknown[]) =>
    runTask(task, args, callOptions) as Promise<State<R>>;
  const call = options.returnState
    ? callWithState
    : (...args: unknown[]): Promise<unknown> => runTaskForResult(task, args, callOptions);
  const submit = (...args: unknown[]): PrefectFuture<R> => {
    const id = uuid7();
    const observer: { current: State | null } = { current: null };
    const flowScope = runScope.getStore()?.flow;
    const start = () => runTask(task, args, { waitFor, taskRunId: id, observer });
    // one reaction settles everything: the future, the flow's pending set, and a crash of the
    // runner itself (runTask never rejects)
    let future: PrefectFuture<R> | null = null;
    const settle = (state: State<R>): State<R> => {
      if (flowScope) flowScope.pending.delete(final);
      future?.settle(state);
      return state;
    };
    const final: Promise<State<R>> = (
      (flowScope ? flowScope.taskRunner.run(start) : start()) as Promise<State<R>>
    ).then(settle, (error: unknown) =>
      settle(
        new State(StateType.CRASHED, {
          name: "Crashed",
          message: String(error),
          data: error,
        }) as State<R>,
      ),
    );
    if (flowScope) flowScope.pending.add(final);
    future = new PrefectFuture<R>(id, final, () => observer.current as State<R> | null);
    return future;
  };
  const map = (...args: unknown[]): PrefectFutureList<R> => {
    let length: number | null = null;
    for (const a of args) {
      if (Array.isArray(a) && !isUnmapped(a)) {
        if (length !== null && a.length !== length) {
          throw new RangeError(
            `map() received iterables of different lengths (${length} and ${a.length})`,
          );
        }
        length = a.length;
      }
    }
    if (length === null) throw new TypeError("map() needs at least one array argument to map over");
    const futures: PrefectFuture<R>[] = [];
    for (let i = 0; i < length; i++) {
      futures.push(
        submit(...args.map((a) => (isUnmapped(a) ? a.value : Array.isArray(a) ? a[i] : a))),
      );
    }
    return PrefectFutureList.from_(futures);
  };
  const task = Object.assign(call, spec, {
    submit,
    map,
    callWithState,
    withOptions: (more: TaskOptions<A, R>) => makeTask<A, R>({ ...options, ...more }, fn),
    waitFor: (futures: readonly unknown[]) => makeTask<A, R>({ ...options, waitFor: futures }, fn),
    options,
  }) as unknown as Task<A, R>;
  Object.defineProperty(task, "name", { value: name });
  return task;
}

/** Turn a function into a task. */
export function task<A extends readonly unknown[], R>(fn: Fn<A, R>): Task<A, Awaited<R>>;
export function task<A extends readonly unknown[], R>(
  options: TaskOptions<A, Awaited<R>>,
  fn: Fn<A, R>,
): Task<A, Awaited<R>>;
export function task<A extends readonly unknown[], R>(
  a: TaskOptions<A, Awaited<R>> | Fn<A, R>,
  b?: Fn<A, R>,
): Task<A, Awaited<R>> {
  if (typeof a === "function") return makeTask<A, Awaited<R>>({}, a as Fn<A, Awaited<R>>);
  if (typeof b !== "function")
    throw new TypeError("task(options, fn) needs a function as its second argument");
  return makeTask<A, Awaited<R>>(a, b as Fn<A, Awaited<R>>);
}

export { isFuture };

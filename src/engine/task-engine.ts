/**
 * The task engine: task runs are orchestrated here, in the calling process, as Prefect 3 does.
 * Every transition (Pending → Running → Completed, retries through AwaitingRetry/Retrying, Failed,
 * TimedOut, Crashed) is decided locally, with the bookkeeping the server's global transforms
 * would do, and queued on the write queue — no round trip or commit per task.
 */
import { tagLimitName } from "../core/concurrency.ts";
import { uuid4, uuid7 } from "../core/ids.ts";
import { retryDelaySeconds } from "../core/retry-delay.ts";
import {
  FlowRunCancellation,
  RunTimeoutError,
  TerminationSignal,
  UpstreamTaskError,
} from "../core/run-errors.ts";
import {
  defaultTaskRunPolicy,
  type TaskRun,
  type TaskRunInput,
  type TaskRunPolicy,
} from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { addSeconds, nowIso } from "../core/time.ts";
import { hasOpenTransactions } from "../transactions/transaction.ts";
import { beginTaskAssets, type TaskAssetRun, touchesAssets } from "./assets.ts";
import { acquireConcurrencySlots, type HeldSlots } from "./concurrency-slots.ts";
import { type RunScope, runScope, type TaskRunScope } from "./context.ts";
import { isFuture } from "./futures.ts";
import { runStateHooks } from "./hooks.ts";
import { RunLogger } from "./logging.ts";
import { bindParameters, formatRunName } from "./parameters.ts";
import { getRuntime } from "./process-runtime.ts";
import { resultOrExit } from "./result-or-exit.ts";
import type { RunRecorder } from "./run-recorder.ts";
import { isState, State } from "./state.ts";
import { awaitWaitFor, needsResolution, resolveArgument, upstreamInputs } from "./task-inputs.ts";
import { TaskResultsRun } from "./task-results.ts";
import type { TaskHook, TaskSpec } from "./task-spec.ts";

export interface TaskCallOptions {
  /** Futures this run must wait for without taking their results. */
  waitFor?: readonly unknown[];
  /** Pre-chosen id (so a future can name its run before it starts). */
  taskRunId?: string;
  /** Kept up to date with the run's latest state (what `future.state` reads). */
  observer?: { current: State | null };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Sleep that ends early when `signal` aborts. */
function sleep(seconds: number, signal: AbortSignal | null): Promise<void> {
  if (seconds <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, seconds * 1000);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

class TaskRunExecution {
  readonly task: TaskSpec;
  readonly run: TaskRun;
  readonly recorder: RunRecorder;
  readonly logger: RunLogger;
  readonly parentScope: RunScope | undefined;
  readonly parameters: Record<string, unknown>;
  observer: { current: State | null } | null = null;
  current: State | null = null;
  runningSince = 0;
  crashed = false;
  /** What the run materializes or carries of assets (`assets.ts`); null for most runs. */
  assets: TaskAssetRun | null = null;

  constructor(
    task: TaskSpec,
    run: TaskRun,
    recorder: RunRecorder,
    logLevel: number,
    parentScope: RunScope | undefined,
    parameters: Record<string, unknown>,
  ) {
    this.task = task;
    this.run = run;
    this.recorder = recorder;
    this.parentScope = parentScope;
    this.parameters = parameters;
    this.logger = new RunLogger({
      name: "prefect.task_runs",
      prefix: `Task run '${run.name}' - `,
      flowRunId: run.flow_run_id,
      taskRunId: run.id,
      level: logLevel,
      shipper: recorder,
    });
  }

  /** Apply the global bookkeeping a server would, then queue the transition. */
  propose(state: State): void {
    const run = this.run;
    const ts = state.timestamp;
    const now = performance.now();
    const prev = this.current;
    if (prev?.type === StateType.RUNNING) run.total_run_time += (now - this.runningSince) / 1000;
    state.stateDetails.task_run_id = run.id;
    state.stateDetails.flow_run_id = run.flow_run_id;
    if (state.type === StateType.RUNNING) {
      run.run_count += 1;
      if (run.start_time === null) run.start_time = ts;
      this.runningSince = now;
      const flowRun = this.parentScope?.flow?.flowRun;
      if (flowRun) run.flow_run_run_count = flowRun.run_count;
    }
    if (state.type === StateType.SCHEDULED) {
      run.next_scheduled_start_time = state.stateDetails.scheduled_time;
    } else if (prev?.type === StateType.SCHEDULED) {
      run.next_scheduled_start_time = null;
    }
    if (state.isFinal()) {
      if (run.end_time === null) run.end_time = ts;
      if (run.start_time === null) run.start_time = ts;
    }
    if (run.expected_start_time === null) run.expected_start_time = ts;
    const record = state.toRecord();
    run.state_id = state.id;
    run.state_type = state.type;
    run.state_name = state.name;
    run.state_timestamp = ts;
    run.updated = ts;
    run.state = record;
    this.current = state;
    if (this.observer) this.observer.current = state;
    this.recorder.recordTaskRun(run, record);
  }

  crash(message: string): void {
    if (this.crashed || this.current?.isFinal()) return;
    this.crashed = true;
    this.propose(new State(StateType.CRASHED, { message, name: "Crashed" }));
  }

  /** Its flow run was cancelled: the task run ends Cancelled (its body stops with the process). */
  cancel(message: string): void {
    if (this.crashed || this.current?.isFinal()) return;
    this.crashed = true;
    this.propose(new State(StateType.CANCELLED, { message, name: "Cancelled" }));
  }

  runHooks(hooks: readonly TaskHook[], state: State): Promise<void> {
    return runStateHooks(this.logger, hooks, state, (hook) => hook(this.task, this.run, state));
  }

  /** Call the body in its context (no extra promise unless there is a timeout to race). */
  callBody(args: unknown[], scope: RunScope, signal: AbortSignal | null): unknown {
    const fn = this.task.fn as (...a: unknown[]) => unknown;
    const timeout = this.task.timeoutSeconds;
    if (timeout === null) return runScope.run(scope, () => fn(...args));
    return this.callBodyWithTimeout(fn, timeout, args, scope, signal);
  }

  async callBodyWithTimeout(
    fn: (...a: unknown[]) => unknown,
    timeout: number,
    args: unknown[],
    scope: RunScope,
    signal: AbortSignal | null,
  ): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const controller = new AbortController();
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new RunTimeoutError(`Task run exceeded timeout of ${timeout} second(s)`));
      }, timeout * 1000);
    });
    const onParentAbort = () => controller.abort();
    signal?.addEventListener("abort", onParentAbort, { once: true });
    try {
      const taskScope = scope.task as TaskRunScope;
      const inner: RunScope = {
        flow: scope.flow,
        task: { ...taskScope, signal: controller.signal },
      };
      return await Promise.race([runScope.run(inner, () => fn(...args)), limit]);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onParentAbort);
    }
  }
}

function taskRunName(task: TaskSpec, parameters: Record<string, unknown>, suffix: string): string {
  const custom = task.taskRunName;
  if (typeof custom === "function") return custom(parameters);
  if (typeof custom === "string") return formatRunName(custom, parameters);
  return `${task.name}-${suffix}`;
}

/** Per-task values every run of the task shares (frozen, so storage serialises them once). */
interface SharedRunValues {
  policy: TaskRunPolicy;
  tags: string[];
  labels: Record<string, unknown>;
  /** `task_inputs` without upstreams, by the parameter names of a call (joined). */
  noUpstreams: Map<string, Record<string, TaskRunInput[]>>;
}

const NO_INPUTS = Object.freeze([]) as unknown as TaskRunInput[];

function noUpstreams(shared: SharedRunValues, parameters: Record<string, unknown>) {
  const names = Object.keys(parameters);
  const key = names.join("\u0000");
  let inputs = shared.noUpstreams.get(key);
  if (!inputs) {
    inputs = Object.freeze(Object.fromEntries(names.map((n) => [n, NO_INPUTS]))) as Record<
      string,
      TaskRunInput[]
    >;
    shared.noUpstreams.set(key, inputs);
  }
  return inputs;
}
const sharedValues = new WeakMap<TaskSpec, SharedRunValues>();
const NO_LABELS = Object.freeze({}) as Record<string, unknown>;

function sharedOf(task: TaskSpec): SharedRunValues {
  let shared = sharedValues.get(task);
  if (!shared) {
    const policy = defaultTaskRunPolicy();
    policy.retries = task.retries;
    const delay = task.retryDelaySeconds;
    policy.retry_delay = delay === null || typeof delay === "number" ? delay : [...delay];
    policy.retry_jitter_factor = task.retryJitterFactor;
    shared = {
      policy: Object.freeze(policy) as TaskRunPolicy,
      tags: Object.freeze([...task.tags]) as string[],
      labels: NO_LABELS,
      noUpstreams: new Map(),
    };
    sharedValues.set(task, shared);
  }
  return shared;
}

const dynamicKeys = new WeakMap<object, Map<string, number>>();

/**
 * The next dynamic key of `taskKey` within a flow run (`owner`, its scope): `"0"`, `"1"`, … per
 * task key, as Prefect counts them; a run outside any flow run gets a UUID.
 */
export function nextDynamicKey(owner: object | null, taskKey: string): string {
  if (!owner) return uuid4();
  let keys = dynamicKeys.get(owner);
  if (!keys) {
    keys = new Map();
    dynamicKeys.set(owner, keys);
  }
  const n = keys.get(taskKey) ?? 0;
  keys.set(taskKey, n + 1);
  return String(n);
}

/** Continue the dynamic keys of a flow run from the task runs an earlier process recorded. */
export function seedDynamicKeys(
  owner: object,
  taskRuns: readonly { task_key: string; dynamic_key: string }[],
): void {
  let keys = dynamicKeys.get(owner);
  if (!keys) {
    keys = new Map();
    dynamicKeys.set(owner, keys);
  }
  for (const r of taskRuns) {
    const n = Number(r.dynamic_key);
    if (Number.isInteger(n) && n + 1 > (keys.get(r.task_key) ?? 0)) keys.set(r.task_key, n + 1);
  }
}

/** Run one task run to its final state. Never rejects: the final state carries the outcome. */
export function runTask(
  task: TaskSpec,
  rawArgs: readonly unknown[],
  options: TaskCallOptions = {},
): Promise<State> {
  return startInScope(task, rawArgs, options, false) as Promise<State>;
}

/**
 * Run one task run and resolve with its result, or reject with its error (what calling a task
 * does). The engine unwraps the final state itself: no extra promise and reaction per call.
 */
export function runTaskForResult(
  task: TaskSpec,
  rawArgs: readonly unknown[],
  options: TaskCallOptions = {},
): Promise<unknown> {
  return startInScope(task, rawArgs, options, true);
}

/** The state itself, or (`unwrap`) its result as a task call returns it. */
function outcome(state: State, unwrap: boolean): unknown {
  return unwrap ? resultOrExit(state) : state;
}

function startInScope(
  task: TaskSpec,
  rawArgs: readonly unknown[],
  options: TaskCallOptions,
  unwrap: boolean,
): Promise<unknown> {
  const parentScope = runScope.getStore();
  const flowScope = parentScope?.flow;
  // a task called in a cancelled flow run does not run: the call throws, which ends the body
  const reason = flowScope?.signal.reason;
  if (reason instanceof FlowRunCancellation)
    return unwrap
      ? Promise.reject(reason)
      : Promise.resolve(new State(StateType.CANCELLED, { message: reason.message, data: reason }));
  if (flowScope)
    return startTask(
      task,
      rawArgs,
      options,
      parentScope,
      flowScope.recorder,
      flowScope.logger.level,
      unwrap,
    );
  return getRuntime().then((rt) =>
    startTask(task, rawArgs, options, parentScope, rt.recorder, rt.logLevel, unwrap),
  );
}

function startTask(
  task: TaskSpec,
  rawArgs: readonly unknown[],
  options: TaskCallOptions,
  parentScope: RunScope | undefined,
  recorder: RunRecorder,
  logLevel: number,
  unwrap: boolean,
): Promise<unknown> {
  const flowScope = parentScope?.flow ?? null;
  const id = options.taskRunId ?? uuid7();
  const parameters = bindParameters(task.paramNames, rawArgs);
  const resolving = needsResolution(rawArgs);
  const shared = sharedOf(task);
  let taskInputs: Record<string, TaskRunInput[]>;
  if (resolving || options.waitFor?.length) {
    taskInputs = {};
    if (resolving) {
      for (let i = 0; i < rawArgs.length; i++)
        taskInputs[task.paramNames[i] ?? `__arg${i}`] = upstreamInputs(rawArgs[i]);
    } else {
      for (const name of Object.keys(parameters)) taskInputs[name] = [];
    }
    if (options.waitFor?.length)
      taskInputs.wait_for = options.waitFor.flatMap((w) => upstreamInputs(w));
  } else {
    // no upstreams: the same frozen inputs for every run with these parameters
    taskInputs = noUpstreams(shared, parameters);
  }
  const now = nowIso();
  // the full literal (not a spread of emptyRunTimes()): one allocation, one shape, on the hot path
  const run: TaskRun = {
    id,
    created: now,
    updated: now,
    name: taskRunName(task, parameters, id.slice(-3)),
    flow_run_id: flowScope?.flowRun.id ?? null,
    task_key: task.taskKey,
    dynamic_key: nextDynamicKey(flowScope, task.taskKey),
    cache_key: null,
    cache_expiration: null,
    task_version: task.version,
    empirical_policy: shared.policy,
    tags: shared.tags,
    labels: shared.labels,
    task_inputs: taskInputs,
    flow_run_run_count: flowScope?.flowRun.run_count ?? 0,
    state_id: null,
    state_type: null,
    state_name: null,
    state_timestamp: null,
    run_count: 0,
    expected_start_time: null,
    next_scheduled_start_time: null,
    start_time: null,
    end_time: null,
    total_run_time: 0,
    state: null,
  };
  const exec = new TaskRunExecution(task, run, recorder, logLevel, parentScope, parameters);
  exec.observer = options.observer ?? null;
  exec.propose(new State(StateType.PENDING, { timestamp: now, name: "Pending" }));
  flowScope?.runningTasks.add(exec);
  return execute(exec, rawArgs, options, parentScope, resolving, unwrap);
}

/**
 * Run the task run from Pending to its final state. A call with its arguments at hand, nothing to
 * wait for, look up or take — most calls — goes straight to its attempts, without a promise of its
 * own (each costs the hooks of the run context's storage); the others go through `prepare`.
 */
function execute(
  exec: TaskRunExecution,
  rawArgs: readonly unknown[],
  options: TaskCallOptions,
  parentScope: RunScope | undefined,
  resolving: boolean,
  unwrap: boolean,
): Promise<unknown> {
  if (
    resolving ||
    options.waitFor?.length ||
    exec.run.tags.length > 0 ||
    usesResults(exec.task, parentScope)
  )
    return prepare(exec, rawArgs, options, parentScope, resolving, unwrap);
  try {
    const args = rawArgs as unknown[];
    const scope = enterScope(exec, parentScope, args);
    return attempts(exec, args, scope, parentScope?.flow?.signal ?? null, null, unwrap);
  } catch (error) {
    parentScope?.flow?.runningTasks.delete(exec);
    return Promise.reject(error);
  }
}

/** Results, caching, transactions and resume: only for tasks and flow runs that use them. */
function usesResults(task: TaskSpec, parentScope: RunScope | undefined): boolean {
  return (
    task.results !== null || parentScope?.flow?.resume.inMemory === true || hasOpenTransactions()
  );
}

/** The run scope of the task run's body, its assets begun. */
function enterScope(
  exec: TaskRunExecution,
  parentScope: RunScope | undefined,
  args: readonly unknown[],
): RunScope {
  const { task, run, logger } = exec;
  const signal = parentScope?.flow?.signal ?? null;
  const taskScope: TaskRunScope = {
    taskName: task.name,
    taskRun: run,
    logger,
    logPrints:
      task.logPrints ?? parentScope?.task?.logPrints ?? parentScope?.flow?.logPrints ?? false,
    parameters: exec.parameters,
    signal: signal ?? new AbortController().signal,
  };
  const scope: RunScope = { flow: parentScope?.flow ?? null, task: taskScope };
  if (touchesAssets(task, scope.flow)) exec.assets = beginTaskAssets(task, run, scope.flow, args);
  return scope;
}

/** What comes before the attempts: upstream results, `waitFor`, a cached result, tag slots. */
async function prepare(
  exec: TaskRunExecution,
  rawArgs: readonly unknown[],
  options: TaskCallOptions,
  parentScope: RunScope | undefined,
  resolving: boolean,
  unwrap: boolean,
): Promise<unknown> {
  const { task, run, logger } = exec;
  const signal = parentScope?.flow?.signal ?? null;
  try {
    let args: unknown[];
    try {
      if (options.waitFor?.length) await awaitWaitFor(options.waitFor);
      args = resolving ? await Promise.all(rawArgs.map(resolveArgument)) : (rawArgs as unknown[]);
    } catch (error) {
      const message = error instanceof UpstreamTaskError ? error.message : describeError(error);
      const notReady = new State(StateType.PENDING, { name: "NotReady", message, data: error });
      exec.propose(notReady);
      logger.error(`Finished in state ${notReady.toString()}`);
      return outcome(notReady, unwrap);
    }
    const scope = enterScope(exec, parentScope, args);
    const results = usesResults(task, parentScope) ? resultsRun(exec, args) : null;
    if (results !== null) {
      const reused = await beginResults(results, exec);
      if (reused !== null) return outcome(await finishReused(exec, reused), unwrap);
    }
    // tag limits, as Prefect 3's client takes them: slots of the `tag:<tag>` global limits, held
    // from Running to the final state (a tag without a limit takes nothing)
    let tagSlots: HeldSlots | null = null;
    if (run.tags.length > 0) {
      try {
        tagSlots = await takeTagSlots(exec, signal);
      } catch (error) {
        if (exec.crashed) return outcome(exec.current as State, unwrap);
        const failed = new State(StateType.FAILED, {
          name: "Failed",
          message: `Task run could not take the slots of its tag limits: ${describeError(error)}`,
          data: error,
        });
        exec.propose(failed);
        logger.error(`Finished in state ${failed.toString()}`);
        return outcome(failed, unwrap);
      }
    }
    // without slots to give back, no `finally` (an await of nothing still costs two promises)
    if (tagSlots === null) return await attempts(exec, args, scope, signal, results, unwrap);
    try {
      return await attempts(exec, args, scope, signal, results, unwrap);
    } finally {
      await tagSlots.release();
    }
  } finally {
    // the attempts end it themselves; this is for the returns and errors before them
    parentScope?.flow?.runningTasks.delete(exec);
  }
}

/**
 * Take a slot of each tag's limit for this task run, waiting (Scheduled `AwaitingConcurrencySlot`,
 * with the server's reason as its message) while any is full.
 */
const TAG_LEASE_SECONDS = 60;

function takeTagSlots(exec: TaskRunExecution, signal: AbortSignal | null): Promise<HeldSlots> {
  const { run } = exec;
  return acquireConcurrencySlots(
    run.tags.map((tag) => tagLimitName(tag)),
    {
      holder: { type: "task_run", id: run.id },
      leaseDuration: TAG_LEASE_SECONDS,
      suppressWarnings: true,
      signal: signal ?? undefined,
      onWait: (locked) => {
        exec.propose(
          new State(StateType.SCHEDULED, {
            name: "AwaitingConcurrencySlot",
            message:
              locked.detail ??
              `Waiting for a concurrency slot of tag limits ${run.tags.map((t) => `'${tagLimitName(t)}'`).join(", ")}`,
          }),
        );
      },
    },
  );
}

/** The attempts of a task run's body: Running, then its final state, retrying as configured. */
async function attempts(
  exec: TaskRunExecution,
  args: unknown[],
  scope: RunScope,
  signal: AbortSignal | null,
  results: TaskResultsRun | null,
  unwrap: boolean,
): Promise<unknown> {
  const { task, logger } = exec;
  let attempt = 0;
  let retrying = false;
  try {
    for (;;) {
      attempt++;
      const running = new State(StateType.RUNNING, { name: retrying ? "Retrying" : "Running" });
      exec.propose(running);
      exec.assets?.beginAttempt();
      if (task.onRunning.length) await exec.runHooks(task.onRunning, running);
      let final: State;
      try {
        let value = await exec.callBody(args, scope, signal);
        if (exec.crashed) return outcome(exec.current as State, unwrap);
        if (isFuture(value)) value = await value.result();
        else if (
          value !== null &&
          typeof value === "object" &&
          !isState(value) &&
          typeof (value as PromiseLike<unknown>).then === "function"
        ) {
          value = await (value as PromiseLike<unknown>);
        }
        final = isState(value)
          ? value
          : new State(StateType.COMPLETED, { name: "Completed", data: value });
      } catch (error) {
        if (exec.crashed) return outcome(exec.current as State, unwrap);
        if (error instanceof TerminationSignal) {
          final = new State(StateType.CRASHED, {
            name: "Crashed",
            message: error.message,
            data: error,
          });
        } else if (error instanceof RunTimeoutError) {
          final = new State(StateType.FAILED, {
            name: "TimedOut",
            message: error.message,
            data: error,
          });
        } else {
          final = new State(StateType.FAILED, {
            name: "Failed",
            message: `Task run encountered an exception ${describeError(error)}`,
            data: error,
          });
        }
      }
      if (
        final.type === StateType.FAILED &&
        attempt <= task.retries &&
        (await shouldRetry(exec, final))
      ) {
        const delay = retryDelaySeconds(task.retryDelaySeconds, task.retryJitterFactor, attempt);
        const scheduledTime = addSeconds(nowIso(), delay);
        const awaiting = new State(StateType.SCHEDULED, {
          name: "AwaitingRetry",
          message: final.message,
          stateDetails: { scheduled_time: scheduledTime },
        });
        // INFO, as Prefect logs a retry: the run goes on (only its last failure is an error)
        logger.info(
          `Task run failed with exception: ${describeError(final.data)} - Retry ${attempt}/${task.retries} will start ${delay > 0 ? `${Math.round(delay * 100) / 100} second(s) from now` : "immediately"}`,
        );
        exec.propose(awaiting);
        await sleep(delay, signal);
        if (signal?.aborted) return outcome(exec.current as State, unwrap);
        retrying = true;
        continue;
      }
      // as Prefect: an error once the retries are used up (none given counts); a failure the
      // retry condition declined to retry is told by the run's final line alone
      if (
        final.type === StateType.FAILED &&
        final.data instanceof Error &&
        final.name !== "TimedOut" &&
        attempt > task.retries
      ) {
        logger.error(
          `Task run failed with exception: ${describeError(final.data)} - Retries are exhausted`,
          final.data,
        );
      }
      if (results !== null) {
        if (final.type === StateType.COMPLETED) {
          final = await results.complete(final);
          if (final.type === StateType.FAILED) logger.error(final.message ?? "Task run failed");
        } else await results.fail();
      }
      exec.propose(final);
      exec.assets?.finish(final, exec.recorder, exec.parentScope);
      if (final.type === StateType.COMPLETED && task.onCompletion.length)
        await exec.runHooks(task.onCompletion, final);
      if (final.type === StateType.FAILED && task.onFailure.length)
        await exec.runHooks(task.onFailure, final);
      const level = final.type === StateType.COMPLETED ? 20 : 40;
      logger.log(level, `Finished in state ${final.toString()}`);
      return outcome(final, unwrap);
    }
  } finally {
    // ended (whatever way): no longer one of its flow run's running task runs
    exec.parentScope?.flow?.runningTasks.delete(exec);
  }
}

function resultsRun(exec: TaskRunExecution, args: readonly unknown[]): TaskResultsRun {
  return new TaskResultsRun(
    {
      task: exec.task,
      taskRunId: exec.run.id,
      taskRunName: exec.run.name,
      flowScope: exec.parentScope?.flow ?? null,
      warn: (message) => exec.logger.warning(message),
      proposeLate: (state) => exec.propose(state),
    },
    args,
  );
}

/** A reusable result (Cached), or null to run the body; errors of the lookup fail the run. */
async function beginResults(
  results: TaskResultsRun,
  exec: TaskRunExecution,
): Promise<State | null> {
  try {
    return await results.begin();
  } catch (error) {
    exec.logger.error(`Task run could not look up its cached result: ${describeError(error)}`);
    return new State(StateType.FAILED, {
      name: "Failed",
      message: `Task run could not look up its cached result: ${describeError(error)}`,
      data: error,
    });
  }
}

/** End a run with a reused result (Cached), as Prefect does: Running, then the cached state. */
async function finishReused(exec: TaskRunExecution, final: State): Promise<State> {
  const task = exec.task;
  const running = new State(StateType.RUNNING, { name: "Running" });
  exec.propose(running);
  // strictly after Running, so a recorder keeping the latest timestamp ends on this state
  const now = nowIso();
  final.timestamp = now > running.timestamp ? now : addSeconds(running.timestamp, 0.001);
  exec.propose(final);
  exec.assets?.finish(final, exec.recorder, exec.parentScope);
  if (final.type === StateType.COMPLETED && task.onCompletion.length)
    await exec.runHooks(task.onCompletion, final);
  if (final.type === StateType.FAILED && task.onFailure.length)
    await exec.runHooks(task.onFailure, final);
  exec.logger.log(
    final.type === StateType.COMPLETED ? 20 : 40,
    `Finished in state ${final.toString()}`,
  );
  return final;
}

async function shouldRetry(exec: TaskRunExecution, failed: State): Promise<boolean> {
  const condition = exec.task.retryConditionFn;
  if (!condition) return true;
  try {
    return Boolean(await condition(exec.task, exec.run, failed));
  } catch (error) {
    exec.logger.error("retryConditionFn raised an error; not retrying", error);
    return false;
  }
}

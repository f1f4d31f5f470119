/**
 * The flow engine: a flow run is created Pending, proposes Running through the orchestration core
 * (handling WAIT, REJECT and ABORT), runs the body with its context, waits for the task runs it
 * started, proposes its final state (an AwaitingRetry answer means run again), runs its hooks and
 * ships every buffered record before returning.
 */
import { createHash } from "node:crypto";
import type { PrefectClient } from "../client/prefect-client.ts";
import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import { uuid4 } from "../core/ids.ts";
import { flowRunRetryDelay } from "../core/retry-delay.ts";
import {
  Abort,
  FlowRunCancellation,
  ParameterValidationError,
  RunTimeoutError,
  TerminationSignal,
} from "../core/run-errors.ts";
import type { Flow as FlowRecord, FlowRun, TaskRunPolicy } from "../core/runs.ts";
import type { OrchestrationResult } from "../core/state.ts";
import { StateType } from "../core/state-types.ts";
import { addSeconds, nowIso, secondsBetween } from "../core/time.ts";
import type { Settings } from "../settings/settings.ts";
import { watchCancellation } from "./cancellation-watch.ts";
import { flushConsole } from "./console-sink.ts";
import { type FlowRunScope, type RunScope, runScope } from "./context.ts";
import type { FlowHook, FlowResults, FlowSpec } from "./flow-spec.ts";
import { isFuture } from "./futures.ts";
import { processInfrastructurePid, startHeartbeat } from "./heartbeat.ts";
import { runStateHooks } from "./hooks.ts";
import { LogLevel } from "./log-levels.ts";
import { consoleLogger, RunLogger } from "./logging.ts";
import { bindParameters, formatRunName, jsonSafe } from "./parameters.ts";
import { getRuntime, trackActiveRun } from "./process-runtime.ts";
import { ResumeLedger } from "./resume-ledger.ts";
import { isState, State } from "./state.ts";
import { nextDynamicKey, seedDynamicKeys } from "./task-engine.ts";
import { TaskRunner } from "./task-runner.ts";
import { validateParameters } from "./validate-parameters.ts";

const flowRecords = new WeakMap<PrefectClient, Map<string, Promise<FlowRecord>>>();

function ensureFlow(client: PrefectClient, spec: FlowSpec): Promise<FlowRecord> {
  let byName = flowRecords.get(client);
  if (!byName) {
    byName = new Map();
    flowRecords.set(client, byName);
  }
  let found = byName.get(spec.name);
  if (!found) {
    found = client.createFlow({
      name: spec.name,
      parameter_openapi_schema: spec.parameterSchema(),
    });
    found.catch(() => byName?.delete(spec.name));
    byName.set(spec.name, found);
  }
  return found;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The later of two ISO timestamps (either may be missing). */
function laterOf(a: string | null | undefined, b: string): string {
  return a && Date.parse(a) > Date.parse(b) ? a : b;
}

function sleepUntil(iso: string | null | undefined, signal: AbortSignal): Promise<void> {
  const seconds = iso ? secondsBetween(nowIso(), iso) : 0;
  return sleepSeconds(seconds, signal);
}

function sleepSeconds(seconds: number, signal: AbortSignal): Promise<void> {
  if (seconds <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, seconds * 1000);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function taskKeyOf(spec: FlowSpec): string {
  const src = Function.prototype.toString.call(spec.fn);
  return `${spec.name}-${createHash("sha256").update(src).digest("hex").slice(0, 8)}`;
}

/** The policy of a subflow's parent task run, as Prefect writes it: no retries of its own. */
const SUBFLOW_TASK_POLICY: TaskRunPolicy = Object.freeze({
  max_retries: 0,
  retry_delay_seconds: 0,
  retries: 0,
  retry_delay: 0,
  retry_jitter_factor: null,
}) as TaskRunPolicy;

/**
 * The task run that stands for a subflow call in its parent flow run, as Prefect creates it: named
 * `<flow name>-<dynamic key>`, the key counting the calls of this subflow within the parent run
 * (`"0"`, `"1"`, …), with the flow's version and a zeroed policy.
 */
async function createSubflowTaskRun(
  client: PrefectClient,
  parent: FlowRunScope,
  spec: FlowSpec,
  parameters: Record<string, unknown>,
): Promise<string> {
  const taskKey = taskKeyOf(spec);
  const dynamicKey = nextDynamicKey(parent, taskKey);
  const taskRun = await client.createTaskRun({
    flow_run_id: parent.flowRun.id,
    task_key: taskKey,
    dynamic_key: dynamicKey,
    name: `${spec.name}-${dynamicKey}`,
    cache_key: null,
    cache_expiration: null,
    task_version: spec.version,
    empirical_policy: { ...SUBFLOW_TASK_POLICY },
    tags: [],
    labels: {},
    task_inputs: Object.fromEntries(Object.keys(parameters).map((k) => [k, []])),
    state: { type: StateType.PENDING, name: "Pending" },
  });
  return taskRun.id;
}

class FlowRunExecution {
  readonly spec: FlowSpec;
  readonly client: PrefectClient;
  flowRun: FlowRun;
  readonly logger: RunLogger;
  readonly controller = new AbortController();
  current: State;
  /** Base of the run's `View at …` link (`PREFECT_UI_URL`), if any. */
  uiUrl: string | null = null;
  /**
   * Settles once the run's process is recorded (`infrastructure_pid`, sent alongside the proposal
   * of Running): the body starts only then, so that a run doing work can always be told dead.
   */
  processRecorded: Promise<void> = Promise.resolve();

  constructor(spec: FlowSpec, client: PrefectClient, flowRun: FlowRun, logger: RunLogger) {
    this.spec = spec;
    this.client = client;
    this.flowRun = flowRun;
    this.logger = logger;
    this.current = flowRun.state ? State.fromRecord(flowRun.state) : new State(StateType.PENDING);
  }

  /** Propose a state through the orchestration core and mirror what was written locally. */
  async propose(state: State, force = false): Promise<OrchestrationResult> {
    state.stateDetails.flow_run_id = this.flowRun.id;
    state.stateDetails.transition_id = uuid4();
    const create = {
      type: state.type,
      name: state.name,
      message: state.message,
      data: state.persisted,
      state_details: state.stateDetails,
    };
    const result = await this.client.setFlowRunState(this.flowRun.id, create, { force });
    if (result.state) {
      const accepted = result.status === "ACCEPT";
      const next = State.fromRecord(result.state);
      if (accepted && state.hasData()) next.data = state.data;
      if (accepted && state.persisted) next.persisted = state.persisted;
      if (next.id !== this.current.id) {
        if (next.type === StateType.RUNNING) this.flowRun.run_count += 1;
        this.flowRun.state = result.state;
        this.flowRun.state_id = next.id;
        this.flowRun.state_type = next.type;
        this.flowRun.state_name = next.name;
        this.current = next;
      }
    }
    return result;
  }

  runHooks(hooks: readonly FlowHook[], state: State): Promise<void> {
    return runStateHooks(this.logger, hooks, state, (hook) => hook(this.spec, this.flowRun, state));
  }

  /**
   * What Prefect logs as each attempt starts: `Beginning flow run …` (`subflow run` for a child)
   * in the run's log, then the `View at …` link on the console only, never in the run's log.
   */
  announceAttempt(): void {
    const kind = this.flowRun.parent_task_run_id ? "subflow" : "flow";
    this.logger.info(`Beginning ${kind} run '${this.flowRun.name}' for flow '${this.spec.name}'`);
    if (this.uiUrl)
      this.logger.console(
        LogLevel.INFO,
        `View at ${this.uiUrl.replace(/\/+$/, "")}/runs/flow-run/${this.flowRun.id}`,
      );
  }
}

/** The call arguments of a flow for a parameters record (a destructured object takes it whole). */
function argsFromParameters(spec: FlowSpec, parameters: Record<string, unknown>): unknown[] {
  return spec.paramNames.length <= 1 && (spec.paramNames[0]?.startsWith("__arg") ?? true)
    ? [parameters]
    : spec.paramNames.map((n) => parameters[n]);
}

/**
 * Get ready to run this flow in this process: open the client and register the flow, so that the
 * first run pays neither (what a serving process's warm child does before it is given a run).
 */
export async function prepareFlow(spec: FlowSpec): Promise<void> {
  const rt = await getRuntime();
  await ensureFlow(rt.client, spec);
}

/** Run a flow to its final state. Rejects only when the run could not be created at all. */
export function runFlow(spec: FlowSpec, args: readonly unknown[]): Promise<State> {
  return runFlowCall(spec, args, null);
}

/**
 * Run an existing flow run of this flow (a deployment's run, given by a serving process or
 * `prefect-ts flow-run execute`) with its stored parameters, held to the flow's schema: Running,
 * the body, its final state. Rejects when the run is not a run of this flow.
 */
export function runFlowRun(spec: FlowSpec, flowRun: FlowRun): Promise<State> {
  return runFlowCall(spec, [], flowRun);
}

async function runFlowCall(
  spec: FlowSpec,
  args: readonly unknown[],
  existing: FlowRun | null,
): Promise<State> {
  const parentScope = existing ? undefined : runScope.getStore();
  const parentFlow = parentScope?.flow ?? null;
  // a subflow called in a cancelled flow run is not started: the call ends the body
  if (parentFlow?.signal.reason instanceof FlowRunCancellation) throw parentFlow.signal.reason;
  const rt = await getRuntime();
  const client = parentFlow?.client ?? rt.client;
  const recorder = parentFlow?.recorder ?? rt.recorder;
  let parameters = existing ? { ...existing.parameters } : bindParameters(spec.paramNames, args);
  let callArgs: readonly unknown[] = existing ? argsFromParameters(spec, parameters) : args;
  const validation =
    spec.params && spec.validateParameters
      ? await validateParameters(spec.params, parameters)
      : null;
  if (validation?.ok) {
    parameters = validation.value;
    callArgs = argsFromParameters(spec, validation.value);
  }

  const flow = await ensureFlow(client, spec);
  const parentTaskRunId = parentFlow
    ? await createSubflowTaskRun(client, parentFlow, spec, parameters)
    : null;
  const name =
    typeof spec.flowRunName === "function"
      ? spec.flowRunName(parameters)
      : typeof spec.flowRunName === "string"
        ? formatRunName(spec.flowRunName, parameters)
        : null;
  if (existing && existing.flow_id !== flow.id)
    throw new Abort(
      `Flow run '${existing.name}' is not a run of flow '${spec.name}': the entrypoint names another flow`,
    );
  const attachTo = existing ? existing.id : parentFlow ? null : takeAttachedFlowRunId();
  const flowRun = existing
    ? existing
    : attachTo
      ? await attachFlowRun(client, attachTo, flow.id, spec.name)
      : await client.createFlowRun({
          flow_id: flow.id,
          name,
          flow_version: spec.version,
          parameters: jsonSafe(parameters) as Record<string, unknown>,
          parent_task_run_id: parentTaskRunId,
          // whole seconds, as the contract takes them; the engine waits the exact delay itself
          empirical_policy: {
            retries: spec.retries,
            retry_delay: flowRunRetryDelay(spec.retryDelaySeconds),
          },
          tags: [...new Set([...(parentFlow?.flowRun.tags ?? []), ...spec.tags])],
          state: { type: StateType.PENDING, name: "Pending" },
          infrastructure_pid: processInfrastructurePid(),
        });
  if (existing) {
    consoleLogger(rt.logLevel).info(
      `Running flow run '${flowRun.name}' for flow '${spec.name}'${existing.deployment_id ? ` (deployment ${existing.deployment_id})` : ""}`,
    );
  } else if (!parentFlow) {
    consoleLogger(rt.logLevel).info(
      attachTo
        ? `Resuming flow run '${flowRun.name}' (attempt ${flowRun.run_count + 1}) for flow '${spec.name}'`
        : `Created flow run '${flowRun.name}' for flow '${spec.name}'`,
    );
  }
  const logger = new RunLogger({
    name: "prefect.flow_runs",
    prefix: `Flow run '${flowRun.name}' - `,
    flowRunId: flowRun.id,
    taskRunId: null,
    level: rt.logLevel,
    shipper: recorder,
  });
  const exec = new FlowRunExecution(spec, client, flowRun, logger);
  exec.uiUrl = rt.settings.uiUrl;

  let settle: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const untrack = trackActiveRun({
    flowRunId: flowRun.id,
    terminate: async (signal) => {
      exec.controller.abort(new TerminationSignal(signal));
      await finished;
    },
    cancel: async (message) => {
      exec.controller.abort(new FlowRunCancellation(message));
      await finished;
    },
  });
  // a run with no deployment has no worker or serving process to stop it: the engine looks for
  // its cancellation; a subflow is cancelled with its parent
  const cancelled = (message: string) => exec.controller.abort(new FlowRunCancellation(message));
  const unwatch =
    parentFlow || flowRun.deployment_id
      ? null
      : watchCancellation(client, flowRun.id, (seen) => {
          if (seen.type === StateType.CANCELLED) exec.current = State.fromRecord(seen);
          cancelled(seen.message || "Flow run was cancelled.");
        });
  const parentSignal = parentFlow?.signal;
  const followParent = () => {
    if (parentSignal?.reason instanceof FlowRunCancellation) cancelled(parentSignal.reason.message);
  };
  parentSignal?.addEventListener("abort", followParent, { once: true });
  try {
    if (validation && !validation.ok) {
      const error = new ParameterValidationError(validation.message, validation.issues);
      logger.error(validation.message);
      const failed = new State(StateType.FAILED, {
        name: "Failed",
        message: validation.message,
        data: error,
      });
      await exec.propose(failed);
      await exec.runHooks(spec.onFailure, exec.current);
      logger.info(`Finished in state ${exec.current.toString()}`);
      exec.current.data = error;
      return exec.current;
    }
    const resumed = attachTo !== null && (!existing || existing.run_count > 0);
    const scope = makeScope(exec, spec, client, recorder, parameters, rt.settings, resumed);
    // a run that ran before (a retry): reuse what its earlier attempts completed
    if (resumed) {
      if (spec.resume) await scope.resume.load();
      await seedEarlierTaskRuns(client, scope);
    }
    const heartbeat = startHeartbeat(client, exec.flowRun, {
      seconds: rt.settings.heartbeatSeconds,
      flowName: spec.name,
      onError: (what, error) => logger.debug(`Could not send ${what}`, error),
    });
    exec.processRecorded = heartbeat.processRecorded;
    const final = await orchestrate(exec, spec, scope, callArgs).finally(() => heartbeat.stop());
    if (!parentFlow) {
      await recorder.flush().catch((error: unknown) => {
        logger.error("Could not record every task run and log of this flow run", error);
      });
      flushConsole();
    }
    return final;
  } finally {
    unwatch?.();
    parentSignal?.removeEventListener("abort", followParent);
    untrack();
    settle();
  }
}

function makeScope(
  exec: FlowRunExecution,
  spec: FlowSpec,
  client: PrefectClient,
  recorder: FlowRunScope["recorder"],
  parameters: Record<string, unknown>,
  settings: Settings,
  attached: boolean,
): FlowRunScope {
  const runner =
    spec.taskRunner instanceof TaskRunner
      ? spec.taskRunner
      : new TaskRunner({
          maxConcurrency: spec.taskRunner?.maxConcurrency ?? settings.taskRunnerMaxConcurrency,
        });
  return {
    flowName: spec.name,
    flowRun: exec.flowRun,
    client,
    recorder,
    taskRunner: runner,
    logger: exec.logger,
    logPrints: spec.logPrints ?? settings.logPrints,
    parameters,
    signal: exec.controller.signal,
    pending: new Set(),
    runningTasks: new Set(),
    resume: new ResumeLedger(exec.flowRun.id, spec.retries > 0 || attached, spec.resume),
    resultStore: spec.results?.inherited ? () => (spec.results as FlowResults).store() : null,
  };
}

/** Task runs of earlier attempts keep their dynamic keys: new ones continue after them. */
async function seedEarlierTaskRuns(client: PrefectClient, scope: FlowRunScope): Promise<void> {
  const pageSize = 200;
  for (let offset = 0; ; offset += pageSize) {
    const page = await client.readTaskRuns({
      flowRunIds: [scope.flowRun.id],
      limit: pageSize,
      offset,
    });
    seedDynamicKeys(scope, page);
    if (page.length < pageSize) return;
  }
}

/** `PREFECT__FLOW_RUN_ID`: run the first top-level flow call as this existing flow run (once). */
function takeAttachedFlowRunId(): string | null {
  const id = process.env.PREFECT__FLOW_RUN_ID;
  if (!id) return null;
  delete process.env.PREFECT__FLOW_RUN_ID;
  return id;
}

async function attachFlowRun(
  client: PrefectClient,
  id: string,
  flowId: string,
  flowName: string,
): Promise<FlowRun> {
  const run = await client.readFlowRun(id);
  if (run.flow_id !== flowId)
    throw new Abort(
      `PREFECT__FLOW_RUN_ID names flow run '${run.name}', which is not a run of flow '${flowName}'`,
    );
  return run;
}

async function orchestrate(
  exec: FlowRunExecution,
  spec: FlowSpec,
  scope: FlowRunScope,
  callArgs: readonly unknown[],
): Promise<State> {
  const { logger } = exec;
  const signal = exec.controller.signal;
  for (;;) {
    // propose Running until accepted, or adopt what the orchestration core answers instead
    const started = await enterRunning(exec);
    if (!started) return finish(exec, spec, exec.current);
    await exec.processRecorded;
    if (spec.onRunning.length) await exec.runHooks(spec.onRunning, exec.current);
    exec.announceAttempt();

    scope.resume.newAttempt(exec.flowRun.run_count);
    let outcome = await runBody(exec, spec, scope, callArgs);
    if (outcome.type === StateType.COMPLETED && spec.results?.persist && !outcome.persisted)
      outcome = await persistFlowResult(exec, spec.results, outcome);
    if (outcome.type !== StateType.COMPLETED && scope.resume.enabled)
      await scope.resume.save().catch((error: unknown) => {
        logger.warning("Could not save the results this flow run can resume from", error);
      });
    if (outcome.type === StateType.CANCELLED && signal.reason instanceof FlowRunCancellation)
      return endCancelled(exec, spec, scope, outcome);
    if (outcome.type === StateType.CRASHED) {
      for (const t of scope.runningTasks) t.crash(outcome.message ?? "Crashed");
      await exec.propose(outcome, true).catch(() => undefined);
      return finish(
        exec,
        spec,
        exec.current.type === StateType.CRASHED ? withData(exec.current, outcome) : outcome,
      );
    }
    await deliverRecords(exec, scope);
    const proposedAt = nowIso();
    const result = await exec.propose(outcome);
    if (result.status === "REJECT" && result.state?.type === StateType.SCHEDULED) {
      logger.info(
        `Received non-final state '${result.state.name}' when proposing final state '${outcome.name}' and will attempt to run again...`,
      );
      // the server schedules the retry in whole seconds (`flowRunRetryDelay`): the flow's own
      // delay, fractions included, is waited here, and any later time the server chose
      await sleepUntil(
        laterOf(
          result.state.state_details.scheduled_time,
          addSeconds(proposedAt, spec.retryDelaySeconds),
        ),
        signal,
      );
      if (signal.reason instanceof FlowRunCancellation)
        return endCancelled(exec, spec, scope, cancelledState(signal.reason));
      if (signal.aborted) return finish(exec, spec, await crash(exec, scope));
      continue;
    }
    return finish(
      exec,
      spec,
      result.status === "ACCEPT" ? exec.current : withData(exec.current, outcome),
    );
  }
}

/**
 * A run cancelled from outside: its task runs end Cancelled here. A deployment's run is reported
 * Cancelled by the worker or serving process that started it, once its process has ended (which
 * stops the body); any other run is reported here — task calls left in its body throw.
 */
async function endCancelled(
  exec: FlowRunExecution,
  spec: FlowSpec,
  scope: FlowRunScope,
  outcome: State,
): Promise<State> {
  for (const t of scope.runningTasks) t.cancel(outcome.message ?? "Cancelled");
  await deliverRecords(exec, scope);
  if (!exec.flowRun.deployment_id && exec.current.type !== StateType.CANCELLED)
    await exec.propose(outcome).catch((error: unknown) => {
      exec.logger.error("Could not report this flow run Cancelled", error);
    });
  return finish(exec, spec, outcome);
}

function cancelledState(reason: FlowRunCancellation): State {
  return new State(StateType.CANCELLED, {
    name: "Cancelled",
    message: reason.message,
    data: reason,
  });
}

/**
 * Ordered durability: a flow run's final state is proposed only once every task-run transition
 * and log recorded so far is stored — sent, and confirmed by the server, through its outages for
 * as long as the client's retries last. A client that cannot deliver them does not report the run
 * finished: the flow call rejects with why, and the run stays Running until the server settles it
 * (Crashed, once this process has exited).
 */
async function deliverRecords(exec: FlowRunExecution, scope: FlowRunScope): Promise<void> {
  try {
    await scope.recorder.flush();
    await exec.client.confirmEvents();
  } catch (error) {
    throw new PrefectTsError(
      ErrorCode.API_UNREACHABLE,
      `could not deliver the task runs and logs of flow run '${exec.flowRun.name}': ${error instanceof Error ? error.message.replace(/\.$/, "") : String(error)}. Its final state was not reported; the server marks it Crashed once this process has exited.`,
      { cause: error },
    );
  }
}

async function persistFlowResult(
  exec: FlowRunExecution,
  results: NonNullable<FlowSpec["results"]>,
  outcome: State,
): Promise<State> {
  try {
    const store = results.store();
    const record = store.createRecord(outcome.hasData() ? outcome.data : null, null);
    await store.write(record);
    outcome.persisted = record.metadata;
    return outcome;
  } catch (error) {
    const message = `Could not persist the result of flow '${exec.spec.name}': ${describeError(error)}`;
    exec.logger.error(message);
    return new State(StateType.FAILED, { name: "Failed", message, data: error });
  }
}

function withData(state: State, from: State): State {
  if (!state.hasData() && from.hasData() && state.type === from.type) state.data = from.data;
  return state;
}

async function crash(exec: FlowRunExecution, scope: FlowRunScope): Promise<State> {
  const reason = exec.controller.signal.reason;
  const message = reason instanceof Error ? reason.message : "Execution was interrupted";
  for (const t of scope.runningTasks) t.crash(message);
  const crashed = new State(StateType.CRASHED, { name: "Crashed", message, data: reason });
  await exec.propose(crashed, true).catch(() => undefined);
  return crashed;
}

async function enterRunning(exec: FlowRunExecution): Promise<boolean> {
  const signal = exec.controller.signal;
  for (;;) {
    const result = await exec.propose(new State(StateType.RUNNING, { name: "Running" }));
    switch (result.status) {
      case "ACCEPT":
        return true;
      case "WAIT": {
        const delay = result.details.type === "wait_details" ? result.details.delay_seconds : 1;
        exec.logger.info(
          `Received wait instruction for ${delay}s: ${(result.details as { reason?: string }).reason ?? ""}`,
        );
        await sleepSeconds(delay, signal);
        if (signal.aborted) return false;
        continue;
      }
      case "REJECT":
        if (exec.current.type === StateType.SCHEDULED) {
          await sleepUntil(exec.current.stateDetails.scheduled_time, signal);
          if (signal.aborted) return false;
          continue;
        }
        return false;
      case "ABORT":
        throw new Abort(
          `Orchestration aborted the transition to Running: ${(result.details as { reason?: string }).reason ?? "no reason given"}`,
        );
    }
  }
}

async function runBody(
  exec: FlowRunExecution,
  spec: FlowSpec,
  scope: FlowRunScope,
  callArgs: readonly unknown[],
): Promise<State> {
  const signal = exec.controller.signal;
  const fn = spec.fn as (...a: unknown[]) => unknown;
  const racers: Promise<unknown>[] = [];
  const interrupted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  interrupted.catch(() => undefined);
  racers.push(interrupted);
  let timer: NodeJS.Timeout | undefined;
  if (spec.timeoutSeconds !== null) {
    const seconds = spec.timeoutSeconds;
    racers.push(
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RunTimeoutError(`Flow run exceeded timeout of ${seconds} second(s)`)),
          seconds * 1000,
        );
      }),
    );
  }
  const flowScope: RunScope = { flow: scope, task: null };
  try {
    const body = Promise.resolve(runScope.run(flowScope, () => fn(...callArgs)));
    let value = await Promise.race([body, ...racers]);
    // task runs submitted and not awaited still belong to this flow run
    if (scope.pending.size > 0)
      await Promise.race([Promise.allSettled([...scope.pending]), ...racers]);
    if (isFuture(value)) value = await Promise.race([value.result(), ...racers]);
    else if (
      value !== null &&
      typeof value === "object" &&
      !isState(value) &&
      typeof (value as PromiseLike<unknown>).then === "function"
    ) {
      value = await Promise.race([value as PromiseLike<unknown>, ...racers]);
    }
    if (isState(value)) return value;
    return new State(StateType.COMPLETED, { name: "Completed", data: value });
  } catch (error) {
    if (error instanceof FlowRunCancellation) {
      exec.logger.info(`Cancelled: ${error.message}`);
      return cancelledState(error);
    }
    if (error instanceof TerminationSignal) {
      return new State(StateType.CRASHED, { name: "Crashed", message: error.message, data: error });
    }
    if (error instanceof RunTimeoutError) {
      exec.controller.abort(error);
      exec.logger.error(error.message);
      return new State(StateType.FAILED, { name: "TimedOut", message: error.message, data: error });
    }
    exec.logger.error(`Encountered exception during execution: ${describeError(error)}`, error);
    return new State(StateType.FAILED, {
      name: "Failed",
      message: `Flow run encountered an exception: ${describeError(error)}`,
      data: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function finish(exec: FlowRunExecution, spec: FlowSpec, state: State): Promise<State> {
  const hooks =
    state.type === StateType.COMPLETED
      ? spec.onCompletion
      : state.type === StateType.FAILED
        ? spec.onFailure
        : state.type === StateType.CANCELLED
          ? spec.onCancellation
          : state.type === StateType.CRASHED
            ? spec.onCrashed
            : [];
  if (hooks.length) await exec.runHooks(hooks, state);
  // Prefect 3.8 logs a flow run's end at INFO whatever the state (task runs: ERROR unless Completed)
  exec.logger.info(`Finished in state ${state.toString()}`);
  return state;
}

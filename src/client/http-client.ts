/**
 * The client against a Prefect-compatible REST API (`PREFECT_API_URL`): this package's server or a
 * real Prefect 3 server. Flow-run transitions go through `set_state`; task-run transitions are
 * sent as `prefect.task-run.*` events on the `/events/in` WebSocket (`POST /events` where the
 * server does not offer it), logs with `POST /logs/` — the traffic of Prefect's own client.
 */
import type { Event } from "../core/events.ts";
import {
  criteriaOf,
  type FlowListOptions,
  type FlowRunListOptions,
  flowRunsListing,
  flowsListing,
  type LogListOptions,
  logsListing,
  type TaskRunListOptions,
  taskRunsListing,
} from "../core/list-options.ts";
import type { FlowCreate, FlowRunCreate, TaskRunCreate } from "../core/run-inputs.ts";
import type { Flow, FlowRun, LogRecord, TaskRun } from "../core/runs.ts";
import type { OrchestrationResult, StateCreate, StateRecord } from "../core/state.ts";
import { TaskRunEventTracker, taskRunEventText } from "../core/task-run-events.ts";
import { type ArtifactsApi, HttpArtifacts } from "./artifacts-api.ts";
import { type AssetsApi, HttpAssets } from "./assets-api.ts";
import { type BlocksApi, HttpBlocks } from "./blocks-api.ts";
import { type ConcurrencyLimitsApi, HttpConcurrencyLimits } from "./concurrency-limits-api.ts";
import { type DeploymentsApi, HttpDeployments } from "./deployments-api.ts";
import { EventsSocket, EventsSocketUnavailable } from "./events-socket.ts";
import { HttpTransport, type TransportOptions } from "./http-transport.ts";
import { LeaseHolderSocket } from "./lease-holder-socket.ts";
import type {
  FlowRunUpdate,
  PrefectClient,
  SetStateOptions,
  TaskRunTransition,
} from "./prefect-client.ts";
import { HttpVariables, type VariablesApi } from "./variables-api.ts";
import { HttpWorkPools, type WorkPoolsApi } from "./work-pools-api.ts";

const LOG_CHUNK = 2000;

export interface HttpClientOptions extends TransportOptions {
  /**
   * Where task-run events waiting for an API that is away are spooled past `spoolAfterBytes`
   * (`$PREFECT_HOME/spool` from settings); without it they stay in memory.
   */
  spoolDir?: string;
  spoolAfterBytes?: number;
}
const EVENT_BATCH_BYTES = 1_000_000;

export class HttpClient implements PrefectClient {
  readonly mode = "http" as const;
  readonly location: string;
  readonly #http: HttpTransport;
  /** Where task-run events go; null once the server refused the WebSocket (then `POST /events`). */
  #events: EventsSocket | null;
  /** The last state sent per task run, and the flow runs and flows named in task-run events. */
  readonly #tracker = new TaskRunEventTracker();
  readonly concurrencyLimits: ConcurrencyLimitsApi;
  readonly deployments: DeploymentsApi;
  readonly workPools: WorkPoolsApi;
  readonly blocks: BlocksApi;
  readonly variables: VariablesApi;
  readonly artifacts: ArtifactsApi;
  readonly assets: AssetsApi;
  /** The socket whose closing frees this process's leases (this package's server only). */
  readonly #holder: LeaseHolderSocket;

  constructor(apiUrl: string, options: HttpClientOptions = {}) {
    this.#http = new HttpTransport(apiUrl, options);
    this.location = this.#http.baseUrl;
    this.#holder = new LeaseHolderSocket(this.#http.baseUrl, { ...this.#http.headers });
    this.concurrencyLimits = new HttpConcurrencyLimits(this.#http, this.#holder);
    this.deployments = new HttpDeployments(this.#http);
    this.workPools = new HttpWorkPools(this.#http);
    this.blocks = new HttpBlocks(this.#http);
    this.variables = new HttpVariables(this.#http);
    this.artifacts = new HttpArtifacts(this.#http);
    this.assets = new HttpAssets(this.#http, () => this.#reported());
    this.#events = new EventsSocket(this.#http.baseUrl, {
      headers: { ...this.#http.headers },
      token: options.apiKey ?? options.authString ?? null,
      retry: this.#http.retry,
      spoolDir: options.spoolDir,
      spoolAfterBytes: options.spoolAfterBytes,
    });
  }

  async createFlow(input: FlowCreate): Promise<Flow> {
    return this.#rememberFlow(
      await this.#http.request<Flow>("POST", "/flows/", {
        name: input.name,
        tags: input.tags ?? [],
        labels: input.labels ?? {},
      }),
    );
  }
  async readFlow(id: string): Promise<Flow> {
    return this.#rememberFlow(await this.#http.request<Flow>("GET", `/flows/${id}`));
  }
  async readFlowByName(name: string): Promise<Flow> {
    return this.#rememberFlow(
      await this.#http.request<Flow>("GET", `/flows/name/${encodeURIComponent(name)}`),
    );
  }
  readFlows(o: FlowListOptions = {}): Promise<Flow[]> {
    return this.#http.request("POST", "/flows/filter", flowsListing(o));
  }

  async createFlowRun(input: FlowRunCreate): Promise<FlowRun> {
    const { id: _clientId, infrastructure_pid: _pid, state, ...rest } = input;
    const body = state ? { ...rest, state: wireState(state) } : rest;
    return this.#rememberFlowRun(
      withStateTimestamp(await this.#http.request<FlowRun>("POST", "/flow_runs/", body)),
    );
  }
  async readFlowRun(id: string): Promise<FlowRun> {
    return this.#rememberFlowRun(
      withStateTimestamp(await this.#http.request<FlowRun>("GET", `/flow_runs/${id}`)),
    );
  }

  #rememberFlow(flow: Flow): Flow {
    this.#tracker.rememberFlow(flow);
    return flow;
  }
  #rememberFlowRun(run: FlowRun): FlowRun {
    this.#tracker.rememberFlowRun(run);
    return run;
  }
  async readFlowRuns(o: FlowRunListOptions = {}): Promise<FlowRun[]> {
    const runs = await this.#http.request<FlowRun[]>(
      "POST",
      "/flow_runs/filter",
      flowRunsListing(o),
    );
    for (const run of runs) withStateTimestamp(run);
    return runs;
  }
  countFlowRuns(o: FlowRunListOptions = {}): Promise<number> {
    return this.#http.request("POST", "/flow_runs/count", criteriaOf(flowRunsListing(o)));
  }
  async deleteFlowRun(id: string): Promise<void> {
    await this.#http.request("DELETE", `/flow_runs/${id}`);
  }
  setFlowRunState(
    id: string,
    state: StateCreate,
    options: SetStateOptions = {},
  ): Promise<OrchestrationResult> {
    const expected = options.expectedStateId
      ? `?expected_state_id=${encodeURIComponent(options.expectedStateId)}`
      : "";
    return this.#http.request("POST", `/flow_runs/${id}/set_state${expected}`, {
      state: wireState(state),
      force: options.force ?? false,
    });
  }
  async updateFlowRun(id: string, update: FlowRunUpdate): Promise<void> {
    await this.#http.request("PATCH", `/flow_runs/${id}`, update);
  }
  async updateFlowRunLabels(
    id: string,
    labels: Record<string, string | number | boolean>,
  ): Promise<void> {
    await this.#http.request("PATCH", `/flow_runs/${id}/labels`, labels);
  }
  readFlowRunStates(flowRunId: string): Promise<StateRecord[]> {
    return this.#http.request("GET", `/flow_run_states/?flow_run_id=${flowRunId}`);
  }

  async createTaskRun(input: TaskRunCreate): Promise<TaskRun> {
    const body = input.state ? { ...input, state: wireState(input.state) } : input;
    return withStateTimestamp(await this.#http.request<TaskRun>("POST", "/task_runs/", body));
  }
  async readTaskRun(id: string): Promise<TaskRun> {
    await this.#reported();
    return withStateTimestamp(await this.#http.request<TaskRun>("GET", `/task_runs/${id}`));
  }
  async readTaskRuns(o: TaskRunListOptions = {}): Promise<TaskRun[]> {
    await this.#reported();
    const runs = await this.#http.request<TaskRun[]>(
      "POST",
      "/task_runs/filter",
      taskRunsListing(o),
    );
    for (const run of runs) withStateTimestamp(run);
    return runs;
  }
  async countTaskRuns(o: TaskRunListOptions = {}): Promise<number> {
    await this.#reported();
    return this.#http.request("POST", "/task_runs/count", criteriaOf(taskRunsListing(o)));
  }
  async deleteTaskRun(id: string): Promise<void> {
    await this.#http.request("DELETE", `/task_runs/${id}`);
  }
  setTaskRunState(
    id: string,
    state: StateCreate,
    options: SetStateOptions = {},
  ): Promise<OrchestrationResult> {
    return this.#http.request("POST", `/task_runs/${id}/set_state`, {
      state: wireState(state),
      force: options.force ?? false,
    });
  }
  async readTaskRunStates(taskRunId: string): Promise<StateRecord[]> {
    await this.#reported();
    return this.#http.request("GET", `/task_run_states/?task_run_id=${taskRunId}`);
  }

  /**
   * Task-run transitions as `prefect.task-run.*` events: on the events socket, or by
   * `POST /events` from a server without it. Not an async function: none stays suspended holding
   * the event texts while they are written (`EventsSocket.send`).
   */
  recordTaskRunTransitions(transitions: readonly TaskRunTransition[]): Promise<void> {
    const texts: string[] = [];
    for (const { run, state } of transitions) {
      const { previous, parent } = this.#tracker.track(run, state);
      texts.push(taskRunEventText(run, state, previous, parent));
    }
    const events = this.#events;
    if (!events) return this.#postEvents(texts);
    return events.send(texts).catch((error: unknown) => this.#fallBack(error));
  }

  /**
   * The events socket is not to be had (the server does not offer it, or a proxy in the way
   * spoils its handshake): say so once, and send by `POST /events` from now on — first what the
   * socket held unconfirmed.
   */
  #fallBack(error: unknown): Promise<void> {
    if (!(error instanceof EventsSocketUnavailable)) throw error;
    if (this.#events) {
      this.#events = null;
      if (error.status !== 404) {
        process.stderr.write(
          `prefect-ts WARNING: events go by POST ${this.location}/events instead of the WebSocket ${error.url}: ${error.reason}\n`,
        );
      }
    }
    return this.#postEvents(error.unsent);
  }

  /**
   * `POST /events` in batches under the server's per-event size limit (which lets it skip
   * measuring every event); each is sent as soon as it is built.
   */
  async #postEvents(texts: readonly string[]): Promise<void> {
    const sent: Promise<unknown>[] = [];
    let parts: string[] = [];
    let size = 2;
    for (const text of texts) {
      if (parts.length > 0 && size + text.length + 1 > EVENT_BATCH_BYTES) {
        sent.push(this.#http.requestRaw("POST", "/events", `[${parts.join(",")}]`));
        parts = [];
        size = 2;
      }
      parts.push(text);
      size += text.length + 1;
    }
    if (parts.length > 0)
      sent.push(this.#http.requestRaw("POST", "/events", `[${parts.join(",")}]`));
    await Promise.all(sent);
  }

  /** Events on the events socket with the task-run events (`POST /events` without it). */
  emitEvents(events: readonly Event[]): Promise<void> {
    const texts = events.map((event) => JSON.stringify(event));
    const socket = this.#events;
    if (!socket) return this.#postEvents(texts);
    return socket.send(texts).catch((error: unknown) => this.#fallBack(error));
  }

  async createLogs(logs: readonly LogRecord[]): Promise<void> {
    for (let i = 0; i < logs.length; i += LOG_CHUNK) {
      const chunk = logs.slice(i, i + LOG_CHUNK).map((l) => ({
        name: l.name,
        level: l.level,
        message: l.message,
        timestamp: l.timestamp,
        flow_run_id: l.flow_run_id,
        task_run_id: l.task_run_id,
      }));
      await this.#http.request("POST", "/logs/", chunk);
    }
  }
  readLogs(o: LogListOptions = {}): Promise<LogRecord[]> {
    return this.#http.request("POST", "/logs/filter", logsListing(o));
  }

  /**
   * Before reading task runs: the server has read every task-run event this client sent (it then
   * answers reads with them recorded), so that a client reads what it reported.
   */
  async #reported(): Promise<void> {
    await this.confirmEvents();
  }

  /**
   * Wait until the server has read every task-run event sent so far. Flows return once their
   * events are written to the connection; this waits for the server's confirmation too (which
   * `close()` and the end of the process also wait for).
   */
  async confirmEvents(): Promise<void> {
    await this.#events?.confirm().catch((error: unknown) => this.#fallBack(error));
  }

  /**
   * Get ready to run flows: the events connection opens in the background, while the flow's
   * first requests (its flow, its run) are under way.
   */
  prepare(): void {
    this.#events?.preconnect();
  }

  /** Wait until the server has every task-run event sent, and close the events connection. */
  async close(): Promise<void> {
    this.#holder.close();
    await this.#events?.close().catch((error: unknown) => this.#fallBack(error));
  }
}

/**
 * A run as the API answers it, with `state_timestamp`: Prefect's wire leaves it out (the server
 * keeps it to sort and compare runs); it is the timestamp of the run's state.
 */
function withStateTimestamp<R extends FlowRun | TaskRun>(run: R): R {
  run.state_timestamp = run.state?.timestamp ?? null;
  return run;
}

/** A state as `StateCreate` on the wire: the server sets id and timestamp. */
function wireState(state: StateCreate) {
  const { id: _id, timestamp: _timestamp, ...rest } = state;
  return rest;
}

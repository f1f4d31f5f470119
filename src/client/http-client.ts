/**
 * The client against a Prefect-compatible REST API (`PREFECT_API_URL`): this package's server or a
 * real Prefect 3 server. Flow-run transitions go through `set_state`; task-run transitions are
 * sent as `prefect.task-run.*` events on the `/events/in` WebSocket (`POST /events` where the
 * server does not offer it), logs with `POST /logs/` — the traffic of Prefect's own client.
 */
import type {
  FlowListOptions,
  FlowRunListOptions,
  LogListOptions,
  TaskRunListOptions,
} from "../core/list-options.ts";
import type { FlowCreate, FlowRunCreate, TaskRunCreate } from "../core/run-inputs.ts";
import type { Flow, FlowRun, LogRecord, TaskRun } from "../core/runs.ts";
import type { OrchestrationResult, StateCreate, StateRecord } from "../core/state.ts";
import { EventsSocket, EventsSocketUnavailable } from "./events-socket.ts";
import { HttpTransport, type TransportOptions } from "./http-transport.ts";
import type { PrefectClient, SetStateOptions, TaskRunTransition } from "./prefect-client.ts";
import { type FlowRunOfTask, taskRunEventText } from "./task-run-events.ts";

const LOG_CHUNK = 2000;
/** Flow runs (and flows) remembered for naming the related resources of task-run events. */
const REMEMBERED = 10_000;
const EVENT_BATCH_BYTES = 1_000_000;
const any = <T>(values: T[] | undefined) => (values ? { any_: values } : undefined);

export class HttpClient implements PrefectClient {
  readonly mode = "http" as const;
  readonly location: string;
  readonly #http: HttpTransport;
  /** Where task-run events go; null once the server refused the WebSocket (then `POST /events`). */
  #events: EventsSocket | null;
  /** The last state sent per task run, for the `initial_state`/`follows` of the next event. */
  readonly #lastTaskState = new Map<string, StateRecord>();
  /** Flow runs this client created or read, and the names of flows, for task-run events. */
  readonly #flowRuns = new Map<string, FlowRunOfTask>();
  readonly #flowNames = new Map<string, string>();

  constructor(apiUrl: string, options: TransportOptions = {}) {
    this.#http = new HttpTransport(apiUrl, options);
    this.location = this.#http.baseUrl;
    this.#events = new EventsSocket(this.#http.baseUrl, {
      headers: { ...this.#http.headers },
      token: options.apiKey ?? options.authString ?? null,
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
    return this.#http.request("POST", "/flows/filter", {
      flows: o.nameLike ? { name: { like_: o.nameLike } } : undefined,
      sort: "CREATED_DESC",
      limit: o.limit ?? 200,
      offset: o.offset ?? 0,
    });
  }

  async createFlowRun(input: FlowRunCreate): Promise<FlowRun> {
    const { id: _clientId, ...body } = input;
    return this.#rememberFlowRun(await this.#http.request<FlowRun>("POST", "/flow_runs/", body));
  }
  async readFlowRun(id: string): Promise<FlowRun> {
    return this.#rememberFlowRun(await this.#http.request<FlowRun>("GET", `/flow_runs/${id}`));
  }

  #rememberFlow(flow: Flow): Flow {
    remember(this.#flowNames, flow.id, flow.name);
    return flow;
  }
  #rememberFlowRun(run: FlowRun): FlowRun {
    const flowName = this.#flowNames.get(run.flow_id) ?? null;
    remember(this.#flowRuns, run.id, { name: run.name, flowId: run.flow_id, flowName });
    return run;
  }
  readFlowRuns(o: FlowRunListOptions = {}): Promise<FlowRun[]> {
    return this.#http.request("POST", "/flow_runs/filter", {
      ...flowRunFilter(o),
      sort: o.sort ?? "EXPECTED_START_TIME_DESC",
      limit: o.limit ?? 200,
      offset: o.offset ?? 0,
    });
  }
  countFlowRuns(o: FlowRunListOptions = {}): Promise<number> {
    return this.#http.request("POST", "/flow_runs/count", flowRunFilter(o));
  }
  async deleteFlowRun(id: string): Promise<void> {
    await this.#http.request("DELETE", `/flow_runs/${id}`);
  }
  setFlowRunState(
    id: string,
    state: StateCreate,
    options: SetStateOptions = {},
  ): Promise<OrchestrationResult> {
    return this.#http.request("POST", `/flow_runs/${id}/set_state`, {
      state: wireState(state),
      force: options.force ?? false,
    });
  }
  readFlowRunStates(flowRunId: string): Promise<StateRecord[]> {
    return this.#http.request("GET", `/flow_run_states/?flow_run_id=${flowRunId}`);
  }

  createTaskRun(input: TaskRunCreate): Promise<TaskRun> {
    return this.#http.request("POST", "/task_runs/", input);
  }
  readTaskRun(id: string): Promise<TaskRun> {
    return this.#http.request("GET", `/task_runs/${id}`);
  }
  readTaskRuns(o: TaskRunListOptions = {}): Promise<TaskRun[]> {
    return this.#http.request("POST", "/task_runs/filter", {
      ...taskRunFilter(o),
      sort: o.sort ?? "EXPECTED_START_TIME_DESC",
      limit: o.limit ?? 200,
      offset: o.offset ?? 0,
    });
  }
  countTaskRuns(o: TaskRunListOptions = {}): Promise<number> {
    return this.#http.request("POST", "/task_runs/count", taskRunFilter(o));
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
  readTaskRunStates(taskRunId: string): Promise<StateRecord[]> {
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
      const previous = this.#lastTaskState.get(run.id) ?? null;
      const parent = run.flow_run_id ? this.#flowRuns.get(run.flow_run_id) : undefined;
      texts.push(taskRunEventText(run, state, previous, parent));
      if (
        state.type === "COMPLETED" ||
        state.type === "FAILED" ||
        state.type === "CRASHED" ||
        state.type === "CANCELLED"
      ) {
        this.#lastTaskState.delete(run.id);
      } else this.#lastTaskState.set(run.id, state);
    }
    const events = this.#events;
    if (!events) return this.#postEvents(texts);
    return events.send(texts).catch((error: unknown) => {
      if (!(error instanceof EventsSocketUnavailable)) throw error;
      this.#events = null;
      return this.#postEvents(error.unsent);
    });
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
    const logs: Record<string, unknown> = {};
    if (o.flowRunId) logs.flow_run_id = { any_: [o.flowRunId] };
    if (o.taskRunId) logs.task_run_id = { any_: [o.taskRunId] };
    if (o.minLevel !== undefined) logs.level = { ge_: o.minLevel };
    return this.#http.request("POST", "/logs/filter", {
      logs,
      sort: o.order === "desc" ? "TIMESTAMP_DESC" : "TIMESTAMP_ASC",
      limit: o.limit ?? 200,
      offset: o.offset ?? 0,
    });
  }

  /**
   * Wait until the server has read every task-run event sent so far. Flows return once their
   * events are written to the connection; this waits for the server's confirmation too (which
   * `close()` and the end of the process also wait for).
   */
  async confirmEvents(): Promise<void> {
    await this.#events?.confirm();
  }

  /** Wait until the server has every task-run event sent, and close the events connection. */
  async close(): Promise<void> {
    await this.#events?.close();
  }
}

/** Set `key` in a map that keeps the newest `REMEMBERED` entries. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/** A state as `StateCreate` on the wire: the server sets id and timestamp. */
function wireState(state: StateCreate) {
  const { id: _id, timestamp: _timestamp, ...rest } = state;
  return rest;
}

function flowRunFilter(o: FlowRunListOptions) {
  const flowRuns: Record<string, unknown> = {};
  if (o.ids) flowRuns.id = any(o.ids);
  if (o.parentTaskRunIds) flowRuns.parent_task_run_id = any(o.parentTaskRunIds);
  if (o.stateTypes || o.stateNames) {
    flowRuns.state = { type: any(o.stateTypes), name: any(o.stateNames) };
  }
  const flows: Record<string, unknown> = {};
  if (o.flowIds) flows.id = any(o.flowIds);
  if (o.flowNames) flows.name = any(o.flowNames);
  return {
    flow_runs: Object.keys(flowRuns).length ? flowRuns : undefined,
    flows: Object.keys(flows).length ? flows : undefined,
  };
}

function taskRunFilter(o: TaskRunListOptions) {
  const taskRuns: Record<string, unknown> = {};
  if (o.ids) taskRuns.id = any(o.ids);
  if (o.stateTypes || o.stateNames)
    taskRuns.state = { type: any(o.stateTypes), name: any(o.stateNames) };
  return {
    task_runs: Object.keys(taskRuns).length ? taskRuns : undefined,
    flow_runs: o.flowRunIds ? { id: any(o.flowRunIds) } : undefined,
  };
}

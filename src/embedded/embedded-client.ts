/**
 * The in-process client: the orchestration core and storage run inside the caller's process over
 * the local database (SQLite by default, PostgreSQL when configured). No network port.
 */
import type {
  PrefectClient,
  SetStateOptions,
  TaskRunTransition,
} from "../client/prefect-client.ts";
import { ObjectNotFoundError } from "../core/errors.ts";
import type {
  FlowListOptions,
  FlowRunListOptions,
  LogListOptions,
  TaskRunListOptions,
} from "../core/list-options.ts";
import type { FlowCreate, FlowRunCreate, TaskRunCreate } from "../core/run-inputs.ts";
import type { Flow, FlowRun, LogRecord, TaskRun } from "../core/runs.ts";
import type { OrchestrationResult, StateCreate, StateRecord } from "../core/state.ts";
import { nowIso } from "../core/time.ts";
import * as flowRunModels from "../resources/flow-runs/model.ts";
import * as flowRuns from "../resources/flow-runs/queries.ts";
import * as flows from "../resources/flows/queries.ts";
import * as logs from "../resources/logs/queries.ts";
import * as states from "../resources/states/queries.ts";
import * as taskRunModels from "../resources/task-runs/model.ts";
import * as taskRuns from "../resources/task-runs/queries.ts";
import type { Database } from "../storage/database.ts";
import { openDatabase } from "../storage/open-database.ts";

export class EmbeddedClient implements PrefectClient {
  readonly mode = "embedded" as const;
  readonly location: string;
  readonly database: Database;
  readonly #ownsDatabase: boolean;

  constructor(database: Database, options: { ownsDatabase?: boolean } = {}) {
    this.database = database;
    this.location = database.location;
    this.#ownsDatabase = options.ownsDatabase ?? true;
  }

  /** Open (and migrate) the database at `url` and wrap it. */
  static async open(url: string): Promise<EmbeddedClient> {
    return new EmbeddedClient(await openDatabase({ url }));
  }

  async createFlow(input: FlowCreate): Promise<Flow> {
    return (await flows.createFlow(this.database, input)).flow;
  }
  async readFlow(id: string): Promise<Flow> {
    const flow = await flows.readFlow(this.database, id);
    if (!flow) throw new ObjectNotFoundError(`Flow with id ${id} not found`);
    return flow;
  }
  async readFlowByName(name: string): Promise<Flow> {
    const flow = await flows.readFlowByName(this.database, name);
    if (!flow) throw new ObjectNotFoundError(`Flow named '${name}' not found`);
    return flow;
  }
  readFlows(options?: FlowListOptions): Promise<Flow[]> {
    return flows.readFlows(this.database, options);
  }

  createFlowRun(input: FlowRunCreate): Promise<FlowRun> {
    return flowRunModels.createFlowRun(this.database, input);
  }
  readFlowRun(id: string): Promise<FlowRun> {
    return flowRuns.readFlowRunOrThrow(this.database, id);
  }
  readFlowRuns(options?: FlowRunListOptions): Promise<FlowRun[]> {
    return flowRuns.readFlowRuns(this.database, options);
  }
  countFlowRuns(options?: FlowRunListOptions): Promise<number> {
    return flowRuns.countFlowRuns(this.database, options);
  }
  deleteFlowRun(id: string): Promise<void> {
    return flowRuns.deleteFlowRun(this.database, id);
  }
  async setFlowRunState(
    id: string,
    state: StateCreate,
    options?: SetStateOptions,
  ): Promise<OrchestrationResult> {
    return (await flowRunModels.setFlowRunState(this.database, id, state, options)).result;
  }
  readFlowRunStates(flowRunId: string): Promise<StateRecord[]> {
    return states.readFlowRunStates(this.database, flowRunId);
  }

  async createTaskRun(input: TaskRunCreate): Promise<TaskRun> {
    return (await taskRunModels.createTaskRun(this.database, input)).taskRun;
  }
  readTaskRun(id: string): Promise<TaskRun> {
    return taskRuns.readTaskRunOrThrow(this.database, id);
  }
  readTaskRuns(options?: TaskRunListOptions): Promise<TaskRun[]> {
    return taskRuns.readTaskRuns(this.database, options);
  }
  countTaskRuns(options?: TaskRunListOptions): Promise<number> {
    return taskRuns.countTaskRuns(this.database, options);
  }
  deleteTaskRun(id: string): Promise<void> {
    return taskRuns.deleteTaskRun(this.database, id);
  }
  async setTaskRunState(
    id: string,
    state: StateCreate,
    options?: SetStateOptions,
  ): Promise<OrchestrationResult> {
    return (await taskRunModels.setTaskRunState(this.database, id, state, options)).result;
  }
  readTaskRunStates(taskRunId: string): Promise<StateRecord[]> {
    return states.readTaskRunStates(this.database, taskRunId);
  }
  recordTaskRunTransitions(transitions: readonly TaskRunTransition[]): Promise<void> {
    return taskRuns.recordTaskRunTransitions(this.database, transitions, nowIso());
  }

  createLogs(records: readonly LogRecord[]): Promise<void> {
    return logs.createLogs(this.database, records, nowIso());
  }
  readLogs(options?: LogListOptions): Promise<LogRecord[]> {
    return logs.readLogs(this.database, options);
  }

  async close(): Promise<void> {
    if (this.#ownsDatabase) await this.database.close();
  }
}

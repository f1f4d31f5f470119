/**
 * The one interface through which the SDK, the engine and the CLI reach the orchestration core.
 * Two implementations: in-process over the local database (`embedded`), and HTTP against a
 * Prefect-compatible REST API (`http`, when `PREFECT_API_URL` is set).
 */
import type { Event } from "../core/events.ts";
import type {
  FlowListOptions,
  FlowRunListOptions,
  LogListOptions,
  TaskRunListOptions,
} from "../core/list-options.ts";
import type { FlowCreate, FlowRunCreate, TaskRunCreate } from "../core/run-inputs.ts";
import type { Flow, FlowRun, LogRecord, TaskRun, TaskRunTransition } from "../core/runs.ts";
import type { OrchestrationResult, StateCreate, StateRecord } from "../core/state.ts";
import type { ArtifactsApi } from "./artifacts-api.ts";
import type { AssetsApi } from "./assets-api.ts";
import type { BlocksApi } from "./blocks-api.ts";
import type { ConcurrencyLimitsApi } from "./concurrency-limits-api.ts";
import type { DeploymentsApi } from "./deployments-api.ts";
import type { VariablesApi } from "./variables-api.ts";
import type { WorkPoolsApi } from "./work-pools-api.ts";

export type { TaskRunTransition };

/** The fields of Prefect's `FlowRunUpdate` this package sends. */
export interface FlowRunUpdate {
  name?: string | null;
  flow_version?: string | null;
  tags?: string[];
  /** What runs the flow run: `"<hostname>:<pid>"` for a local process, as Prefect's workers set it. */
  infrastructure_pid?: string | null;
}

export interface SetStateOptions {
  force?: boolean;
  /**
   * Only if the run is still in this state (its id): otherwise the answer is REJECT with its
   * current state (a prefect-ts server's precondition; a Prefect server ignores it).
   */
  expectedStateId?: string | null;
}

export interface PrefectClient {
  readonly mode: "embedded" | "http";
  /** Where runs are recorded (database location or API URL), for messages. */
  readonly location: string;

  createFlow(input: FlowCreate): Promise<Flow>;
  readFlow(id: string): Promise<Flow>;
  readFlowByName(name: string): Promise<Flow>;
  readFlows(options?: FlowListOptions): Promise<Flow[]>;

  createFlowRun(input: FlowRunCreate): Promise<FlowRun>;
  readFlowRun(id: string): Promise<FlowRun>;
  readFlowRuns(options?: FlowRunListOptions): Promise<FlowRun[]>;
  countFlowRuns(options?: FlowRunListOptions): Promise<number>;
  deleteFlowRun(id: string): Promise<void>;
  setFlowRunState(
    id: string,
    state: StateCreate,
    options?: SetStateOptions,
  ): Promise<OrchestrationResult>;
  readFlowRunStates(flowRunId: string): Promise<StateRecord[]>;
  /** Change fields of a flow run (`PATCH /flow_runs/{id}`, Prefect's `FlowRunUpdate`). */
  updateFlowRun(id: string, update: FlowRunUpdate): Promise<void>;
  /** Add or replace labels of a flow run (`PATCH /flow_runs/{id}/labels`). */
  updateFlowRunLabels(id: string, labels: Record<string, string | number | boolean>): Promise<void>;

  createTaskRun(input: TaskRunCreate): Promise<TaskRun>;
  readTaskRun(id: string): Promise<TaskRun>;
  readTaskRuns(options?: TaskRunListOptions): Promise<TaskRun[]>;
  countTaskRuns(options?: TaskRunListOptions): Promise<number>;
  deleteTaskRun(id: string): Promise<void>;
  setTaskRunState(
    id: string,
    state: StateCreate,
    options?: SetStateOptions,
  ): Promise<OrchestrationResult>;
  readTaskRunStates(taskRunId: string): Promise<StateRecord[]>;
  /** Record client-orchestrated task-run transitions in bulk (no orchestration). */
  recordTaskRunTransitions(transitions: readonly TaskRunTransition[]): Promise<void>;
  /**
   * Resolves once every task-run transition recorded so far is stored (a server confirms it has
   * recorded them); rejects when they could not be delivered within the client's retries.
   */
  confirmEvents(): Promise<void>;
  /** Get ready to run flows (open connections in the background); optional. */
  prepare?(): void;

  /** Send events (`prefect.flow-run.heartbeat`, …) as Prefect's client emits them. */
  emitEvents(events: readonly Event[]): Promise<void>;

  createLogs(logs: readonly LogRecord[]): Promise<void>;
  readLogs(options?: LogListOptions): Promise<LogRecord[]>;

  /** Global concurrency and rate limits, their leases, and tag limits on task runs. */
  readonly concurrencyLimits: ConcurrencyLimitsApi;

  /** Deployments: create, read, list, run, pause and resume, schedules (`client/deployments-api.ts`). */
  readonly deployments: DeploymentsApi;

  /** Work pools, their queues and workers, and what a worker polls (`client/work-pools-api.ts`). */
  readonly workPools: WorkPoolsApi;

  /** Block types, schemas and documents (`client/blocks-api.ts`). */
  readonly blocks: BlocksApi;

  /** Variables: named JSON values (`client/variables-api.ts`). */
  readonly variables: VariablesApi;

  /** Artifacts and the latest version of each key (`client/artifacts-api.ts`). */
  readonly artifacts: ArtifactsApi;

  /** Assets runs materialized and referenced, and their lineage (`client/assets-api.ts`). */
  readonly assets: AssetsApi;

  close(): Promise<void>;
}

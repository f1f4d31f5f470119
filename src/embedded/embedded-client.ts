/**
 * The in-process client: the same models the HTTP server calls (`resources/*\/model.ts`), over the
 * local database (SQLite by default, PostgreSQL when configured), with no network port. Listing,
 * orchestration, task-run recording, errors and events are one implementation with the server's:
 * flow-run state events are stored with each transition, and task-run events, built as Prefect's
 * client builds them, follow the task runs into the event store off the flow's path (so a server
 * started later on the same database serves them).
 */
import type { ArtifactsApi } from "../client/artifacts-api.ts";
import type { AssetsApi } from "../client/assets-api.ts";
import type { BlocksApi } from "../client/blocks-api.ts";
import type { ConcurrencyLimitsApi } from "../client/concurrency-limits-api.ts";
import type { DeploymentsApi } from "../client/deployments-api.ts";
import type { FlowRunUpdate, PrefectClient, SetStateOptions } from "../client/prefect-client.ts";
import type { VariablesApi } from "../client/variables-api.ts";
import type { WorkPoolsApi } from "../client/work-pools-api.ts";
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
import type { Flow, FlowRun, LogRecord, TaskRun, TaskRunTransition } from "../core/runs.ts";
import type { OrchestrationResult, StateCreate, StateRecord } from "../core/state.ts";
import { TaskRunEventTracker, taskRunEvent } from "../core/task-run-events.ts";
import * as flowRuns from "../resources/flow-runs/model.ts";
import * as flows from "../resources/flows/model.ts";
import * as logs from "../resources/logs/model.ts";
import * as states from "../resources/states/model.ts";
import * as taskRuns from "../resources/task-runs/model.ts";
import { type Core, createEmbeddedCore, schedulingServices } from "../services/composition.ts";
import type { AppContext } from "../services/context.ts";
import type { LoopService } from "../services/loop-service.ts";
import type { Settings } from "../settings/settings.ts";
import type { Database } from "../storage/database.ts";
import { openDatabase } from "../storage/open-database.ts";
import { EmbeddedArtifacts } from "./embedded-artifacts.ts";
import { EmbeddedAssets } from "./embedded-assets.ts";
import { EmbeddedBlocks } from "./embedded-blocks.ts";
import { EmbeddedConcurrencyLimits } from "./embedded-concurrency-limits.ts";
import { EmbeddedDeployments } from "./embedded-deployments.ts";
import { EmbeddedVariables } from "./embedded-variables.ts";
import { EmbeddedWorkPools } from "./embedded-work-pools.ts";

export interface EmbeddedClientOptions {
  /** Close the database with the client (default true). */
  ownsDatabase?: boolean;
  settings?: Settings;
}

export class EmbeddedClient implements PrefectClient {
  readonly mode = "embedded" as const;
  readonly location: string;
  readonly database: Database;
  readonly core: Core;
  readonly #ctx: AppContext;
  readonly #ownsDatabase: boolean;
  /** Each task run's last state, and the flow runs and flows named in task-run events. */
  readonly #tracker = new TaskRunEventTracker();
  readonly concurrencyLimits: ConcurrencyLimitsApi;
  readonly deployments: DeploymentsApi;
  readonly workPools: WorkPoolsApi;
  readonly blocks: BlocksApi;
  readonly variables: VariablesApi;
  readonly artifacts: ArtifactsApi;
  readonly assets: AssetsApi;
  /** The scheduler and late-runs services, once `runSchedulerServices()` started them. */
  #scheduling: LoopService[] | null = null;

  constructor(database: Database, options: EmbeddedClientOptions = {}) {
    this.database = database;
    this.location = database.location;
    this.core = createEmbeddedCore({ database, settings: options.settings });
    this.#ctx = this.core.ctx;
    this.#ownsDatabase = options.ownsDatabase ?? true;
    this.concurrencyLimits = new EmbeddedConcurrencyLimits(this.#ctx);
    this.deployments = new EmbeddedDeployments(this.#ctx);
    this.workPools = new EmbeddedWorkPools(this.#ctx);
    this.blocks = new EmbeddedBlocks(this.#ctx);
    this.variables = new EmbeddedVariables(this.#ctx);
    this.artifacts = new EmbeddedArtifacts(this.#ctx);
    this.assets = new EmbeddedAssets(this.#ctx);
  }

  /**
   * Run the scheduler and late-runs services in this process (as the server does), until the
   * client closes: what a process serving deployments on the local database does, there being no
   * server to make their scheduled runs. Resolves once their first loops have run.
   */
  async runSchedulerServices(): Promise<void> {
    if (this.#scheduling) return;
    const services = schedulingServices(this.#ctx);
    this.#scheduling = services;
    await Promise.all(services.map((service) => service.start()));
  }

  /** Open (and migrate) the database at `url` and wrap it. */
  static async open(url: string, settings?: Settings): Promise<EmbeddedClient> {
    const client = new EmbeddedClient(await openDatabase({ url }), { settings });
    // a process opening the database settles the Running runs of dead local processes (in the
    // background: the first flow does not wait for it)
    client.core.start();
    return client;
  }

  async createFlow(input: FlowCreate): Promise<Flow> {
    return this.#rememberFlow((await flows.createFlow(this.#ctx, input)).flow);
  }
  async readFlow(id: string): Promise<Flow> {
    return this.#rememberFlow(await flows.readFlow(this.#ctx, id));
  }
  async readFlowByName(name: string): Promise<Flow> {
    return this.#rememberFlow(await flows.readFlowByName(this.#ctx, name));
  }
  async readFlows(options?: FlowListOptions): Promise<Flow[]> {
    return flows.filterFlows(this.#ctx, flowsListing(options));
  }

  async createFlowRun(input: FlowRunCreate): Promise<FlowRun> {
    return this.#rememberFlowRun((await flowRuns.createFlowRun(this.#ctx, input)).flowRun);
  }
  async readFlowRun(id: string): Promise<FlowRun> {
    return this.#rememberFlowRun(await flowRuns.readFlowRun(this.#ctx, id));
  }
  async readFlowRuns(options?: FlowRunListOptions): Promise<FlowRun[]> {
    return flowRuns.filterFlowRuns(this.#ctx, flowRunsListing(options));
  }
  async countFlowRuns(options?: FlowRunListOptions): Promise<number> {
    return flowRuns.countFlowRuns(this.#ctx, criteriaOf(flowRunsListing(options)));
  }
  deleteFlowRun(id: string): Promise<void> {
    return flowRuns.deleteFlowRun(this.#ctx, id);
  }
  async setFlowRunState(
    id: string,
    state: StateCreate,
    options?: SetStateOptions,
  ): Promise<OrchestrationResult> {
    return (await flowRuns.setFlowRunState(this.#ctx, id, state, options)).result;
  }
  readFlowRunStates(flowRunId: string): Promise<StateRecord[]> {
    return states.readFlowRunStates(this.#ctx, flowRunId);
  }
  updateFlowRun(id: string, update: FlowRunUpdate): Promise<void> {
    return flowRuns.updateFlowRun(this.#ctx, id, update);
  }
  updateFlowRunLabels(
    id: string,
    labels: Record<string, string | number | boolean>,
  ): Promise<void> {
    return flowRuns.updateFlowRunLabels(this.#ctx, id, labels);
  }

  async createTaskRun(input: TaskRunCreate): Promise<TaskRun> {
    return (await taskRuns.createTaskRun(this.#ctx, input)).taskRun;
  }
  readTaskRun(id: string): Promise<TaskRun> {
    return taskRuns.readTaskRun(this.#ctx, id);
  }
  async readTaskRuns(options?: TaskRunListOptions): Promise<TaskRun[]> {
    return taskRuns.filterTaskRuns(this.#ctx, taskRunsListing(options));
  }
  async countTaskRuns(options?: TaskRunListOptions): Promise<number> {
    return taskRuns.countTaskRuns(this.#ctx, criteriaOf(taskRunsListing(options)));
  }
  deleteTaskRun(id: string): Promise<void> {
    return taskRuns.deleteTaskRun(this.#ctx, id);
  }
  async setTaskRunState(
    id: string,
    state: StateCreate,
    options?: SetStateOptions,
  ): Promise<OrchestrationResult> {
    return (await taskRuns.setTaskRunState(this.#ctx, id, state, options)).result;
  }
  readTaskRunStates(taskRunId: string): Promise<StateRecord[]> {
    return states.readTaskRunStates(this.#ctx, taskRunId);
  }

  /**
   * Record transitions as the server's recorder records their events, then hand the events to the
   * event bus: each is built on a later turn of the event loop (from a copy of the run as it stands
   * now) and stored in the background, so the flow does not wait for its events. What is recorded
   * is what the events carry: the run's `created` / `updated` are the recording's (an event has
   * none: Prefect's recorder takes its own time), and a state without a message has `""` (what
   * Prefect's client sends).
   */
  async recordTaskRunTransitions(transitions: readonly TaskRunTransition[]): Promise<void> {
    const now = this.#ctx.clock.nowIso();
    const recorded: TaskRunTransition[] = new Array(transitions.length);
    // a run's transitions of one batch share its object (the run as it stands when shipped): one
    // copy of it serves them all
    const copies = new Map<TaskRun, TaskRun>();
    for (let i = 0; i < transitions.length; i++) {
      const { run, state } = transitions[i] as TaskRunTransition;
      let copy = copies.get(run);
      if (!copy) {
        copy = { ...run, created: now, updated: now };
        copies.set(run, copy);
      }
      recorded[i] = { run: copy, state: state.message == null ? { ...state, message: "" } : state };
    }
    await taskRuns.recordTaskRunTransitions(this.#ctx, recorded);
    // tracked once recorded: a batch written again after a failure links its events as the first
    // time (each event `follows` the state before it)
    for (const [i, { run, state }] of transitions.entries()) {
      const { previous, parent } = this.#tracker.track(run, state);
      const snapshot = (recorded[i] as TaskRunTransition).run;
      this.core.bus.receiveLater(() => ({
        event: taskRunEvent(snapshot, state, previous, parent),
      }));
    }
  }

  /** Into the event store, off the flow's path (as the task-run events). */
  async emitEvents(events: readonly Event[]): Promise<void> {
    this.core.bus.receive(events);
  }

  createLogs(records: readonly LogRecord[]): Promise<void> {
    return logs.createLogs(this.#ctx, records);
  }
  async readLogs(options?: LogListOptions): Promise<LogRecord[]> {
    return logs.filterLogs(this.#ctx, logsListing(options));
  }

  #rememberFlow(flow: Flow): Flow {
    this.#tracker.rememberFlow(flow);
    return flow;
  }
  #rememberFlowRun(run: FlowRun): FlowRun {
    this.#tracker.rememberFlowRun(run);
    return run;
  }

  /** Store the events still buffered, then close the database if this client opened it. */
  /** Task runs are written by `recordTaskRunTransitions` itself: nothing waits to be confirmed. */
  async confirmEvents(): Promise<void> {}

  async close(): Promise<void> {
    await Promise.all((this.#scheduling ?? []).map((service) => service.stop()));
    await this.core.close();
    if (this.#ownsDatabase) await this.database.close();
  }
}

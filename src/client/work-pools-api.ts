/**
 * Work pools, their queues and their workers through a client: what `worker start`, the CLI and
 * code use. Options are camelCase; what is sent is Prefect's wire (snake_case) and what comes back
 * is the wire record (`WorkPool`, `WorkQueue`, `Worker`, `WorkerFlowRun`). `HttpWorkPools` speaks
 * Prefect's `/work_pools` API; the embedded client calls the same models over the local database
 * (`embedded/embedded-work-pools.ts`).
 */
import type { FlowRun } from "../core/runs.ts";
import type {
  BaseJobTemplate,
  Worker,
  WorkerFlowRun,
  WorkerStatus,
  WorkPool,
  WorkPoolStorageConfiguration,
  WorkQueue,
} from "../core/work-pools.ts";
import type { HttpTransport } from "./http-transport.ts";

export interface WorkPoolCreateOptions {
  name: string;
  /** The worker type that serves it (`process`); Prefect's default is `prefect-agent`. */
  type?: string;
  description?: string | null;
  /** `{job_configuration, variables}`; `{}` when left out. */
  baseJobTemplate?: BaseJobTemplate;
  /** Created paused. */
  paused?: boolean;
  concurrencyLimit?: number | null;
  storageConfiguration?: Partial<WorkPoolStorageConfiguration>;
}

/** The fields of a pool to change; `null` clears a description or a limit. */
export interface WorkPoolUpdateOptions {
  description?: string | null;
  paused?: boolean;
  baseJobTemplate?: BaseJobTemplate;
  concurrencyLimit?: number | null;
  storageConfiguration?: Partial<WorkPoolStorageConfiguration>;
}

export interface WorkPoolListOptions {
  names?: string[];
  types?: string[];
  limit?: number;
  offset?: number;
}

export interface WorkQueueCreateOptions {
  name: string;
  description?: string | null;
  paused?: boolean;
  concurrencyLimit?: number | null;
  /** 1 is the highest; left out: the first free one of the pool. */
  priority?: number;
}

export interface WorkQueueUpdateOptions {
  name?: string;
  description?: string | null;
  paused?: boolean;
  concurrencyLimit?: number | null;
  priority?: number;
}

export interface WorkerListOptions {
  status?: WorkerStatus[];
  limit?: number;
  offset?: number;
}

export interface WorkerPollOptions {
  /** Only these queues of the pool (all of them when left out). */
  workQueueNames?: string[];
  /** Runs due by this time (ISO 8601); every Scheduled run when left out. */
  scheduledBefore?: string;
  scheduledAfter?: string;
  limit?: number;
}

export interface WorkPoolsApi {
  /** 409 `ConflictError` when the name is taken; 422 when the template's defaults do not validate. */
  create(options: WorkPoolCreateOptions): Promise<WorkPool>;
  /** By name; `ObjectNotFoundError('Work pool "name" not found.')` when there is none. */
  read(name: string): Promise<WorkPool>;
  list(options?: WorkPoolListOptions): Promise<WorkPool[]>;
  count(options?: WorkPoolListOptions): Promise<number>;
  update(name: string, options: WorkPoolUpdateOptions): Promise<void>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  /** With its queues and workers; its deployments and runs lose their pool. */
  delete(name: string): Promise<void>;

  /** A queue in the pool; `null`: in Prefect's `default-agent-pool` (created with it). */
  createQueue(pool: string | null, options: WorkQueueCreateOptions): Promise<WorkQueue>;
  readQueue(pool: string, name: string): Promise<WorkQueue>;
  /** A queue by id (`/work_queues/{id}`). */
  readQueueById(id: string): Promise<WorkQueue>;
  /** The pool's queues, highest priority first. */
  listQueues(pool: string, options?: { limit?: number; offset?: number }): Promise<WorkQueue[]>;
  updateQueue(pool: string, name: string, options: WorkQueueUpdateOptions): Promise<void>;
  /** Not the pool's default queue (400). */
  deleteQueue(pool: string, name: string): Promise<void>;

  /** A worker's heartbeat (every `PREFECT_WORKER_HEARTBEAT_SECONDS`): ONLINE until three are missed. */
  heartbeat(pool: string, workerName: string, heartbeatIntervalSeconds?: number): Promise<void>;
  /** The pool's workers, latest heartbeat first. */
  listWorkers(pool: string, options?: WorkerListOptions): Promise<Worker[]>;
  deleteWorker(pool: string, workerName: string): Promise<void>;
  /**
   * What a worker may start now: Scheduled runs of the pool's queues by priority, within the
   * limits; marks the queues and their deployments polled.
   */
  getScheduledFlowRuns(pool: string, options?: WorkerPollOptions): Promise<WorkerFlowRun[]>;
}

// ---------------------------------------------------------------------------------------------
// camelCase options → the wire
// ---------------------------------------------------------------------------------------------

type Wire<T> = { -readonly [K in keyof T]: T[K] };

function defined<T extends object>(value: T): Wire<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Wire<T>;
}

export function wirePoolCreate(o: WorkPoolCreateOptions) {
  return defined({
    name: o.name,
    type: o.type,
    description: o.description,
    base_job_template: o.baseJobTemplate,
    is_paused: o.paused,
    concurrency_limit: o.concurrencyLimit,
    storage_configuration: o.storageConfiguration,
  });
}

export function wirePoolUpdate(o: WorkPoolUpdateOptions) {
  return defined({
    description: o.description,
    is_paused: o.paused,
    base_job_template: o.baseJobTemplate,
    concurrency_limit: o.concurrencyLimit,
    storage_configuration: o.storageConfiguration,
  });
}

export function wirePoolListing(o: WorkPoolListOptions = {}) {
  const filter = defined({
    name: o.names ? { any_: o.names } : undefined,
    type: o.types ? { any_: o.types } : undefined,
  });
  return defined({
    work_pools: Object.keys(filter).length > 0 ? filter : undefined,
    limit: o.limit,
    offset: o.offset,
  });
}

export function wireQueueCreate(o: WorkQueueCreateOptions) {
  return defined({
    name: o.name,
    description: o.description,
    is_paused: o.paused,
    concurrency_limit: o.concurrencyLimit,
    priority: o.priority,
  });
}

export function wireQueueUpdate(o: WorkQueueUpdateOptions) {
  return defined({
    name: o.name,
    description: o.description,
    is_paused: o.paused,
    concurrency_limit: o.concurrencyLimit,
    priority: o.priority,
  });
}

export function wireWorkerListing(o: WorkerListOptions = {}) {
  return defined({
    workers: o.status ? { status: { any_: o.status } } : undefined,
    limit: o.limit,
    offset: o.offset,
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

const encode = encodeURIComponent;

export class HttpWorkPools implements WorkPoolsApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  create(options: WorkPoolCreateOptions): Promise<WorkPool> {
    return this.#http.request("POST", "/work_pools/", wirePoolCreate(options));
  }
  read(name: string): Promise<WorkPool> {
    return this.#http.request("GET", `/work_pools/${encode(name)}`);
  }
  list(options?: WorkPoolListOptions): Promise<WorkPool[]> {
    return this.#http.request("POST", "/work_pools/filter", wirePoolListing(options));
  }
  count(options?: WorkPoolListOptions): Promise<number> {
    const { work_pools } = wirePoolListing(options);
    return this.#http.request("POST", "/work_pools/count", defined({ work_pools }));
  }
  async update(name: string, options: WorkPoolUpdateOptions): Promise<void> {
    await this.#http.request("PATCH", `/work_pools/${encode(name)}`, wirePoolUpdate(options));
  }
  pause(name: string): Promise<void> {
    return this.update(name, { paused: true });
  }
  resume(name: string): Promise<void> {
    return this.update(name, { paused: false });
  }
  async delete(name: string): Promise<void> {
    await this.#http.request("DELETE", `/work_pools/${encode(name)}`);
  }

  createQueue(pool: string | null, options: WorkQueueCreateOptions): Promise<WorkQueue> {
    const path = pool === null ? "/work_queues/" : `/work_pools/${encode(pool)}/queues`;
    return this.#http.request("POST", path, wireQueueCreate(options));
  }
  readQueue(pool: string, name: string): Promise<WorkQueue> {
    return this.#http.request("GET", `/work_pools/${encode(pool)}/queues/${encode(name)}`);
  }
  readQueueById(id: string): Promise<WorkQueue> {
    return this.#http.request("GET", `/work_queues/${encode(id)}`);
  }
  listQueues(pool: string, options: { limit?: number; offset?: number } = {}) {
    return this.#http.request<WorkQueue[]>(
      "POST",
      `/work_pools/${encode(pool)}/queues/filter`,
      defined({ limit: options.limit, offset: options.offset }),
    );
  }
  async updateQueue(pool: string, name: string, options: WorkQueueUpdateOptions): Promise<void> {
    await this.#http.request(
      "PATCH",
      `/work_pools/${encode(pool)}/queues/${encode(name)}`,
      wireQueueUpdate(options),
    );
  }
  async deleteQueue(pool: string, name: string): Promise<void> {
    await this.#http.request("DELETE", `/work_pools/${encode(pool)}/queues/${encode(name)}`);
  }

  async heartbeat(pool: string, workerName: string, heartbeatIntervalSeconds?: number) {
    await this.#http.request(
      "POST",
      `/work_pools/${encode(pool)}/workers/heartbeat`,
      defined({ name: workerName, heartbeat_interval_seconds: heartbeatIntervalSeconds }),
    );
  }
  listWorkers(pool: string, options?: WorkerListOptions): Promise<Worker[]> {
    return this.#http.request(
      "POST",
      `/work_pools/${encode(pool)}/workers/filter`,
      wireWorkerListing(options),
    );
  }
  async deleteWorker(pool: string, workerName: string): Promise<void> {
    await this.#http.request("DELETE", `/work_pools/${encode(pool)}/workers/${encode(workerName)}`);
  }
  async getScheduledFlowRuns(pool: string, options: WorkerPollOptions = {}) {
    const runs = await this.#http.request<WorkerFlowRun[]>(
      "POST",
      `/work_pools/${encode(pool)}/get_scheduled_flow_runs`,
      defined({
        work_queue_names: options.workQueueNames,
        scheduled_before: options.scheduledBefore,
        scheduled_after: options.scheduledAfter,
        limit: options.limit,
      }),
    );
    for (const r of runs) withStateTimestamp(r.flow_run);
    return runs;
  }
}

/** A run as answered, with `state_timestamp` (which Prefect's wire leaves out). */
function withStateTimestamp(run: FlowRun): void {
  run.state_timestamp = run.state?.timestamp ?? null;
}

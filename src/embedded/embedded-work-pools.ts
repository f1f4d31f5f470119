/**
 * Work pools, queues and workers on the local database, for the embedded client: the same models
 * as the server's routes. What the HTTP edge checks with zod is checked here too (a name that is
 * empty, a limit below 0, a priority below 1 is a `ValidationError` naming the field).
 */
import {
  type WorkerListOptions,
  type WorkerPollOptions,
  type WorkPoolCreateOptions,
  type WorkPoolListOptions,
  type WorkPoolsApi,
  type WorkPoolUpdateOptions,
  type WorkQueueCreateOptions,
  type WorkQueueUpdateOptions,
  wirePoolCreate,
  wirePoolListing,
  wirePoolUpdate,
  wireQueueCreate,
  wireQueueUpdate,
  wireWorkerListing,
} from "../client/work-pools-api.ts";
import { ValidationError } from "../core/errors.ts";
import type { Worker, WorkerFlowRun, WorkPool, WorkQueue } from "../core/work-pools.ts";
import * as model from "../resources/work-pools/model.ts";
import { readWorkerScheduledRuns } from "../resources/work-pools/scheduled-runs.ts";
import { createWorkQueue, readWorkQueue } from "../resources/work-queues/model.ts";
import type { AppContext } from "../services/context.ts";

function check(options: {
  name?: string;
  concurrencyLimit?: number | null;
  priority?: number;
}): void {
  if (options.name !== undefined && options.name.trim() === "") {
    throw new ValidationError("name: cannot be an empty string");
  }
  const limit = options.concurrencyLimit;
  if (limit != null && (!Number.isInteger(limit) || limit < 0)) {
    throw new ValidationError(`concurrency_limit: must be a whole number, 0 or more, not ${limit}`);
  }
  const p = options.priority;
  if (p !== undefined && (!Number.isInteger(p) || p < 1)) {
    throw new ValidationError(`priority: must be a whole number, 1 or more, not ${p}`);
  }
}

export class EmbeddedWorkPools implements WorkPoolsApi {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  create(options: WorkPoolCreateOptions): Promise<WorkPool> {
    check(options);
    return model.createWorkPool(this.#ctx, wirePoolCreate(options));
  }
  read(name: string): Promise<WorkPool> {
    return model.readWorkPool(this.#ctx, name);
  }
  list(options?: WorkPoolListOptions): Promise<WorkPool[]> {
    return model.filterWorkPools(this.#ctx, wirePoolListing(options));
  }
  count(options?: WorkPoolListOptions): Promise<number> {
    return model.countWorkPools(this.#ctx, wirePoolListing(options).work_pools);
  }
  update(name: string, options: WorkPoolUpdateOptions): Promise<void> {
    check(options);
    return model.updateWorkPool(this.#ctx, name, wirePoolUpdate(options));
  }
  pause(name: string): Promise<void> {
    return this.update(name, { paused: true });
  }
  resume(name: string): Promise<void> {
    return this.update(name, { paused: false });
  }
  delete(name: string): Promise<void> {
    return model.deleteWorkPool(this.#ctx, name);
  }

  createQueue(pool: string | null, options: WorkQueueCreateOptions): Promise<WorkQueue> {
    check(options);
    const input = wireQueueCreate(options);
    return pool === null
      ? createWorkQueue(this.#ctx, input)
      : model.createPoolQueue(this.#ctx, pool, input);
  }
  readQueue(pool: string, name: string): Promise<WorkQueue> {
    return model.readPoolQueue(this.#ctx, pool, name);
  }
  readQueueById(id: string): Promise<WorkQueue> {
    return readWorkQueue(this.#ctx, id);
  }
  listQueues(pool: string, options: { limit?: number; offset?: number } = {}) {
    return model.filterPoolQueues(this.#ctx, pool, options);
  }
  updateQueue(pool: string, name: string, options: WorkQueueUpdateOptions): Promise<void> {
    check(options);
    return model.updatePoolQueue(this.#ctx, pool, name, wireQueueUpdate(options));
  }
  deleteQueue(pool: string, name: string): Promise<void> {
    return model.deletePoolQueue(this.#ctx, pool, name);
  }

  async heartbeat(pool: string, workerName: string, heartbeatIntervalSeconds?: number) {
    await model.workerHeartbeat(this.#ctx, pool, workerName, heartbeatIntervalSeconds);
  }
  listWorkers(pool: string, options?: WorkerListOptions): Promise<Worker[]> {
    return model.filterWorkers(this.#ctx, pool, wireWorkerListing(options));
  }
  deleteWorker(pool: string, workerName: string): Promise<void> {
    return model.deleteWorker(this.#ctx, pool, workerName);
  }
  getScheduledFlowRuns(pool: string, options: WorkerPollOptions = {}): Promise<WorkerFlowRun[]> {
    return readWorkerScheduledRuns(this.#ctx, pool, options);
  }
}

/**
 * Work pools, their queues and their workers in the models layer (Prefect's `models/workers.py`
 * and the rules of `api/workers.py`): what both transports do with them.
 *
 * Interface (for `worker start`, the UI, deployments and the CLI):
 *
 * - `createWorkPool(ctx, WorkPoolCreate)` → the pool, with its `default` queue (priority 1). Its
 *   `base_job_template` defaults must validate against its own schema (422); a name taken → 409
 *   `A work pool with this name already exists.`; a name starting with "prefect" → 403.
 *   `defaultBaseJobTemplate("process")` (`core/base-job-templates.ts`) is the process worker's template.
 * - `readWorkPool(ctx, name)` (404 `Work pool "name" not found.`), `filterWorkPools`,
 *   `countWorkPools`, `updateWorkPool(ctx, name, WorkPoolUpdate)` (pause: `{is_paused: true}`),
 *   `deleteWorkPool(ctx, name)`. `status` is computed when read: PAUSED when paused, READY while
 *   one of its workers is ONLINE, NOT_READY otherwise.
 * - Queues of a pool: `createPoolQueue`, `readPoolQueue`, `filterPoolQueues` (by priority),
 *   `updatePoolQueue`, `deletePoolQueue` (not the default queue). Priorities stay 1, 2, 3… as
 *   Prefect keeps them; a queue is READY while polled in the last 60 s.
 * - A worker: `workerHeartbeat(ctx, pool, name, intervalSeconds?)` every
 *   `PREFECT_WORKER_HEARTBEAT_SECONDS` (`ctx.settings.workerHeartbeatSeconds`) keeps it ONLINE
 *   and its pool READY; three missed beats and it is OFFLINE. `filterWorkers`, `deleteWorker`.
 * - What a worker starts: `readWorkerScheduledRuns(ctx, pool, { workQueueNames, scheduledBefore,
 *   scheduledAfter, limit })` (`scheduled-runs.ts`) → `WorkerFlowRun[]`: Scheduled runs of the
 *   pool's queues that are not paused, highest priority queue first then soonest, within the
 *   queue and pool concurrency limits (runs Pending or Running hold a slot). It marks the queues
 *   and their deployments polled (READY). It claims nothing: the worker then proposes `Pending`
 *   (`setFlowRunState`), which only one proposer wins — a run another worker took is refused.
 *   The run's `job_variables` over its deployment's over the template's defaults are the job's
 *   variables (`job_configuration`'s `{{ placeholders }}` filled from them).
 * - For deployments and runs: `resolveWorkQueue(ctx, db, pool, queue?)` (the queue of a pool,
 *   created when missing, the default queue when none is named; 404 for an unknown pool) and
 *   `readQueueWithPool(ctx, queueId)` (a deployment's pool and its template).
 */
import { ConflictError, InvalidRequestError, ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import { addSeconds } from "../../core/time.ts";
import {
  DEFAULT_AGENT_WORK_POOL_NAME,
  DEFAULT_WORK_QUEUE_NAME,
  MISSED_HEARTBEATS_OFFLINE,
  type Paging,
  type Worker,
  type WorkerFilter,
  type WorkPool,
  type WorkPoolCreate,
  type WorkPoolFilter,
  type WorkPoolUpdate,
  type WorkQueue,
  type WorkQueueCreate,
  type WorkQueueFilter,
  type WorkQueueUpdate,
} from "../../core/work-pools.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import type { Db } from "../../storage/database.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import type { WorkPoolTable, WorkQueueTable } from "../../storage/schema.ts";
import { storageConfiguration, workerFromRow } from "../../storage/work-pool-rows.ts";
import * as queues from "../work-queues/queries.ts";
import { checkBaseJobTemplate } from "./job-variables.ts";
import * as pools from "./queries.ts";

/** Prefect's `PREFECT_API_DEFAULT_LIMIT`: a listing without a limit gives at most this many. */
const DEFAULT_LIMIT = 200;

export const poolNotFound = (name: string) =>
  new ObjectNotFoundError(`Work pool "${name}" not found.`);
export const queueNotFound = (pool: string, queue: string) =>
  new ObjectNotFoundError(`Work pool queue '${pool}/${queue}' not found.`);

/** Names Prefect keeps for itself (`Prefect…`, any case). */
function isReserved(name: string): boolean {
  return name.toLowerCase().startsWith("prefect");
}

function page(p: Paging): { limit: number; offset: number } {
  return { limit: p.limit ?? DEFAULT_LIMIT, offset: p.offset ?? 0 };
}

async function poolRowOrThrow(db: Db, name: string): Promise<WorkPoolTable> {
  return (await pools.readWorkPoolRowByName(db, name)) ?? Promise.reject(poolNotFound(name));
}

// ---------------------------------------------------------------------------------------------
// Pools
// ---------------------------------------------------------------------------------------------

/** Insert a pool and its default queue (in the caller's transaction); false when the name is taken. */
async function insertPool(
  ctx: AppContext,
  db: Db,
  input: WorkPoolCreate,
  now: string,
): Promise<WorkPoolTable | null> {
  const d = ctx.database.dialect;
  const row: WorkPoolTable = {
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name,
    description: input.description ?? null,
    type: input.type ?? "prefect-agent",
    base_job_template: d.toJson(input.base_job_template ?? {}),
    is_paused: d.toBool(input.is_paused ?? false),
    concurrency_limit: input.concurrency_limit ?? null,
    default_queue_id: null,
    storage_configuration: d.toJson(storageConfiguration(input.storage_configuration)),
  };
  if (!(await pools.insertWorkPool(db, row))) return null;
  const queue = await insertQueue(
    ctx,
    db,
    row.id,
    { name: DEFAULT_WORK_QUEUE_NAME, description: "The work pool's default queue." },
    now,
  );
  row.default_queue_id = queue.id;
  await pools.updateWorkPoolRow(db, row.id, { default_queue_id: queue.id });
  return row;
}

export async function createWorkPool(ctx: AppContext, input: WorkPoolCreate): Promise<WorkPool> {
  if (isReserved(input.name)) {
    throw new InvalidRequestError(
      "Work pools starting with 'Prefect' are reserved for internal use.",
      403,
    );
  }
  await checkBaseJobTemplate(input.base_job_template);
  const now = ctx.clock.nowIso();
  const taken = () => new ConflictError("A work pool with this name already exists.");
  try {
    return await inTransaction(ctx, async ({ db }) => {
      const row = await insertPool(ctx, db, input, now);
      if (!row) throw taken();
      // read back: JSON columns come back as the database gives them
      const stored = await poolRowOrThrow(db, row.name);
      const [pool] = await pools.toWorkPools(ctx.database, [stored], now, db);
      return pool as WorkPool;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

export async function readWorkPool(ctx: AppContext, name: string): Promise<WorkPool> {
  const row = await poolRowOrThrow(ctx.database.db, name);
  const [pool] = await pools.toWorkPools(ctx.database, [row], ctx.clock.nowIso());
  return pool as WorkPool;
}

/** The pool of this id, or null. */
export async function readWorkPoolById(ctx: AppContext, id: string): Promise<WorkPool | null> {
  const row = await pools.readWorkPoolRow(ctx.database.db, id);
  if (!row) return null;
  const [pool] = await pools.toWorkPools(ctx.database, [row], ctx.clock.nowIso());
  return pool ?? null;
}

export async function filterWorkPools(
  ctx: AppContext,
  listing: { work_pools?: WorkPoolFilter | null } & Paging = {},
): Promise<WorkPool[]> {
  const rows = await pools.filterWorkPoolRows(ctx.database.db, {
    filter: listing.work_pools,
    ...page(listing),
  });
  return pools.toWorkPools(ctx.database, rows, ctx.clock.nowIso());
}

export function countWorkPools(
  ctx: AppContext,
  filter: WorkPoolFilter | null | undefined = null,
): Promise<number> {
  return pools.countWorkPoolRows(ctx.database.db, filter);
}

/** Change the fields given (Prefect's `PATCH /work_pools/{name}`). */
export async function updateWorkPool(
  ctx: AppContext,
  name: string,
  update: WorkPoolUpdate,
): Promise<void> {
  const given = Object.keys(update).filter(
    (k) => (update as Record<string, unknown>)[k] !== undefined,
  );
  if (isReserved(name) && given.some((k) => k !== "is_paused" && k !== "concurrency_limit")) {
    throw new InvalidRequestError(
      "Work pools starting with 'Prefect' are reserved for internal use and can only be updated to set concurrency limits or pause.",
      403,
    );
  }
  if (update.base_job_template != null) await checkBaseJobTemplate(update.base_job_template);
  const d = ctx.database.dialect;
  await inTransaction(ctx, async ({ db }) => {
    const row = await poolRowOrThrow(db, name);
    const values: Parameters<typeof pools.updateWorkPoolRow>[2] = {
      updated: ctx.clock.nowIso(),
    };
    if (update.description !== undefined) values.description = update.description;
    if (update.is_paused != null) values.is_paused = d.toBool(update.is_paused);
    if (update.base_job_template != null) {
      values.base_job_template = d.toJson(update.base_job_template);
    }
    if (update.concurrency_limit !== undefined) values.concurrency_limit = update.concurrency_limit;
    if (update.storage_configuration != null) {
      values.storage_configuration = d.toJson(storageConfiguration(update.storage_configuration));
    }
    await pools.updateWorkPoolRow(db, row.id, values);
  });
}

/** Delete a pool with its queues and workers (its deployments and runs lose their pool). */
export async function deleteWorkPool(ctx: AppContext, name: string): Promise<void> {
  if (isReserved(name)) {
    throw new InvalidRequestError(
      "Work pools starting with 'Prefect' are reserved for internal use and can not be deleted.",
      403,
    );
  }
  await inTransaction(ctx, async ({ db }) => {
    const row = await poolRowOrThrow(db, name);
    await pools.deleteWorkPoolRow(db, row.id);
  });
}

// ---------------------------------------------------------------------------------------------
// Queues of a pool
// ---------------------------------------------------------------------------------------------

/**
 * Prefect's `bulk_update_work_queue_priorities`: the queues given take their new priorities, the
 * others keep their order and move down only as far as they must, so priorities stay unique.
 */
async function applyPriorities(
  db: Db,
  poolId: string,
  wanted: ReadonlyMap<string, number>,
): Promise<void> {
  const all = await queues.poolPriorities(db, poolId);
  const rest = all.filter((q) => !wanted.has(q.id));
  const moved = all
    .filter((q) => wanted.has(q.id))
    .map((q) => ({ id: q.id, priority: wanted.get(q.id) as number }))
    .sort((a, b) => a.priority - b.priority);
  const ordered = [...rest];
  for (const q of moved) {
    const at = ordered.findIndex((o) => o.priority >= q.priority);
    if (at === -1) ordered.push(q);
    else ordered.splice(at, 0, q);
  }
  const before = new Map(all.map((q) => [q.id, q.priority]));
  let last = 0;
  for (const q of ordered) {
    if (q.priority <= last) q.priority = ++last;
    else last = q.priority;
    if (before.get(q.id) !== q.priority) await queues.setPriority(db, q.id, q.priority);
  }
}

/** Insert a queue in a pool (the caller's transaction), at its priority or the first free one. */
async function insertQueue(
  ctx: AppContext,
  db: Db,
  poolId: string,
  input: WorkQueueCreate,
  now: string,
): Promise<WorkQueueTable> {
  const d = ctx.database.dialect;
  let priority = input.priority ?? null;
  if (priority == null) {
    const taken = (await queues.poolPriorities(db, poolId)).map((q) => q.priority);
    taken.sort((a, b) => a - b);
    priority = taken.findIndex((p, i) => p !== i + 1) + 1 || Math.max(0, ...taken) + 1;
  }
  const row: WorkQueueTable = {
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name,
    description: input.description ?? "",
    is_paused: d.toBool(input.is_paused ?? false),
    concurrency_limit: input.concurrency_limit ?? null,
    priority,
    work_pool_id: poolId,
    filter: input.filter == null ? null : d.toJson(input.filter),
    last_polled: null,
  };
  await queues.insertWorkQueue(db, row);
  if (input.priority) await applyPriorities(db, poolId, new Map([[row.id, input.priority]]));
  return (await queues.readWorkQueueRow(db, row.id)) ?? row;
}

/** A queue in the pool of this name (409 when the pool has one of that name). */
export async function createPoolQueue(
  ctx: AppContext,
  poolName: string,
  input: WorkQueueCreate,
): Promise<WorkQueue> {
  const now = ctx.clock.nowIso();
  // Prefect's detail, as it writes it (its message is not a format string)
  const taken = () =>
    new ConflictError(
      "A work queue with this name already exists in work pool {work_pool_name!r}.",
    );
  try {
    return await inTransaction(ctx, async ({ db }) => {
      const pool = await poolRowOrThrow(db, poolName);
      if (await queues.readWorkQueueRowByName(db, poolName, input.name)) throw taken();
      const row = await insertQueue(ctx, db, pool.id, input, now);
      const [queue] = await queues.toWorkQueues(ctx.database, [row], now, db);
      return queue as WorkQueue;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

async function queueRowOrThrow(db: Db, poolName: string, queueName: string) {
  await poolRowOrThrow(db, poolName);
  return (
    (await queues.readWorkQueueRowByName(db, poolName, queueName)) ??
    Promise.reject(queueNotFound(poolName, queueName))
  );
}

export async function readPoolQueue(
  ctx: AppContext,
  poolName: string,
  queueName: string,
): Promise<WorkQueue> {
  const row = await queueRowOrThrow(ctx.database.db, poolName, queueName);
  const [queue] = await queues.toWorkQueues(ctx.database, [row], ctx.clock.nowIso());
  return queue as WorkQueue;
}

/** The queues of a pool, highest priority first. */
export async function filterPoolQueues(
  ctx: AppContext,
  poolName: string,
  listing: { work_queues?: WorkQueueFilter | null } & Paging = {},
): Promise<WorkQueue[]> {
  const pool = await poolRowOrThrow(ctx.database.db, poolName);
  const rows = await queues.readPoolQueueRows(ctx.database.db, pool.id, {
    filter: listing.work_queues,
    ...page(listing),
  });
  return queues.toWorkQueues(ctx.database, rows, ctx.clock.nowIso());
}

/** Change a queue's fields given (in the caller's transaction). */
export async function applyQueueUpdate(
  ctx: AppContext,
  db: Db,
  row: WorkQueueTable,
  update: WorkQueueUpdate,
): Promise<void> {
  const d = ctx.database.dialect;
  const values: Parameters<typeof queues.updateWorkQueueRow>[2] = { updated: ctx.clock.nowIso() };
  if (update.name != null) values.name = update.name;
  if (update.description !== undefined) values.description = update.description;
  if (update.is_paused != null) values.is_paused = d.toBool(update.is_paused);
  if (update.concurrency_limit !== undefined) values.concurrency_limit = update.concurrency_limit;
  if (update.last_polled !== undefined) values.last_polled = update.last_polled;
  if (update.filter !== undefined) values.filter = d.toJson(update.filter);
  try {
    await queues.updateWorkQueueRow(db, row.id, values);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError();
    throw error;
  }
  if (update.priority != null) {
    await applyPriorities(db, row.work_pool_id, new Map([[row.id, update.priority]]));
  }
}

export async function updatePoolQueue(
  ctx: AppContext,
  poolName: string,
  queueName: string,
  update: WorkQueueUpdate,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const row = await queueRowOrThrow(db, poolName, queueName);
    await applyQueueUpdate(ctx, db, row, update);
  });
}

/** Delete a queue (in the caller's transaction): not a pool's default one (400). */
export async function removeQueue(db: Db, row: WorkQueueTable): Promise<void> {
  const pool = await pools.readWorkPoolRow(db, row.work_pool_id);
  if (pool?.default_queue_id === row.id) {
    throw new InvalidRequestError("Can't delete a pool's default queue.", 400);
  }
  await db
    .updateTable("deployment")
    .set({ work_queue_id: null })
    .where("work_queue_id", "=", row.id)
    .execute();
  await db
    .updateTable("flow_run")
    .set({ work_queue_id: null })
    .where("work_queue_id", "=", row.id)
    .execute();
  await queues.deleteWorkQueueRow(db, row.id);
  await applyPriorities(db, row.work_pool_id, new Map());
}

export async function deletePoolQueue(
  ctx: AppContext,
  poolName: string,
  queueName: string,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    await removeQueue(db, await queueRowOrThrow(db, poolName, queueName));
  });
}

// ---------------------------------------------------------------------------------------------
// Queues for deployments, runs and the `/work_queues` routes
// ---------------------------------------------------------------------------------------------

/**
 * The queue `queueName` of the pool `poolName` (its default queue when no name is given), created
 * when the pool has none of that name, as Prefect does for deployments and their runs. Unknown
 * pool → 404 `Work pool "name" not found.`
 */
export async function resolveWorkQueue(
  ctx: AppContext,
  db: Db,
  poolName: string,
  queueName?: string | null,
): Promise<{ pool: WorkPoolTable; queue: WorkQueueTable }> {
  const pool = await poolRowOrThrow(db, poolName);
  if (!queueName) {
    const queue = pool.default_queue_id
      ? await queues.readWorkQueueRow(db, pool.default_queue_id)
      : undefined;
    if (queue) return { pool, queue };
    queueName = DEFAULT_WORK_QUEUE_NAME;
  }
  const found = await queues.readWorkQueueRowByName(db, poolName, queueName);
  if (found) return { pool, queue: found };
  const queue = await insertQueue(ctx, db, pool.id, { name: queueName }, ctx.clock.nowIso());
  return { pool, queue };
}

/** The agent pool queues made without a pool go to (created with them, as Prefect does). */
export async function agentPool(
  ctx: AppContext,
  db: Db,
): Promise<{ pool: WorkPoolTable; created: boolean }> {
  const found = await pools.readWorkPoolRowByName(db, DEFAULT_AGENT_WORK_POOL_NAME);
  if (found) return { pool: found, created: false };
  const now = ctx.clock.nowIso();
  const created = await insertPool(
    ctx,
    db,
    { name: DEFAULT_AGENT_WORK_POOL_NAME, type: "prefect-agent" },
    now,
  );
  if (created) return { pool: created, created: true };
  return { pool: await poolRowOrThrow(db, DEFAULT_AGENT_WORK_POOL_NAME), created: false };
}

/** Insert a queue into a pool (the caller's transaction): for the `/work_queues` routes. */
export function insertQueueInPool(
  ctx: AppContext,
  db: Db,
  poolId: string,
  input: WorkQueueCreate,
): Promise<WorkQueueTable> {
  return insertQueue(ctx, db, poolId, input, ctx.clock.nowIso());
}

/** A queue and its pool by the queue's id (null when there is none). */
export async function readQueueWithPool(
  ctx: AppContext,
  queueId: string,
  db: Db = ctx.database.db,
): Promise<{ queue: WorkQueueTable; pool: WorkPoolTable } | null> {
  const queue = await queues.readWorkQueueRow(db, queueId);
  if (!queue) return null;
  const pool = await pools.readWorkPoolRow(db, queue.work_pool_id);
  return pool ? { queue, pool } : null;
}

// ---------------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------------

/**
 * A worker's heartbeat: the worker of this name in the pool is created or its beat moves on; it
 * stays ONLINE until three beats of its interval (this one, the last one it gave, or
 * `PREFECT_WORKER_HEARTBEAT_SECONDS`) are missed.
 */
export async function workerHeartbeat(
  ctx: AppContext,
  poolName: string,
  workerName: string,
  heartbeatIntervalSeconds?: number | null,
): Promise<Worker> {
  const now = ctx.clock.nowIso();
  return inTransaction(ctx, async ({ db }) => {
    const pool = await poolRowOrThrow(db, poolName);
    const existing = await pools.readWorkerRow(db, pool.id, workerName);
    const interval =
      heartbeatIntervalSeconds ??
      existing?.heartbeat_interval_seconds ??
      ctx.settings.workerHeartbeatSeconds;
    await pools.upsertWorkerHeartbeat(db, {
      id: existing?.id ?? uuid4(),
      created: existing?.created ?? now,
      updated: now,
      name: workerName,
      work_pool_id: pool.id,
      last_heartbeat_time: now,
      heartbeat_interval_seconds: heartbeatIntervalSeconds ?? null,
      offline_after: addSeconds(now, interval * MISSED_HEARTBEATS_OFFLINE),
    });
    const row = await pools.readWorkerRow(db, pool.id, workerName);
    const worker = row ? workerFromRow(row, now) : null;
    return worker as Worker;
  });
}

/** A pool's workers, latest heartbeat first. */
export async function filterWorkers(
  ctx: AppContext,
  poolName: string,
  listing: { workers?: WorkerFilter | null } & Paging = {},
): Promise<Worker[]> {
  const pool = await poolRowOrThrow(ctx.database.db, poolName);
  return pools.filterWorkers(ctx.database.db, pool.id, {
    filter: listing.workers,
    ...page(listing),
    now: ctx.clock.nowIso(),
  });
}

export async function deleteWorker(
  ctx: AppContext,
  poolName: string,
  workerName: string,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const pool = await poolRowOrThrow(db, poolName);
    if (!(await pools.deleteWorkerRow(db, pool.id, workerName))) {
      throw new ObjectNotFoundError("Worker not found.");
    }
  });
}

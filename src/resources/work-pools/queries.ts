/** Storage queries of work pools and their workers (Prefect's `models/workers.py` SQL). */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Worker, WorkerFilter, WorkPool, WorkPoolFilter } from "../../core/work-pools.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { Tables, WorkerTable, WorkPoolTable } from "../../storage/schema.ts";
import { workerFromRow, workPoolFromRow } from "../../storage/work-pool-rows.ts";
import { SLOT_STATE_TYPES } from "../work-queues/queries.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto" | "updateTable" | "deleteFrom">;
type Cond = Expression<SqlBool>;
const NOTHING = sql<SqlBool>`1 = 0`;
const EVERYTHING = sql<SqlBool>`1 = 1`;

/** Prefect's `WorkPoolFilter.as_sql_filter` over `work_pool`. */
export function workPoolCond(
  eb: ExpressionBuilder<Tables, "work_pool">,
  f: WorkPoolFilter | null | undefined,
): Cond | null {
  if (!f) return null;
  const parts: Cond[] = [];
  const any = (column: "work_pool.id" | "work_pool.name" | "work_pool.type", values: string[]) =>
    values.length === 0 ? NOTHING : eb(column, "in", values);
  if (f.id?.any_ != null) parts.push(any("work_pool.id", f.id.any_));
  if (f.name?.any_ != null) parts.push(any("work_pool.name", f.name.any_));
  if (f.type?.any_ != null) parts.push(any("work_pool.type", f.type.any_));
  if (parts.length === 0) return null;
  return f.operator === "or_" ? eb.or(parts) : eb.and(parts);
}

/** Answers for these rows: whether each has a worker online now, and its busy slots. */
export async function toWorkPools(
  database: Database,
  rows: readonly WorkPoolTable[],
  now: string,
  db: Executor = database.db,
): Promise<WorkPool[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const online = await db
    .selectFrom("worker")
    .select("work_pool_id")
    .distinct()
    .where("work_pool_id", "in", ids)
    .where("offline_after", ">", now)
    .execute();
  const withWorker = new Set(online.map((w) => w.work_pool_id));
  const limited = rows.filter((r) => r.concurrency_limit !== null).map((r) => r.id);
  const slots = await activeSlotsByPool(db, limited);
  return rows.map((r) =>
    workPoolFromRow(database.dialect, r, {
      hasOnlineWorker: withWorker.has(r.id),
      activeSlots: slots.get(r.id) ?? 0,
    }),
  );
}

/** Runs Pending or Running in the queues of each of these pools. */
export async function activeSlotsByPool(
  db: Executor,
  poolIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (poolIds.length === 0) return counts;
  const rows = await db
    .selectFrom("flow_run")
    .innerJoin("work_queue", "work_queue.id", "flow_run.work_queue_id")
    .select(["work_queue.work_pool_id as pool", (eb) => eb.fn.countAll<number>().as("n")])
    .where("work_queue.work_pool_id", "in", [...poolIds])
    .where("flow_run.state_type", "in", [...SLOT_STATE_TYPES])
    .groupBy("work_queue.work_pool_id")
    .execute();
  for (const r of rows) counts.set(r.pool, Number(r.n));
  return counts;
}

export async function readWorkPoolRowByName(
  db: Executor,
  name: string,
): Promise<WorkPoolTable | undefined> {
  return db.selectFrom("work_pool").selectAll().where("name", "=", name).executeTakeFirst();
}

export async function readWorkPoolRow(
  db: Executor,
  id: string,
): Promise<WorkPoolTable | undefined> {
  return db.selectFrom("work_pool").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Pools by name (Prefect's order). */
export async function filterWorkPoolRows(
  db: Executor,
  options: { filter?: WorkPoolFilter | null; limit: number; offset: number },
): Promise<WorkPoolTable[]> {
  return db
    .selectFrom("work_pool")
    .selectAll()
    .where((eb) => workPoolCond(eb, options.filter) ?? EVERYTHING)
    .orderBy("name", "asc")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
}

export async function countWorkPoolRows(
  db: Executor,
  filter: WorkPoolFilter | null | undefined,
): Promise<number> {
  const row = await db
    .selectFrom("work_pool")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where((eb) => workPoolCond(eb, filter) ?? EVERYTHING)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Insert a pool; false when one of that name exists already. */
export async function insertWorkPool(db: Executor, row: WorkPoolTable): Promise<boolean> {
  const res = await db
    .insertInto("work_pool")
    .values(row)
    .onConflict((oc) => oc.column("name").doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function updateWorkPoolRow(
  db: Executor,
  id: string,
  values: Partial<Omit<WorkPoolTable, "id" | "created" | "name">>,
): Promise<void> {
  await db.updateTable("work_pool").set(values).where("id", "=", id).execute();
}

/**
 * Delete a pool: its queues and workers go with it; its deployments and runs stay, without their
 * queue and pool (Prefect's foreign keys set them null).
 */
export async function deleteWorkPoolRow(db: Executor, id: string): Promise<boolean> {
  const queues = db.selectFrom("work_queue").select("id").where("work_pool_id", "=", id);
  await db
    .updateTable("deployment")
    .set({ work_queue_id: null, work_pool_name: null })
    .where("work_queue_id", "in", queues)
    .execute();
  await db
    .updateTable("flow_run")
    .set({ work_queue_id: null, work_pool_id: null, work_pool_name: null })
    .where("work_pool_id", "=", id)
    .execute();
  const res = await db.deleteFrom("work_pool").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

// ---------------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------------

/** Prefect's `WorkerFilter.as_sql_filter` (ONLINE: its third missed heartbeat is not due yet). */
function workerCond(
  eb: ExpressionBuilder<Tables, "worker">,
  f: WorkerFilter | null | undefined,
  now: string,
): Cond | null {
  if (!f) return null;
  const parts: Cond[] = [];
  const statusCond = (status: string): Cond =>
    status === "ONLINE"
      ? eb("worker.offline_after", ">", now)
      : eb("worker.offline_after", "<=", now);
  if (f.last_heartbeat_time?.before_ != null) {
    parts.push(eb("worker.last_heartbeat_time", "<=", f.last_heartbeat_time.before_));
  }
  if (f.last_heartbeat_time?.after_ != null) {
    parts.push(eb("worker.last_heartbeat_time", ">=", f.last_heartbeat_time.after_));
  }
  if (f.status?.any_ != null) {
    parts.push(f.status.any_.length === 0 ? NOTHING : eb.or(f.status.any_.map(statusCond)));
  }
  if (f.status?.not_any_ != null && f.status.not_any_.length > 0) {
    parts.push(eb.not(eb.or(f.status.not_any_.map(statusCond))));
  }
  if (parts.length === 0) return null;
  return f.operator === "or_" ? eb.or(parts) : eb.and(parts);
}

/** Workers of a pool, latest heartbeat first. */
export async function filterWorkers(
  db: Executor,
  poolId: string,
  options: { filter?: WorkerFilter | null; limit: number; offset: number; now: string },
): Promise<Worker[]> {
  const rows = await db
    .selectFrom("worker")
    .selectAll()
    .where("work_pool_id", "=", poolId)
    .where((eb) => workerCond(eb, options.filter, options.now) ?? EVERYTHING)
    .orderBy("last_heartbeat_time", "desc")
    .orderBy("name", "asc")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return rows.map((r) => workerFromRow(r, options.now));
}

/** Record a heartbeat: the worker of this pool and name is created, or its beat moves on. */
export async function upsertWorkerHeartbeat(db: Executor, row: WorkerTable): Promise<void> {
  const changes: Partial<WorkerTable> = {
    updated: row.updated,
    last_heartbeat_time: row.last_heartbeat_time,
    offline_after: row.offline_after,
  };
  if (row.heartbeat_interval_seconds !== null) {
    changes.heartbeat_interval_seconds = row.heartbeat_interval_seconds;
  }
  await db
    .insertInto("worker")
    .values(row)
    .onConflict((oc) => oc.columns(["work_pool_id", "name"]).doUpdateSet(changes))
    .execute();
}

export async function readWorkerRow(
  db: Executor,
  poolId: string,
  name: string,
): Promise<WorkerTable | undefined> {
  return db
    .selectFrom("worker")
    .selectAll()
    .where("work_pool_id", "=", poolId)
    .where("name", "=", name)
    .executeTakeFirst();
}

export async function deleteWorkerRow(
  db: Executor,
  poolId: string,
  name: string,
): Promise<boolean> {
  const res = await db
    .deleteFrom("worker")
    .where("work_pool_id", "=", poolId)
    .where("name", "=", name)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

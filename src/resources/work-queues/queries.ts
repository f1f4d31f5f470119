/** Storage queries of work queues (Prefect's `models/workers.py` queue functions and their SQL). */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { WorkQueue, WorkQueueFilter } from "../../core/work-pools.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { Tables, WorkQueueTable } from "../../storage/schema.ts";
import { workQueueFromRow } from "../../storage/work-pool-rows.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto" | "updateTable" | "deleteFrom">;
type Cond = Expression<SqlBool>;

/** The states that hold a slot of a queue's or a pool's concurrency limit. */
export const SLOT_STATE_TYPES = ["PENDING", "RUNNING"] as const;

/** Prefect's `WorkQueueFilter.as_sql_filter` over `work_queue`. */
export function workQueueCond(
  eb: ExpressionBuilder<Tables, "work_queue">,
  f: WorkQueueFilter | null | undefined,
): Cond | null {
  if (!f) return null;
  const parts: Cond[] = [];
  if (f.id?.any_ != null) {
    parts.push(f.id.any_.length === 0 ? sql<SqlBool>`1 = 0` : eb("work_queue.id", "in", f.id.any_));
  }
  if (f.name?.any_ != null) {
    parts.push(
      f.name.any_.length === 0 ? sql<SqlBool>`1 = 0` : eb("work_queue.name", "in", f.name.any_),
    );
  }
  if (f.name?.startswith_ != null) {
    const prefixes = f.name.startswith_;
    parts.push(
      prefixes.length === 0
        ? sql<SqlBool>`1 = 0`
        : eb.or(
            prefixes.map(
              (p) => sql<SqlBool>`substr(${sql.ref("work_queue.name")}, 1, ${p.length}) = ${p}`,
            ),
          ),
    );
  }
  if (parts.length === 0) return null;
  return f.operator === "or_" ? eb.or(parts) : eb.and(parts);
}

/** Runs Pending or Running in each of these queues. */
export async function activeSlotsByQueue(
  db: Executor,
  queueIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (queueIds.length === 0) return counts;
  const rows = await db
    .selectFrom("flow_run")
    .select(["work_queue_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("work_queue_id", "in", [...queueIds])
    .where("state_type", "in", [...SLOT_STATE_TYPES])
    .groupBy("work_queue_id")
    .execute();
  for (const r of rows) if (r.work_queue_id) counts.set(r.work_queue_id, Number(r.n));
  return counts;
}

/** Answers for these rows: their pool's name, their status now and their busy slots. */
export async function toWorkQueues(
  database: Database,
  rows: readonly WorkQueueTable[],
  now: string,
  db: Executor = database.db,
): Promise<WorkQueue[]> {
  if (rows.length === 0) return [];
  const poolIds = [...new Set(rows.map((r) => r.work_pool_id))];
  const pools = await db
    .selectFrom("work_pool")
    .select(["id", "name"])
    .where("id", "in", poolIds)
    .execute();
  const names = new Map(pools.map((p) => [p.id, p.name]));
  const limited = rows.filter((r) => r.concurrency_limit !== null).map((r) => r.id);
  const slots = await activeSlotsByQueue(db, limited);
  return rows.map((r) =>
    workQueueFromRow(database.dialect, r, {
      poolName: names.get(r.work_pool_id) ?? null,
      activeSlots: slots.get(r.id) ?? 0,
      now,
    }),
  );
}

export async function readWorkQueueRow(
  db: Executor,
  id: string,
): Promise<WorkQueueTable | undefined> {
  return db.selectFrom("work_queue").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The queue of this name in the pool of this name. */
export async function readWorkQueueRowByName(
  db: Executor,
  poolName: string,
  queueName: string,
): Promise<WorkQueueTable | undefined> {
  return db
    .selectFrom("work_queue")
    .innerJoin("work_pool", "work_pool.id", "work_queue.work_pool_id")
    .selectAll("work_queue")
    .where("work_pool.name", "=", poolName)
    .where("work_queue.name", "=", queueName)
    .executeTakeFirst();
}

/** Queues of a pool, highest priority (lowest number) first. */
export async function readPoolQueueRows(
  db: Executor,
  poolId: string,
  options: { filter?: WorkQueueFilter | null; limit?: number; offset?: number } = {},
): Promise<WorkQueueTable[]> {
  let q = db
    .selectFrom("work_queue")
    .selectAll()
    .where("work_pool_id", "=", poolId)
    .where((eb) => workQueueCond(eb, options.filter) ?? sql<SqlBool>`1 = 1`)
    .orderBy("priority", "asc")
    .orderBy("name", "asc");
  if (options.limit !== undefined) q = q.limit(options.limit);
  if (options.offset !== undefined) q = q.offset(options.offset);
  return q.execute();
}

/** Queues of every pool (`POST /work_queues/filter`), by name. */
export async function filterWorkQueueRows(
  db: Executor,
  options: { filter?: WorkQueueFilter | null; limit: number; offset: number },
): Promise<WorkQueueTable[]> {
  return db
    .selectFrom("work_queue")
    .selectAll()
    .where((eb) => workQueueCond(eb, options.filter) ?? sql<SqlBool>`1 = 1`)
    .orderBy("name", "asc")
    .orderBy("id", "asc")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
}

export async function insertWorkQueue(db: Executor, row: WorkQueueTable): Promise<void> {
  await db.insertInto("work_queue").values(row).execute();
}

/** Change columns of a queue; false when there is none. */
export async function updateWorkQueueRow(
  db: Executor,
  id: string,
  values: Partial<Omit<WorkQueueTable, "id" | "created" | "work_pool_id">>,
): Promise<boolean> {
  const res = await db
    .updateTable("work_queue")
    .set(values)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deleteWorkQueueRow(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom("work_queue").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** `id → priority` of a pool's queues, by priority. */
export async function poolPriorities(
  db: Executor,
  poolId: string,
): Promise<{ id: string; priority: number }[]> {
  return db
    .selectFrom("work_queue")
    .select(["id", "priority"])
    .where("work_pool_id", "=", poolId)
    .orderBy("priority", "asc")
    .orderBy("updated", "desc")
    .execute();
}

export async function setPriority(db: Executor, id: string, priority: number): Promise<void> {
  await db.updateTable("work_queue").set({ priority }).where("id", "=", id).execute();
}

/** These queues were polled now (their `last_polled`; `updated` follows, as Prefect's). */
export async function markQueuesPolled(
  db: Executor,
  ids: readonly string[],
  now: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("work_queue")
    .set({ last_polled: now, updated: now })
    .where("id", "in", [...ids])
    .execute();
}

/** Deployments of these queues were polled now (READY): what a worker's poll does. */
export async function markQueueDeploymentsPolled(
  db: Executor,
  queueIds: readonly string[],
  now: string,
): Promise<void> {
  if (queueIds.length === 0) return;
  await db
    .updateTable("deployment")
    .set({ last_polled: now })
    .where("work_queue_id", "in", [...queueIds])
    .execute();
}

/** The run is not awaiting a retry in its own process (`retry_type` other than `in_process`). */
function notRetriedInProcess(database: Database): Cond {
  const retryType =
    database.dialect.name === "postgres"
      ? sql`${sql.ref("flow_run.empirical_policy")}->>'retry_type'`
      : sql`json_extract(${sql.ref("flow_run.empirical_policy")}, '$.retry_type')`;
  return sql<SqlBool>`(${retryType} is null or ${retryType} != 'in_process')`;
}

/**
 * A queue's Scheduled runs a worker may start, soonest first: due by `before` (and from `after`),
 * not retried in process, at most `limit`.
 */
export async function scheduledRunIdsOfQueue(
  database: Database,
  db: Executor,
  queueId: string,
  options: { before?: string | null; after?: string | null; limit: number },
): Promise<{ id: string; next_scheduled_start_time: string | null }[]> {
  if (options.limit <= 0) return [];
  let q = db
    .selectFrom("flow_run")
    .select(["id", "next_scheduled_start_time"])
    .where("work_queue_id", "=", queueId)
    .where("state_type", "=", "SCHEDULED")
    .where(notRetriedInProcess(database));
  if (options.before) q = q.where("next_scheduled_start_time", "<=", options.before);
  if (options.after) q = q.where("next_scheduled_start_time", ">=", options.after);
  return q
    .orderBy("next_scheduled_start_time", "asc")
    .orderBy("id", "asc")
    .limit(options.limit)
    .execute();
}

/** Runs of a queue in the `Late` state. */
export async function countLateRuns(db: Executor, queueId: string): Promise<number> {
  const row = await db
    .selectFrom("flow_run")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("work_queue_id", "=", queueId)
    .where("state_name", "=", "Late")
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

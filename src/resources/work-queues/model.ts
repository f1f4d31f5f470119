/**
 * Work queues by id (Prefect's `api/work_queues.py`, `models/work_queues.py`): the routes under
 * `/work_queues` that older clients and the UI use. Queues live in pools (`work-pools/model.ts`);
 * one created here without a pool goes to Prefect's `default-agent-pool`, created with it.
 */
import { ConflictError, ObjectNotFoundError } from "../../core/errors.ts";
import { FlowRunSort } from "../../core/filters.ts";
import type { FlowRun } from "../../core/runs.ts";
import { secondsBetween } from "../../core/time.ts";
import {
  DEFAULT_AGENT_WORK_POOL_NAME,
  DEFAULT_WORK_QUEUE_NAME,
  type Paging,
  WORK_QUEUE_READY_SECONDS,
  type WorkQueue,
  type WorkQueueCreate,
  type WorkQueueFilter,
  type WorkQueueUpdate,
} from "../../core/work-pools.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import { filterFlowRuns } from "../flow-runs/model.ts";
import {
  agentPool,
  applyQueueUpdate,
  insertQueueInPool,
  readQueueWithPool,
  removeQueue,
} from "../work-pools/model.ts";
import * as queues from "./queries.ts";

const notFound = () => new ObjectNotFoundError("work queue not found");

/** How a queue's health is judged (`WorkQueueHealthPolicy`, Prefect's defaults). */
const HEALTH_POLICY = { maximum_late_runs: 0, maximum_seconds_since_last_polled: 60 };

export interface WorkQueueStatusDetail {
  healthy: boolean;
  late_runs_count: number;
  last_polled: string | null;
  health_check_policy: typeof HEALTH_POLICY;
}

async function answer(ctx: AppContext, row: Parameters<typeof queues.toWorkQueues>[1][number]) {
  const [queue] = await queues.toWorkQueues(ctx.database, [row], ctx.clock.nowIso());
  return queue as WorkQueue;
}

/** A queue in the agent pool (`POST /work_queues/`); 409 when it has one of that name. */
export async function createWorkQueue(ctx: AppContext, input: WorkQueueCreate): Promise<WorkQueue> {
  const taken = () => new ConflictError("A work queue with this name already exists.");
  try {
    const row = await inTransaction(ctx, async ({ db }) => {
      const { pool, created } = await agentPool(ctx, db);
      const existing = await queues.readWorkQueueRowByName(db, pool.name, input.name);
      // the agent pool's default queue is made with it: asking for it then is not a conflict
      if (existing && created && existing.name === DEFAULT_WORK_QUEUE_NAME) return existing;
      if (existing) throw taken();
      return insertQueueInPool(ctx, db, pool.id, input);
    });
    return answer(ctx, row);
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

export async function readWorkQueue(ctx: AppContext, id: string): Promise<WorkQueue> {
  const row = await queues.readWorkQueueRow(ctx.database.db, id);
  if (!row) throw notFound();
  return answer(ctx, row);
}

/** The queue of this name in the agent pool (any pool's when there is no agent pool). */
export async function readWorkQueueByName(ctx: AppContext, name: string): Promise<WorkQueue> {
  const db = ctx.database.db;
  const agent = await db
    .selectFrom("work_pool")
    .select("id")
    .where("name", "=", DEFAULT_AGENT_WORK_POOL_NAME)
    .executeTakeFirst();
  const rows = await queues.filterWorkQueueRows(db, {
    filter: { name: { any_: [name] } },
    limit: 200,
    offset: 0,
  });
  const row = agent ? rows.find((r) => r.work_pool_id === agent.id) : rows[0];
  if (!row) throw notFound();
  return answer(ctx, row);
}

export async function filterWorkQueues(
  ctx: AppContext,
  listing: { work_queues?: WorkQueueFilter | null } & Paging = {},
): Promise<WorkQueue[]> {
  const rows = await queues.filterWorkQueueRows(ctx.database.db, {
    filter: listing.work_queues,
    limit: listing.limit ?? 200,
    offset: listing.offset ?? 0,
  });
  return queues.toWorkQueues(ctx.database, rows, ctx.clock.nowIso());
}

export async function updateWorkQueue(
  ctx: AppContext,
  id: string,
  update: WorkQueueUpdate,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const row = await queues.readWorkQueueRow(db, id);
    if (!row) throw new ObjectNotFoundError(`Work Queue ${id} not found`);
    await applyQueueUpdate(ctx, db, row, update);
  });
}

export async function deleteWorkQueue(ctx: AppContext, id: string): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const row = await queues.readWorkQueueRow(db, id);
    if (!row) throw notFound();
    await removeQueue(db, row);
  });
}

/**
 * `POST /work_queues/{id}/get_runs`: the queue's Scheduled runs due by `scheduledBefore`, soonest
 * first, within its free slots (none when it or its pool is paused). The queue is marked polled
 * unless `markPolled` is false (the UI's peeks say so).
 */
export async function readWorkQueueRuns(
  ctx: AppContext,
  id: string,
  options: { scheduledBefore?: string | null; limit?: number; markPolled?: boolean } = {},
): Promise<FlowRun[]> {
  const found = await readQueueWithPool(ctx, id);
  if (!found) throw new ObjectNotFoundError(`Work queue with id ${id} not found.`);
  const { queue, pool } = found;
  const d = ctx.database.dialect;
  let room = options.limit ?? 200;
  if (d.fromBool(queue.is_paused) || d.fromBool(pool.is_paused)) room = 0;
  if (queue.concurrency_limit !== null) {
    const busy = (await queues.activeSlotsByQueue(ctx.database.db, [id])).get(id) ?? 0;
    room = Math.min(room, Math.max(0, queue.concurrency_limit - busy));
  }
  const picked = await queues.scheduledRunIdsOfQueue(ctx.database, ctx.database.db, id, {
    before: options.scheduledBefore,
    limit: room,
  });
  const runs =
    picked.length === 0
      ? []
      : await filterFlowRuns(ctx, {
          flow_runs: { id: { any_: picked.map((p) => p.id) } },
          sort: FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
          limit: picked.length,
        });
  if (options.markPolled !== false) {
    await queues.markQueuesPolled(ctx.database.db, [id], ctx.clock.nowIso());
  }
  return runs;
}

/** `GET /work_queues/{id}/status`: healthy while polled in the last 60 s with no late run. */
export async function readWorkQueueStatus(
  ctx: AppContext,
  id: string,
): Promise<WorkQueueStatusDetail> {
  const row = await queues.readWorkQueueRow(ctx.database.db, id);
  if (!row) throw new ObjectNotFoundError(`Work queue with id ${id} not found`);
  const lateHere = await queues.countLateRuns(ctx.database.db, id);
  const recent =
    row.last_polled !== null &&
    secondsBetween(row.last_polled, ctx.clock.nowIso()) <= WORK_QUEUE_READY_SECONDS;
  return {
    healthy: lateHere <= HEALTH_POLICY.maximum_late_runs && recent,
    late_runs_count: lateHere,
    last_polled: row.last_polled,
    health_check_policy: { ...HEALTH_POLICY },
  };
}

/**
 * What a worker polls (`POST /work_pools/{name}/get_scheduled_flow_runs`, Prefect's
 * `get_scheduled_flow_runs_from_work_pool`): the Scheduled runs of a pool's queues that may start
 * now — nothing from a paused pool or a paused queue; per queue, at most its free slots (its
 * `concurrency_limit` less its runs Pending or Running), soonest first; then, over the pool, the
 * highest-priority queue's runs first, soonest first within a priority, at most the pool's free
 * slots and `limit`. Runs awaiting a retry in their own process are not offered. The queues polled
 * and their deployments are marked polled (READY), as Prefect's server does after answering.
 */
import { FlowRunSort } from "../../core/filters.ts";
import type { FlowRun } from "../../core/runs.ts";
import { compareIso } from "../../core/time.ts";
import type { WorkerFlowRun } from "../../core/work-pools.ts";
import type { AppContext } from "../../services/context.ts";
import { filterFlowRuns } from "../flow-runs/model.ts";
import * as queues from "../work-queues/queries.ts";
import { poolNotFound, queueNotFound } from "./model.ts";
import * as pools from "./queries.ts";

/** Prefect's default `limit` of this route's body (`PREFECT_API_DEFAULT_LIMIT`). */
const DEFAULT_LIMIT = 200;

export interface WorkerPollOptions {
  /** Only these queues of the pool (all of them when empty or left out). */
  workQueueNames?: readonly string[] | null;
  /** Runs due by this time (ISO 8601); all Scheduled runs when left out. */
  scheduledBefore?: string | null;
  /** Runs due from this time. */
  scheduledAfter?: string | null;
  limit?: number | null;
}

export async function readWorkerScheduledRuns(
  ctx: AppContext,
  poolName: string,
  options: WorkerPollOptions = {},
): Promise<WorkerFlowRun[]> {
  const db = ctx.database.db;
  const pool = await pools.readWorkPoolRowByName(db, poolName);
  if (!pool) throw poolNotFound(poolName);
  const names = options.workQueueNames ?? [];
  let selected = await queues.readPoolQueueRows(db, pool.id);
  if (names.length > 0) {
    const byName = new Map(selected.map((q) => [q.name, q]));
    selected = [...new Set(names)].map((name) => {
      const queue = byName.get(name);
      if (!queue) throw queueNotFound(poolName, name);
      return queue;
    });
  }
  const limit = options.limit ?? DEFAULT_LIMIT;
  const d = ctx.database.dialect;
  const picked: { queueId: string; priority: number; id: string; due: string | null }[] = [];
  if (!d.fromBool(pool.is_paused) && limit > 0) {
    const open = selected.filter((q) => !d.fromBool(q.is_paused));
    const limited = open.filter((q) => q.concurrency_limit !== null).map((q) => q.id);
    const busy = await queues.activeSlotsByQueue(db, limited);
    for (const queue of open) {
      const free =
        queue.concurrency_limit === null
          ? limit
          : Math.max(0, queue.concurrency_limit - (busy.get(queue.id) ?? 0));
      const runs = await queues.scheduledRunIdsOfQueue(ctx.database, db, queue.id, {
        before: options.scheduledBefore,
        after: options.scheduledAfter,
        limit: Math.min(free, limit),
      });
      for (const run of runs) {
        picked.push({
          queueId: queue.id,
          priority: queue.priority,
          id: run.id,
          due: run.next_scheduled_start_time,
        });
      }
    }
    picked.sort((a, b) => a.priority - b.priority || compareIso(a.due ?? "", b.due ?? "") || 0);
    let room = limit;
    if (pool.concurrency_limit !== null) {
      const poolBusy = (await pools.activeSlotsByPool(db, [pool.id])).get(pool.id) ?? 0;
      room = Math.min(room, Math.max(0, pool.concurrency_limit - poolBusy));
    }
    picked.splice(room);
  }
  const runs = await readRuns(
    ctx,
    picked.map((p) => p.id),
  );
  const now = ctx.clock.nowIso();
  const polled = unmarkedQueues(
    ctx,
    selected.map((q) => q.id),
  );
  if (polled.length > 0) {
    await queues.markQueuesPolled(db, polled, now);
    await queues.markQueueDeploymentsPolled(db, polled, now);
  }
  return picked.flatMap((p) => {
    const run = runs.get(p.id);
    return run ? [{ work_pool_id: pool.id, work_queue_id: p.queueId, flow_run: run }] : [];
  });
}

/**
 * A queue (and its deployments) is marked polled at most every `MARK_POLLED_EVERY_MS` by this
 * process: a pushed worker polls on every run it is told of, and READY needs a poll within 60 s,
 * so writing each poll would only cost (two writes per poll, on the path to every run's start).
 */
const MARK_POLLED_EVERY_MS = 5000;
const lastMarked = new WeakMap<AppContext, Map<string, number>>();

function unmarkedQueues(ctx: AppContext, ids: readonly string[]): string[] {
  let marked = lastMarked.get(ctx);
  if (!marked) {
    marked = new Map();
    lastMarked.set(ctx, marked);
  }
  const now = Date.now();
  const due = ids.filter((id) => now - (marked.get(id) ?? 0) >= MARK_POLLED_EVERY_MS);
  for (const id of due) marked.set(id, now);
  return due;
}

async function readRuns(ctx: AppContext, ids: readonly string[]): Promise<Map<string, FlowRun>> {
  if (ids.length === 0) return new Map();
  const runs = await filterFlowRuns(ctx, {
    flow_runs: { id: { any_: [...ids] } },
    sort: FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
    limit: ids.length,
  });
  return new Map(runs.map((r) => [r.id, r]));
}

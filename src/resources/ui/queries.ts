/**
 * The small aggregate queries behind Prefect's `/ui/*` routes: task runs per flow run, the next
 * scheduled run of each flow, task runs per state type, and the dashboard's task-run counts.
 */

import type {
  FlowRunsQuery as DashboardCountsBody,
  TaskRunsQuery as TaskRunsCountBody,
} from "../../core/filters.ts";
import { StateType, TERMINAL_STATE_TYPES } from "../../core/state-types.ts";
import { isoToMicros, microsToIso, normalizeIso, nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import {
  type Cond,
  countPerInterval,
  type Interval,
  taskRunCondition,
} from "../history/queries.ts";

/** Task runs of each flow run, placeholders of subflow runs excluded (0 for unknown ids). */
export async function countTaskRunsByFlowRun(
  database: Database,
  flowRunIds: readonly string[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of flowRunIds) out[id] = 0;
  if (flowRunIds.length === 0) return out;
  const rows = await database.db
    .selectFrom("task_run")
    .select(["task_run.flow_run_id", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("task_run.flow_run_id", "in", [...flowRunIds])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("flow_run")
            .select("flow_run.id")
            .whereRef("flow_run.parent_task_run_id", "=", "task_run.id"),
        ),
      ),
    )
    .groupBy("task_run.flow_run_id")
    .execute();
  for (const r of rows) if (r.flow_run_id) out[r.flow_run_id] = Number(r.n);
  return out;
}

export interface SimpleNextFlowRun {
  id: string;
  flow_id: string;
  name: string;
  state_name: string;
  state_type: StateType;
  next_scheduled_start_time: string;
}

/** For each flow, its SCHEDULED run with the earliest `next_scheduled_start_time`, or null. */
export async function nextRunsByFlow(
  database: Database,
  flowIds: readonly string[],
): Promise<Record<string, SimpleNextFlowRun | null>> {
  const out: Record<string, SimpleNextFlowRun | null> = {};
  for (const id of flowIds) out[id] = null;
  if (flowIds.length === 0) return out;
  const rows = await database.db
    .selectFrom("flow_run")
    .select(["id", "flow_id", "name", "state_name", "state_type", "next_scheduled_start_time"])
    .where("flow_id", "in", [...flowIds])
    .where("state_type", "=", StateType.SCHEDULED)
    .where("next_scheduled_start_time", "is not", null)
    .orderBy("flow_id")
    .orderBy("next_scheduled_start_time")
    .orderBy("id")
    .execute();
  for (const r of rows) {
    if (out[r.flow_id] || r.next_scheduled_start_time === null) continue;
    out[r.flow_id] = {
      id: r.id,
      flow_id: r.flow_id,
      name: r.name,
      state_name: r.state_name ?? "Scheduled",
      state_type: r.state_type as StateType,
      next_scheduled_start_time: normalizeIso(r.next_scheduled_start_time),
    };
  }
  return out;
}

/** Prefect's `CountByState`: matching task runs per state type, every type present. */
export async function countTaskRunsByState(
  database: Database,
  where: Cond,
): Promise<Record<StateType, number>> {
  const out = Object.fromEntries(
    [
      StateType.COMPLETED,
      StateType.PENDING,
      StateType.RUNNING,
      StateType.FAILED,
      StateType.CANCELLED,
      StateType.CRASHED,
      StateType.PAUSED,
      StateType.CANCELLING,
      StateType.SCHEDULED,
    ].map((t) => [t, 0]),
  ) as Record<StateType, number>;
  const rows = await database.db
    .selectFrom("task_run")
    .select(["task_run.state_type", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where(where)
    .where("task_run.state_type", "is not", null)
    .groupBy("task_run.state_type")
    .execute();
  for (const r of rows) if (r.state_type) out[r.state_type as StateType] = Number(r.n);
  return out;
}

/** Buckets of the UI dashboard's task-run chart. */
export const DASHBOARD_BUCKETS = 20;
const MINUTE = 60_000_000n;

/** `[after_ to the minute, before_ (or now) to the end of its minute)` in 20 equal intervals. */
export function dashboardIntervals(after: string, before: string | null | undefined): Interval[] {
  const start = (isoToMicros(normalizeIso(after)) / MINUTE) * MINUTE;
  const end = (isoToMicros(normalizeIso(before ?? nowIso())) / MINUTE + 1n) * MINUTE;
  const window = end - start;
  const bound = (i: number) => start + (window * BigInt(i)) / BigInt(DASHBOARD_BUCKETS);
  return Array.from({ length: DASHBOARD_BUCKETS }, (_, i) => ({
    start: microsToIso(bound(i)),
    end: microsToIso(bound(i + 1)),
  }));
}

const FAILED_TYPES = new Set<string>([StateType.FAILED, StateType.CRASHED]);

/**
 * `POST /ui/task_runs/dashboard/counts`: task runs in a final state by `start_time` bucket;
 * `failed` counts FAILED and CRASHED, `completed` the other final types (as Prefect).
 */
export async function dashboardTaskRunCounts(
  database: Database,
  body: DashboardCountsBody & { task_runs: NonNullable<TaskRunsCountBody["task_runs"]> },
  intervals: readonly Interval[],
): Promise<{ completed: number; failed: number }[]> {
  const where = await taskRunCondition(database, {
    ...body,
    task_runs: {
      ...body.task_runs,
      state: { operator: "and_", type: { any_: [...TERMINAL_STATE_TYPES] } },
    },
  });
  const counts = await countPerInterval(database, "task_run", "start_time", where, intervals);
  const out = intervals.map(() => ({ completed: 0, failed: 0 }));
  for (const c of counts) {
    const bucket = out[c.interval];
    if (!bucket) continue;
    if (FAILED_TYPES.has(c.state_type)) bucket.failed += c.count_runs;
    else bucket.completed += c.count_runs;
  }
  return out;
}

/** The name of a flow run, for `GET /ui/task_runs/{id}`. */
export async function flowRunName(
  database: Database,
  flowRunId: string | null,
): Promise<string | null> {
  if (!flowRunId) return null;
  const row = await database.db
    .selectFrom("flow_run")
    .select("name")
    .where("id", "=", flowRunId)
    .executeTakeFirst();
  return row?.name ?? null;
}

/**
 * Run history: runs counted per time interval and per state, as Prefect's `run_history` does for
 * `POST /flow_runs/history` and `POST /task_runs/history` (and, over `start_time`, for the UI's
 * dashboard task-run counts). The interval series is generated here in TypeScript and joined as a
 * `VALUES` list; one grouped query counts the runs of each interval, written once for both
 * dialects. What differs — a timestamp parameter and seconds since the epoch — lives in the two
 * tiny helpers below.
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type {
  FlowRunsQuery as FlowRunsCountBody,
  TaskRunsQuery as TaskRunsCountBody,
} from "../../core/filters.ts";
import { StateType, TERMINAL_STATE_TYPES } from "../../core/state-types.ts";
import { isoToMicros, microsToIso, normalizeIso, nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import { flowRunsWhere, taskRunsWhere } from "../../storage/filter-sql.ts";

export type Cond = Expression<SqlBool>;
export type RunTable = "flow_run" | "task_run";

/** Prefect returns at most 500 intervals; we refuse a window that would need more. */
export const MAX_HISTORY_INTERVALS = 500;

export interface Interval {
  start: string;
  end: string;
}

export class TooManyIntervalsError extends Error {
  readonly count: number;
  constructor(count: number) {
    super(
      `History would have more than ${MAX_HISTORY_INTERVALS} intervals; use a longer history_interval_seconds or a shorter window.`,
    );
    this.count = count;
  }
}

/**
 * `[start, start + step), [start + step, start + 2·step), …` for every start before `end` (the
 * last interval may end after `end`, as in Prefect). Empty when `end` is not after `start`.
 */
export function historyIntervals(start: string, end: string, stepSeconds: number): Interval[] {
  const from = isoToMicros(normalizeIso(start));
  const to = isoToMicros(normalizeIso(end));
  const step = BigInt(Math.round(stepSeconds * 1e6));
  if (step <= 0n) throw new RangeError("the interval must be positive");
  if (to <= from) return [];
  const count = (to - from + step - 1n) / step;
  if (count > BigInt(MAX_HISTORY_INTERVALS)) throw new TooManyIntervalsError(Number(count));
  const out: Interval[] = [];
  for (let t = from; t < to; t += step) {
    out.push({ start: microsToIso(t), end: microsToIso(t + step) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dialect differences
// ---------------------------------------------------------------------------------------------

/** A canonical ISO timestamp as a value comparable with a timestamp column. */
function timestampParam(d: StorageDialect, iso: string): RawBuilder<unknown> {
  const value = normalizeIso(iso);
  return d.name === "postgres" ? sql`cast(${value} as timestamptz)` : sql`${value}`;
}

/**
 * Seconds since the epoch of a timestamp column, exact to the microsecond. SQLite stores the
 * canonical `YYYY-MM-DDTHH:MM:SS.ffffffZ`: whole seconds from strftime plus the fraction as text.
 */
export function epochSeconds(d: StorageDialect, column: RawBuilder<unknown>): RawBuilder<number> {
  return d.name === "postgres"
    ? sql<number>`extract(epoch from ${column})`
    : sql<number>`(cast(strftime('%s', ${column}) as real) + cast(substr(${column}, 20, 7) as real))`;
}

// ---------------------------------------------------------------------------------------------
// The filter grammar as a condition on `flow_run` / `task_run`
// ---------------------------------------------------------------------------------------------

/** Prefect's flow-run filters (flows, flow runs, task runs, deployments, work pools and queues) on `flow_run`. */
export async function flowRunCondition(database: Database, body: FlowRunsCountBody): Promise<Cond> {
  return flowRunsWhere(database, body);
}

/**
 * Prefect's task-run filters (flows, flow runs, task runs, deployments; and, for the dashboard,
 * the work pools and queues of their flow runs) on `task_run`.
 */
export async function taskRunCondition(
  database: Database,
  body: TaskRunsCountBody & Pick<FlowRunsCountBody, "work_pools" | "work_pool_queues">,
): Promise<Cond> {
  return taskRunsWhere(database, body);
}

// ---------------------------------------------------------------------------------------------
// Counting per interval
// ---------------------------------------------------------------------------------------------

export interface IntervalStateCount {
  /** Index into the intervals. */
  interval: number;
  state_type: StateType;
  state_name: string;
  count_runs: number;
  sum_estimated_run_time: number;
  sum_estimated_lateness: number;
}

function positive(value: Expression<unknown>): RawBuilder<number> {
  return sql<number>`case when ${value} > 0 then ${value} else 0 end`;
}

/** Micro-second rounding of a sum of seconds. */
function seconds(value: unknown): number {
  return Math.round(Number(value ?? 0) * 1e6) / 1e6;
}

/**
 * Runs of `table` matching `where` whose `column` falls in each interval (`start <= t < end`),
 * counted per state type and name, with the sums of Prefect's `estimated_run_time` (run time so
 * far, the current RUNNING stretch included) and `estimated_start_time_delta` (how late the run
 * started, or is, if it has not started and is not final). Intervals without runs have no rows.
 */
export async function countPerInterval(
  database: Database,
  table: RunTable,
  column: "expected_start_time" | "start_time",
  where: Cond,
  intervals: readonly Interval[],
  now: string = nowIso(),
): Promise<IntervalStateCount[]> {
  if (intervals.length === 0) return [];
  const d = database.dialect;
  const c = (name: string) => sql`${sql.ref(`${table}.${name}`)}`;
  const nowEpoch = Number(isoToMicros(now)) / 1e6;
  const values = intervals.map(
    (iv, i) => sql`(${sql.lit(i)}, ${timestampParam(d, iv.start)}, ${timestampParam(d, iv.end)})`,
  );
  const runTime = positive(
    sql`${c("total_run_time")} + case when ${c("state_type")} = ${StateType.RUNNING} and ${c("state_timestamp")} is not null then ${nowEpoch} - ${epochSeconds(d, c("state_timestamp"))} else 0 end`,
  );
  const expected = epochSeconds(d, c("expected_start_time"));
  const lateness = sql<number>`case
    when ${c("start_time")} is not null and ${c("expected_start_time")} is not null
      then ${positive(sql`${epochSeconds(d, c("start_time"))} - ${expected}`)}
    when ${c("start_time")} is null and ${c("expected_start_time")} is not null
      and ${c("state_type")} not in (${sql.join([...TERMINAL_STATE_TYPES])})
      then ${positive(sql`${nowEpoch} - ${expected}`)}
    else 0 end`;
  const time = c(column);
  const rows = await sql<{
    bucket: number | string;
    state_type: StateType;
    state_name: string | null;
    count_runs: number | string;
    run_time: number | string | null;
    lateness: number | string | null;
  }>`select iv.column1 as bucket, ${c("state_type")} as state_type,
      ${c("state_name")} as state_name, count(*) as count_runs,
      cast(sum(${runTime}) as double precision) as run_time,
      cast(sum(${lateness}) as double precision) as lateness
    from ${sql.table(table)}
    join (values ${sql.join(values)}) as iv on ${time} >= iv.column2 and ${time} < iv.column3
    where ${where} and ${c("state_type")} is not null
    group by iv.column1, ${c("state_type")}, ${c("state_name")}
    order by iv.column1, ${c("state_type")}, ${c("state_name")}`.execute(database.db);
  return rows.rows.map((r) => ({
    interval: Number(r.bucket),
    state_type: r.state_type,
    state_name: r.state_name ?? "",
    count_runs: Number(r.count_runs),
    sum_estimated_run_time: seconds(r.run_time),
    sum_estimated_lateness: seconds(r.lateness),
  }));
}

export interface HistoryInterval {
  interval_start: string;
  interval_end: string;
  states: Omit<IntervalStateCount, "interval">[];
}

/** Prefect's `HistoryResponse` list: every interval, with the runs expected to start in it. */
export async function runHistory(
  database: Database,
  table: RunTable,
  where: Cond,
  intervals: readonly Interval[],
): Promise<HistoryInterval[]> {
  const counts = await countPerInterval(database, table, "expected_start_time", where, intervals);
  const out: HistoryInterval[] = intervals.map((iv) => ({
    interval_start: iv.start,
    interval_end: iv.end,
    states: [],
  }));
  for (const { interval, ...state } of counts) out[interval]?.states.push(state);
  return out;
}

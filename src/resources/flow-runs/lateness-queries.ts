/**
 * Prefect's `POST /flow_runs/lateness`: the average, over the filtered flow runs, of
 * `estimated_start_time_delta` — how much later than `expected_start_time` a run started, or, for
 * a run not started and not in a final state, how late it is now; 0 otherwise (a run without an
 * expected start time counts as 0). `null` when no run matches.
 */
import { sql } from "kysely";
import type { FlowRunsQuery } from "../../core/filters.ts";
import { TERMINAL_STATE_TYPES } from "../../core/state-types.ts";
import { isoToMicros, nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import { flowRunsWhere } from "../../storage/filter-sql.ts";
import { epochSeconds } from "../history/queries.ts";

export async function averageFlowRunLateness(
  database: Database,
  body: FlowRunsQuery,
  now: string = nowIso(),
): Promise<number | null> {
  const d = database.dialect;
  const c = (column: string) => sql`${sql.ref(`flow_run.${column}`)}`;
  const nowEpoch = Number(isoToMicros(now)) / 1e6;
  const start = epochSeconds(d, c("start_time"));
  const expected = epochSeconds(d, c("expected_start_time"));
  const lateness = sql<number>`case
    when ${start} > ${expected} then ${start} - ${expected}
    when ${c("start_time")} is null and ${c("state_type")} not in (${sql.join([...TERMINAL_STATE_TYPES])})
      and ${expected} < ${nowEpoch} then ${nowEpoch} - ${expected}
    else 0 end`;
  const { rows } = await sql<{
    lateness: number | string | null;
  }>`select cast(avg(${lateness}) as double precision) as lateness from flow_run
    where ${flowRunsWhere(database, body)}`.execute(database.db);
  const value = rows[0]?.lateness;
  return value === null || value === undefined ? null : Math.round(Number(value) * 1e6) / 1e6;
}

/** The late-runs service's query: Scheduled runs past their time (Prefect's `MarkLateRuns`). */
import { StateType } from "../../core/state-types.ts";
import type { Database } from "../../storage/database.ts";

/**
 * Flow runs in the `Scheduled` state (not yet `Late`) whose next scheduled start time is at or
 * before `before`, `limit` of them.
 */
export async function readRunsToMarkLate(
  database: Database,
  before: string,
  limit: number,
): Promise<{ id: string; next_scheduled_start_time: string | null }[]> {
  return database.db
    .selectFrom("flow_run")
    .select(["id", "next_scheduled_start_time"])
    .where("next_scheduled_start_time", "<=", before)
    .where("state_type", "=", StateType.SCHEDULED)
    .where("state_name", "=", "Scheduled")
    .orderBy("next_scheduled_start_time")
    .limit(limit)
    .execute();
}

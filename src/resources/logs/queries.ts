import type { LogSort, LogsQuery, Page } from "../../core/filters.ts";
import { uuid7 } from "../../core/ids.ts";
import type { LogRecord } from "../../core/runs.ts";
import { type BulkInsert, runBulkInserts } from "../../storage/bulk-insert.ts";
import type { Database } from "../../storage/database.ts";
import { logsOrder, logsWhere } from "../../storage/filter-sql.ts";
import { logFromRow } from "../../storage/rows.ts";
import type { LogTable } from "../../storage/schema.ts";

/** Insert a batch of log records in one transaction. */
export async function createLogs(
  database: Database,
  logs: readonly LogRecord[],
  created: string,
): Promise<void> {
  if (logs.length === 0) return;
  const rows: LogTable[] = logs.map((l) => ({
    id: l.id ?? uuid7(),
    created,
    updated: created,
    name: l.name,
    level: l.level,
    flow_run_id: l.flow_run_id,
    task_run_id: l.task_run_id,
    message: l.message,
    timestamp: l.timestamp,
  }));
  await runBulkInserts(database, [
    {
      key: "log.insert",
      rows,
      query: (chunk: LogTable[]) => database.db.insertInto("log").values(chunk),
    },
  ] as BulkInsert<object>[]);
}

/** The log records a listing selects, in its order. */
export async function filterLogs(
  database: Database,
  listing: LogsQuery & Page<LogSort>,
): Promise<Required<LogRecord>[]> {
  let q = database.db.selectFrom("log").selectAll("log").where(logsWhere(database, listing));
  for (const [expr, modifiers] of logsOrder(listing.sort)) q = q.orderBy(expr, modifiers);
  const rows = await q.limit(listing.limit).offset(listing.offset).execute();
  return rows.map(logFromRow);
}

import { uuid7 } from "../../core/ids.ts";
import type { LogListOptions } from "../../core/list-options.ts";
import type { LogRecord } from "../../core/runs.ts";
import { type BulkInsert, runBulkInserts } from "../../storage/bulk-insert.ts";
import type { Database } from "../../storage/database.ts";
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

export async function readLogs(
  database: Database,
  o: LogListOptions = {},
): Promise<Required<LogRecord>[]> {
  let q = database.db.selectFrom("log").selectAll();
  if (o.flowRunId) q = q.where("flow_run_id", "=", o.flowRunId);
  if (o.taskRunId) q = q.where("task_run_id", "=", o.taskRunId);
  if (o.minLevel !== undefined) q = q.where("level", ">=", o.minLevel);
  const dir = o.order ?? "asc";
  const rows = await q
    .orderBy("timestamp", dir)
    .orderBy("id", dir)
    .limit(o.limit ?? 200)
    .offset(o.offset ?? 0)
    .execute();
  return rows.map(logFromRow);
}

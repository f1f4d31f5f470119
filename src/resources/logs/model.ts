/** Logs in the models layer: batches written by clients, and the filtered listing. */
import { DEFAULT_SORTS, LogSort, type LogsListing, resolvePage } from "../../core/filters.ts";
import type { LogRecord } from "../../core/runs.ts";
import { normalizeIso } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import * as logs from "./queries.ts";

/** Write a batch of log records in one transaction, timestamps in Prefect's form. */
export async function createLogs(ctx: AppContext, records: readonly LogRecord[]): Promise<void> {
  await logs.createLogs(ctx.database, withCanonicalTimestamps(records), ctx.clock.nowIso());
}

/** The records, with each timestamp normalised (copies only of those that were not). */
function withCanonicalTimestamps(records: readonly LogRecord[]): readonly LogRecord[] {
  let out: LogRecord[] | null = null;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as LogRecord;
    const timestamp = normalizeIso(record.timestamp);
    if (timestamp === record.timestamp) continue;
    out ??= records.slice();
    out[i] = { ...record, timestamp };
  }
  return out ?? records;
}

export async function filterLogs(
  ctx: AppContext,
  listing: LogsListing = {},
): Promise<Required<LogRecord>[]> {
  return logs.filterLogs(ctx.database, {
    ...listing,
    ...resolvePage(listing, DEFAULT_SORTS.logs, LogSort),
  });
}

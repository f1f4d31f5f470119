/** Logs in the models layer: batches written by clients, and the filtered listing. */
import { DEFAULT_SORTS, LogSort, type LogsListing, resolvePage } from "../../core/filters.ts";
import type { LogRecord } from "../../core/runs.ts";
import type { AppContext } from "../../services/context.ts";
import * as logs from "./queries.ts";

/** Write a batch of log records in one transaction. */
export function createLogs(ctx: AppContext, records: readonly LogRecord[]): Promise<void> {
  return logs.createLogs(ctx.database, records, ctx.clock.nowIso());
}

export function filterLogs(
  ctx: AppContext,
  listing: LogsListing = {},
): Promise<Required<LogRecord>[]> {
  return logs.filterLogs(ctx.database, {
    ...listing,
    ...resolvePage(listing, DEFAULT_SORTS.logs, LogSort),
  });
}

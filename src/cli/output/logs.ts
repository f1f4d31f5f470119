/** Which logs `flow-run logs` / `task-run logs` show, and how: Prefect's head/tail/reverse rules. */
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { LogRecord } from "../../core/runs.ts";
import { CliError } from "../support.ts";

export const DEFAULT_NUM_LOGS = 20;
const PAGE_SIZE = 200;

export interface LogsOptions {
  head?: boolean;
  tail?: boolean;
  reverse?: boolean;
  numLogs?: number;
}

/** Refuse `--head --tail` before anything is opened. */
export function checkLogsOptions(options: LogsOptions): void {
  if (options.head && options.tail) {
    throw new CliError("Please provide either a `head` or `tail` option but not both.");
  }
}

/**
 * The logs of one run in display order. All of them by default (oldest first); the first or last
 * N (`-n`, default 20) with `--head` / `--tail`; `--reverse` shows the most recent first.
 */
export async function selectLogs(
  client: PrefectClient,
  run: { flowRunId: string } | { taskRunId: string },
  options: LogsOptions,
): Promise<LogRecord[]> {
  const limited = options.head || options.tail || options.numLogs !== undefined;
  const wanted = limited ? (options.numLogs ?? DEFAULT_NUM_LOGS) : Number.POSITIVE_INFINITY;
  const order = options.reverse || options.tail ? "desc" : "asc";
  const logs: LogRecord[] = [];
  while (logs.length < wanted) {
    const limit = Math.min(PAGE_SIZE, wanted - logs.length);
    const page = await client.readLogs({ ...run, order, limit, offset: logs.length });
    logs.push(...page);
    if (page.length < limit) break;
  }
  if (options.tail && !options.reverse) logs.reverse();
  return logs;
}

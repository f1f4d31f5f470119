/** How runs, states and logs read on the terminal. */
import type { FlowRun, LogRecord, TaskRun } from "../../core/runs.ts";
import { renderTable } from "./table.ts";
import { humanizeDiff, logTimestamp } from "./time.ts";

/** The State column of `ls`: the state type, as Prefect prints it (`COMPLETED`). */
export function stateLabel(run: FlowRun | TaskRun): string {
  return run.state?.type ?? run.state_type ?? "Unknown";
}

/** The When column of `ls`: the scheduled time of a scheduled run, else the state's timestamp. */
export function whenLabel(run: FlowRun | TaskRun, nowMs?: number): string {
  const state = run.state;
  const stamp =
    state?.type === "SCHEDULED"
      ? (state.state_details.scheduled_time ?? state.timestamp)
      : (state?.timestamp ?? run.created);
  return humanizeDiff(stamp, nowMs);
}

/** Newest first by creation time, as Prefect sorts the rows it lists. */
export function byCreatedDesc<T extends { created: string }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
}

/**
 * The `ls` table of flow or task runs, newest first: ID, the flow's or task's name (`nameOf`),
 * then the run's Name, State and When.
 */
export function renderRunsTable<T extends FlowRun | TaskRun>(
  kind: "Flow" | "Task",
  runs: readonly T[],
  nameOf: (run: T) => string,
): string {
  const rows = byCreatedDesc(runs).map((r) => [
    r.id,
    nameOf(r),
    r.name,
    stateLabel(r),
    whenLabel(r),
  ]);
  const columns = [kind, "Name", "State", "When"].map((header) => ({ header }));
  return renderTable({
    title: `${kind} Runs`,
    columns: [{ header: "ID", justify: "right" }, ...columns],
    rows,
  });
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  0: "NOTSET",
  10: "DEBUG",
  20: "INFO",
  30: "WARNING",
  40: "ERROR",
  50: "CRITICAL",
};

/** Python's `logging.getLevelName` for a numeric level (`Level 25` for unnamed ones). */
export function levelName(level: number): string {
  return LEVEL_NAMES[level] ?? `Level ${level}`;
}

/**
 * One log line as Prefect's `flow-run logs` / `task-run logs` print it:
 * `2024-05-01 12:00:00.123 | INFO    | Flow run 'tireless-nyala' - message`.
 */
export function logLine(log: LogRecord, runKind: "Flow run" | "Task run", runName: string): string {
  const level = levelName(log.level).padEnd(7);
  return `${logTimestamp(log.timestamp)} | ${level} | ${runKind} '${runName}' - ${log.message}`;
}

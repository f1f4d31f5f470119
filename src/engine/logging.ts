/**
 * Run loggers: each record goes to the console (at or above `PREFECT_LOGGING_LEVEL`) and to the
 * run's log, shipped to the database or API in batches with the run's other records.
 */

import type { LogRecord } from "../core/runs.ts";
import { nowIso } from "../core/time.ts";
import { writeConsoleLine } from "./console-sink.ts";
import { LogLevel, type LogLevelName } from "./log-levels.ts";

/** Where a run's log records go to be stored. */
export interface LogShipper {
  log(record: LogRecord): void;
}

export interface RunLoggerOptions {
  name: string;
  /** `Flow run 'name' - ` / `Task run 'name' - ` */
  prefix: string;
  flowRunId: string | null;
  taskRunId: string | null;
  level: number;
  shipper: LogShipper | null;
}

function format(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return args
    .map((a, i) => {
      if (typeof a === "string") return a;
      if (a instanceof Error) {
        const text = a.stack ?? `${a.name}: ${a.message}`;
        return i === 0 ? text : `\n${text}`;
      }
      try {
        return JSON.stringify(a);
      } catch {
        return String(a);
      }
    })
    .join(" ")
    .replace(/ \n/g, "\n");
}

/** A logger bound to one flow or task run. */
export class RunLogger {
  readonly #o: RunLoggerOptions;

  constructor(options: RunLoggerOptions) {
    this.#o = options;
  }

  get level(): number {
    return this.#o.level;
  }

  /** Log at a numeric level. */
  log(level: number, ...args: unknown[]): void {
    if (level < this.#o.level) return;
    const timestamp = nowIso();
    const message = format(args);
    writeConsoleLine(level, this.#o.prefix, message);
    this.#o.shipper?.log({
      name: this.#o.name,
      level,
      message,
      timestamp,
      flow_run_id: this.#o.flowRunId,
      task_run_id: this.#o.taskRunId,
    });
  }
  /**
   * Write a line to the console only, not to the run's log (Prefect's `send_to_api: False`, as for
   * the `View at …` link).
   */
  console(level: number, ...args: unknown[]): void {
    if (level < this.#o.level) return;
    writeConsoleLine(level, this.#o.prefix, format(args));
  }
  debug(...args: unknown[]): void {
    this.log(LogLevel.DEBUG, ...args);
  }
  info(...args: unknown[]): void {
    this.log(LogLevel.INFO, ...args);
  }
  warning(...args: unknown[]): void {
    this.log(LogLevel.WARNING, ...args);
  }
  warn(...args: unknown[]): void {
    this.log(LogLevel.WARNING, ...args);
  }
  error(...args: unknown[]): void {
    this.log(LogLevel.ERROR, ...args);
  }
  critical(...args: unknown[]): void {
    this.log(LogLevel.CRITICAL, ...args);
  }
}

export function parseLevel(name: LogLevelName | string): number {
  return LogLevel[name.toUpperCase() as LogLevelName] ?? LogLevel.INFO;
}

/** A logger for code outside any run: console only. */
export function consoleLogger(level: number): RunLogger {
  return new RunLogger({
    name: "prefect",
    prefix: "",
    flowRunId: null,
    taskRunId: null,
    level,
    shipper: null,
  });
}

/**
 * The application context every model function takes: one database, one clock, one event bus and
 * the settings. Both transports hold one: the HTTP server (`server/app.ts`) and the embedded client
 * (`embedded/embedded-client.ts`) build it in `services/composition.ts` and call the same models
 * with it, so that listing, recording, orchestration, events and errors are one implementation.
 */
import type { Event, ReceivedEvent } from "../core/events.ts";
import type { Clock } from "../core/time.ts";
import type { Settings } from "../settings/settings.ts";
import type { Database } from "../storage/database.ts";

/**
 * Where events go once they are facts: to the live subscribers of `/events/out` and the registered
 * consumers (the task-run recorder; later triggers), and — for events reported by clients — to the
 * event store.
 */
export interface EventBus {
  /** Events written in a transaction that has committed (the outbox): published, not stored again. */
  publishStored(events: readonly ReceivedEvent[]): void;
  /** Events reported by a client: published at once, handed to consumers, stored soon after. */
  receive(events: readonly Event[]): void;
  /** Write what is buffered; resolves once it is written, or waits for a retry after a failure. */
  flush(): Promise<void>;
  /**
   * Resolves once every event received so far has been handed to its consumers and written by
   * them (task-run events recorded): what a read of task runs waits for, so that a client reading
   * after reporting sees what it reported. At once when nothing waits.
   */
  settle(): Promise<void>;
}

/** What the models and services log through (pino's, and Fastify's, logger has this shape). */
export interface AppLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Warnings and errors on standard error, one line each (the default where there is no server log:
 * embedded, or a server started without a request logger); information is left out.
 */
export const stderrLogger: AppLogger = {
  info: () => undefined,
  warn: (details, message) => writeLine("WARNING", details, message),
  error: (details, message) => writeLine("ERROR", details, message),
};

function writeLine(level: string, details: object, message: string): void {
  const { err, ...rest } = details as { err?: unknown };
  const reason = err instanceof Error ? `: ${err.message}` : "";
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
  process.stderr.write(`prefect-ts ${level}: ${message}${reason}${extra}\n`);
}

export interface AppContext {
  readonly database: Database;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly settings: Settings;
  readonly log: AppLogger;
}

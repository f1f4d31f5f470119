/**
 * Event retention, as Prefect's event persister trims the event store: events that occurred more
 * than the retention period ago (`PREFECT_SERVER_EVENTS_RETENTION_PERIOD`, 7 days by default) are
 * deleted with their resources, in batches of 10,000, every 15 minutes. Unlike Prefect, the first
 * trim runs when the service starts rather than 15 minutes later, so a server started on an old
 * database does not serve stale events until then.
 *
 * A `LoopService`: a trim that fails is logged and tried again at the next loop; the timer does
 * not keep the process alive, and `stop()` ends the service without leaving a timer or a batch
 * behind.
 */
import { type Clock, normalizeIso, systemClock } from "../core/time.ts";
import {
  deleteEventsOlderThan,
  EVENT_DELETE_BATCH_SIZE,
  type EventTrimResult,
} from "../resources/events/retention-queries.ts";
import type { Database } from "../storage/database.ts";
import { type LoopService, LoopTimer } from "./loop-service.ts";

/** What the service reports: a line per trim that deleted something, and failures. */
export interface EventRetentionLog {
  info(message: string): void;
  error(message: string): void;
}

export interface EventRetentionOptions {
  /** Keep events this many seconds after they occurred (`Settings.eventsRetentionSeconds`). */
  retentionSeconds: number;
  /** Between trims, in milliseconds. Default 15 minutes, as Prefect. */
  intervalMs?: number;
  /** Events deleted per transaction. Default 10,000, as Prefect. */
  batchSize?: number;
  /** Where "now" comes from (tests pass a fixed clock). */
  clock?: Clock;
  log?: EventRetentionLog;
}

/** Prefect's event persister trims every 15 minutes. */
export const EVENT_TRIM_INTERVAL_MS = 15 * 60 * 1000;

/** 0001-01-01T00:00:00Z: a cutoff before it deletes nothing (and is no valid timestamp). */
const EARLIEST_MS = -62_135_596_800_000;

export class EventRetention implements LoopService {
  readonly name = "EventPersister";
  readonly loopSeconds: number;
  readonly #database: Database;
  readonly #retentionMs: number;
  readonly #batchSize: number;
  readonly #clock: Clock;
  readonly #log: EventRetentionLog | undefined;
  readonly #timer: LoopTimer;

  constructor(database: Database, options: EventRetentionOptions) {
    if (!(options.retentionSeconds >= 0)) {
      throw new RangeError(`retentionSeconds must be 0 or more, not ${options.retentionSeconds}`);
    }
    this.#database = database;
    this.#retentionMs = options.retentionSeconds * 1000;
    const intervalMs = options.intervalMs ?? EVENT_TRIM_INTERVAL_MS;
    this.loopSeconds = intervalMs / 1000;
    this.#batchSize = options.batchSize ?? EVENT_DELETE_BATCH_SIZE;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log;
    this.#timer = new LoopTimer(intervalMs, (signal) => this.#trimOnce(signal));
  }

  /** Events that occurred before this are deleted by a trim now (null: nothing is old enough). */
  cutoff(): string | null {
    const ms = Date.parse(this.#clock.nowIso()) - this.#retentionMs;
    return ms >= EARLIEST_MS ? normalizeIso(new Date(ms)) : null;
  }

  /**
   * Trim now, then every interval until `stop()`. Resolves once the first trim has ended and the
   * next is scheduled (never rejects); nothing needs to wait for it.
   */
  start(): Promise<void> {
    return this.#timer.start();
  }

  /**
   * Delete the events older than the retention period now. Resolves with what was deleted, or
   * null when the trim failed (logged) or was already running; never rejects.
   */
  async trim(): Promise<EventTrimResult | null> {
    return (await this.#timer.runOnce(() => this.#trimOnce(this.#timer.signal))) ?? null;
  }

  /** Stop the timer, and wait for a running trim to end its current batch. */
  stop(): Promise<void> {
    return this.#timer.stop();
  }

  async #trimOnce(signal: AbortSignal | undefined): Promise<EventTrimResult | null> {
    const cutoff = this.cutoff();
    if (cutoff === null) return { events: 0, resources: 0, batches: 0 };
    try {
      const result = await deleteEventsOlderThan(this.#database, cutoff, {
        batchSize: this.#batchSize,
        signal,
      });
      if (result.events > 0 || result.resources > 0) {
        this.#log?.info(
          `Trimmed ${result.events} events and ${result.resources} event resources older than ${cutoff}.`,
        );
      }
      return result;
    } catch (error) {
      this.#log?.error(`Error trimming events older than ${cutoff}: ${(error as Error).message}`);
      return null;
    }
  }
}

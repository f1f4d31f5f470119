/**
 * A write lane of the event pipeline: items (received events, or what was read from them) queued,
 * written in batches one after another. A batch that fails because of what it holds (not because
 * the database is unreachable) is split in halves, written again at once, until the item at fault
 * is alone: one bad event never takes the others with it. A failed batch goes back to the front of
 * the queue and is retried after a pause, up to `maxAttempts` per item; an item that still fails
 * is dropped — never silently: each is logged at error level with why, and counted in `dropped`.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { AppLogger } from "../../services/context.ts";
import { isTransientDatabaseError } from "../../storage/database-errors.ts";

/** One kind of write of what the pipeline received. */
export class WriteLane<T> {
  readonly #name: string;
  readonly #write: (items: T[]) => Promise<unknown>;
  readonly #maxBatch: number;
  readonly #maxAttempts: number;
  readonly #retryAfterMs: number;
  readonly #log: AppLogger | undefined;
  readonly #beforeBatch: (() => Promise<void>) | undefined;
  #pending: { item: T; attempts: number }[] = [];
  #inflight: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | null = null;
  #dropped = 0;
  /** Describes a dropped item in the log (an event's id and name). */
  readonly #describe: (item: T) => object;

  constructor(
    name: string,
    write: (items: T[]) => Promise<unknown>,
    options: {
      maxBatch: number;
      maxAttempts: number;
      retryAfterMs: number;
      /** Awaited before each batch: lets another lane go first. */
      beforeBatch?: () => Promise<void>;
      /** What names a dropped item in the log. */
      describe?: (item: T) => object;
    },
    log: AppLogger | undefined,
  ) {
    this.#name = name;
    this.#write = write;
    this.#maxBatch = options.maxBatch;
    this.#maxAttempts = options.maxAttempts;
    this.#retryAfterMs = options.retryAfterMs;
    this.#beforeBatch = options.beforeBatch;
    this.#describe = options.describe ?? (() => ({}));
    this.#log = log;
  }

  get size(): number {
    return this.#pending.length;
  }

  /** Items dropped after `maxAttempts` failed writes, since the lane was made. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    this.#pending.push({ item, attempts: 0 });
  }

  /** Resolves once this lane has written what it has queued and what it is writing. */
  idle(): Promise<void> {
    return this.#pending.length === 0 ? this.#inflight : this.flush();
  }

  /** Write everything queued; resolves when it (and earlier flushes of this lane) are written. */
  flush(): Promise<void> {
    this.#inflight = this.#inflight.then(() => this.#drain());
    return this.#inflight;
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      await this.#beforeBatch?.();
      const batch = this.#pending.splice(0, this.#maxBatch);
      const failed = await this.#writeIsolating(batch);
      if (failed.length === 0) {
        // let requests waiting on the event loop in between batches
        if (this.#pending.length > 0) await yieldToEventLoop();
        continue;
      }
      const retry = failed.filter(({ entry }) => ++entry.attempts < this.#maxAttempts);
      for (const { entry, error } of failed) {
        if (entry.attempts < this.#maxAttempts) continue;
        this.#dropped++;
        this.#log?.error(
          { err: error, attempts: entry.attempts, ...this.#describe(entry.item) },
          `${this.#name} failed ${entry.attempts} times: dropped`,
        );
      }
      if (retry.length > 0) {
        this.#log?.warn(
          { err: failed[0]?.error, retrying: retry.length },
          `${this.#name} failed: retrying`,
        );
        this.#pending.unshift(...retry.map(({ entry }) => entry));
        if (this.#retryTimer === null) {
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = null;
            void this.flush();
          }, this.#retryAfterMs);
          this.#retryTimer.unref();
        }
      }
      return;
    }
  }

  /**
   * Write `batch`; on a failure caused by what it holds, write its halves on their own, down to
   * single items. Resolves with the items that could not be written, and why.
   */
  async #writeIsolating(
    batch: { item: T; attempts: number }[],
  ): Promise<{ entry: { item: T; attempts: number }; error: unknown }[]> {
    try {
      await this.#write(batch.map((p) => p.item));
      return [];
    } catch (error) {
      if (batch.length === 1 || isTransientDatabaseError(error)) {
        return batch.map((entry) => ({ entry, error }));
      }
      const half = Math.ceil(batch.length / 2);
      const first = await this.#writeIsolating(batch.slice(0, half));
      const second = await this.#writeIsolating(batch.slice(half));
      return [...first, ...second];
    }
  }
}

/**
 * A write lane of the event pipeline: items (received events, or what was read from them) queued,
 * written in batches one after another. A batch that fails because of what it holds (a constraint,
 * a value the database cannot take) is split in halves, written again at once, until the item at
 * fault is alone: one bad event never takes the others with it; such an item is tried up to
 * `maxAttempts` times. A batch that fails for any other reason (the database unreachable, busy,
 * restarting) goes back to the front of the queue whole and is retried after a pause that grows up
 * to 5 s, for as long as the lane is open, without counting against its attempts. An item that is
 * dropped — out of attempts, or still failing when the lane is closed — is never dropped silently:
 * each is logged at error level with why, and counted in `dropped`.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { AppLogger } from "../../services/context.ts";
import { isDataError } from "../../storage/database-errors.ts";

/** The longest pause between retries of a batch the database could not take. */
const MAX_RETRY_AFTER_MS = 5000;

/** An item queued, with its failed attempts and its place in arrival order. */
interface Entry<T> {
  item: T;
  attempts: number;
  seq: number;
}

/** An item that could not be written, and why. */
interface Failure<T> {
  entry: Entry<T>;
  error: unknown;
}

/** One kind of write of what the pipeline received. */
export class WriteLane<T> {
  readonly #name: string;
  readonly #write: (items: T[]) => Promise<unknown>;
  readonly #maxBatch: number;
  readonly #maxAttempts: number;
  readonly #retryAfterMs: number;
  readonly #log: AppLogger | undefined;
  readonly #beforeBatch: (() => Promise<void>) | undefined;
  #pending: Entry<T>[] = [];
  /** The sequence number of the last item pushed (items are numbered from 1 as they come). */
  #seq = 0;
  /** The lowest sequence number of the batch being written, or null. */
  #writingFrom: number | null = null;
  /** Callers of `written()`, each waiting for the items up to its mark to be settled. */
  #waiters: { mark: number; resolve: () => void }[] = [];
  #inflight: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | null = null;
  /** The pause before the next retry (doubles while the database keeps failing). */
  #retryDelayMs: number;
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
    this.#retryDelayMs = options.retryAfterMs;
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
    this.#pending.push({ item, attempts: 0, seq: ++this.#seq });
  }

  /**
   * Resolves once every item pushed so far is settled: written, or dropped (each drop is logged).
   * Unlike `idle()`, a batch waiting for its retry is waited for: this is the lane's
   * confirmation that what it was given is stored.
   */
  written(): Promise<void> {
    const mark = this.#seq;
    if (mark < this.#lowestUnsettled()) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => {
      this.#waiters.push({ mark, resolve });
    });
    void this.flush();
    return waiting;
  }

  /** The sequence number of the oldest item not settled yet (pending keeps arrival order). */
  #lowestUnsettled(): number {
    const pending = this.#pending[0]?.seq ?? Number.POSITIVE_INFINITY;
    return Math.min(pending, this.#writingFrom ?? Number.POSITIVE_INFINITY);
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0) return;
    const lowest = this.#lowestUnsettled();
    let n = 0;
    while (n < this.#waiters.length && (this.#waiters[n] as { mark: number }).mark < lowest) n++;
    if (n === 0) return;
    for (const waiter of this.#waiters.splice(0, n)) waiter.resolve();
  }

  /**
   * Resolves once this lane has written what it has queued and what it is writing; while a failed
   * batch waits for its retry, once what is being written is.
   */
  idle(): Promise<void> {
    return this.#pending.length === 0 || this.#retryTimer !== null ? this.#inflight : this.flush();
  }

  /**
   * Write everything queued; resolves when it (and earlier flushes of this lane) are written. A
   * failed batch waiting for its retry waits on, unless `now`: an explicit flush tries it at once.
   */
  flush(now = false): Promise<void> {
    if (now && this.#retryTimer !== null) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    this.#inflight = this.#inflight
      .then(() => this.#drain(false))
      .catch((error: unknown) => {
        this.#log?.error({ err: error }, `${this.#name}: unexpected failure`);
      });
    return this.#inflight;
  }

  /**
   * Stop retrying: write what is queued one last time, and drop (logging each) what still fails.
   * Resolves once done; the lane leaves no timer behind.
   */
  async close(): Promise<void> {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#inflight = this.#inflight.then(() => this.#drain(true));
    await this.#inflight;
    // what is left was dropped and logged: nobody waits for it any longer
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  async #drain(final: boolean): Promise<void> {
    // a failed batch waits for its retry (its timer calls `flush`), however often flushes come
    if (this.#retryTimer !== null && !final) return;
    while (this.#pending.length > 0) {
      if (!final) await this.#beforeBatch?.();
      const batch = this.#pending.splice(0, this.#maxBatch);
      this.#writingFrom = batch[0]?.seq ?? null;
      let failed: Failure<T>[];
      try {
        failed = await this.#writeIsolating(batch);
      } finally {
        this.#writingFrom = null;
      }
      if (failed.length === 0) {
        this.#resolveWaiters();
        this.#retryDelayMs = this.#retryAfterMs;
        // let requests waiting on the event loop in between batches
        if (this.#pending.length > 0) await yieldToEventLoop();
        continue;
      }
      const retry: typeof failed = [];
      for (const failure of failed) {
        const { entry, error } = failure;
        // what the database could not take counts; the database being away does not
        if (isDataError(error)) entry.attempts++;
        if (!final && entry.attempts < this.#maxAttempts) {
          retry.push(failure);
          continue;
        }
        this.#dropped++;
        this.#log?.error(
          { err: error, attempts: entry.attempts, ...this.#describe(entry.item) },
          `${this.#name} failed${final ? " as the lane closed" : ` ${entry.attempts} times`}: dropped`,
        );
      }
      if (retry.length === 0) this.#resolveWaiters();
      else {
        this.#log?.warn(
          { err: retry[0]?.error, retrying: retry.length, inMs: this.#retryDelayMs },
          `${this.#name} failed: retrying`,
        );
        this.#pending.unshift(...retry.map(({ entry }) => entry));
        this.#resolveWaiters();
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          void this.flush();
        }, this.#retryDelayMs);
        this.#retryTimer.unref();
        this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, MAX_RETRY_AFTER_MS);
        return;
      }
    }
  }

  /**
   * Write `batch`; on a failure caused by what it holds, write its halves on their own, down to
   * single items. Resolves with the items that could not be written, and why.
   */
  async #writeIsolating(batch: Entry<T>[]): Promise<Failure<T>[]> {
    try {
      await this.#write(batch.map((p) => p.item));
      return [];
    } catch (error) {
      if (batch.length === 1 || !isDataError(error)) {
        return batch.map((entry) => ({ entry, error }));
      }
      const half = Math.ceil(batch.length / 2);
      const first = await this.#writeIsolating(batch.slice(0, half));
      const second = await this.#writeIsolating(batch.slice(half));
      return [...first, ...second];
    }
  }
}

/**
 * A write lane of the event pipeline: items (received events, or what was read from them) queued,
 * written in batches one after another; a failed batch goes back to the front of the queue and is
 * retried after a pause, up to `maxAttempts` per item, then dropped (and logged).
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { FastifyBaseLogger } from "fastify";

/** One kind of write of what the pipeline received. */
export class WriteLane<T> {
  readonly #name: string;
  readonly #write: (items: T[]) => Promise<unknown>;
  readonly #maxBatch: number;
  readonly #maxAttempts: number;
  readonly #retryAfterMs: number;
  readonly #log: FastifyBaseLogger | undefined;
  readonly #beforeBatch: (() => Promise<void>) | undefined;
  #pending: { item: T; attempts: number }[] = [];
  #inflight: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(
    name: string,
    write: (items: T[]) => Promise<unknown>,
    options: {
      maxBatch: number;
      maxAttempts: number;
      retryAfterMs: number;
      /** Awaited before each batch: lets another lane go first. */
      beforeBatch?: () => Promise<void>;
    },
    log: FastifyBaseLogger | undefined,
  ) {
    this.#name = name;
    this.#write = write;
    this.#maxBatch = options.maxBatch;
    this.#maxAttempts = options.maxAttempts;
    this.#retryAfterMs = options.retryAfterMs;
    this.#beforeBatch = options.beforeBatch;
    this.#log = log;
  }

  get size(): number {
    return this.#pending.length;
  }

  push(item: T): void {
    this.#pending.push({ item, attempts: 0 });
  }

  /** Resolves once this lane has written what it has queued (at once when nothing is). */
  idle(): Promise<void> {
    return this.#pending.length === 0 ? Promise.resolve() : this.flush();
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
      try {
        await this.#write(batch.map((p) => p.item));
        // let requests waiting on the event loop in between batches
        if (this.#pending.length > 0) await yieldToEventLoop();
      } catch (error) {
        const retry = batch.filter((p) => ++p.attempts < this.#maxAttempts);
        this.#log?.error(
          { err: error, retrying: retry.length, dropped: batch.length - retry.length },
          `${this.#name} failed`,
        );
        if (retry.length > 0) {
          this.#pending.unshift(...retry);
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
  }
}

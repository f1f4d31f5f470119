/**
 * Prefect's `LoopService`: a background service that does one unit of work per loop, every
 * `loopSeconds`, from `start()` until `stop()`. The first loop runs at start (in the background: a
 * server does not wait for it to listen); a loop that fails is logged by the service and the next
 * one runs on time; the timer never keeps the process alive, and `stop()` waits for a running loop
 * to end. The scheduler, late-runs, zombie and cancellation services plug in the same way, through
 * the composition root (`composition.ts`).
 */

export interface LoopService {
  /** The service's name, as Prefect's (`EventPersister`, `Scheduler`, …). */
  readonly name: string;
  /** Seconds between the start of one loop and the next. */
  readonly loopSeconds: number;
  /** Loop now, then every `loopSeconds` until `stop()`. Resolves once the first loop has ended. */
  start(): Promise<void>;
  /** Stop looping, and wait for a running loop to end. */
  stop(): Promise<void>;
}

/** The timer of a loop service: runs `loop` now and every `intervalMs` while started. */
export class LoopTimer {
  readonly #intervalMs: number;
  readonly #loop: (signal: AbortSignal) => Promise<unknown>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  /** Set while started; a new one per `start()`, so a tick of an earlier start ends quietly. */
  #abort: AbortController | null = null;

  constructor(intervalMs: number, loop: (signal: AbortSignal) => Promise<unknown>) {
    this.#intervalMs = intervalMs;
    this.#loop = loop;
  }

  get started(): boolean {
    return this.#abort !== null;
  }

  /** The signal of the current start (aborted by `stop()`). */
  get signal(): AbortSignal | undefined {
    return this.#abort?.signal;
  }

  start(): Promise<void> {
    if (this.#abort) return Promise.resolve();
    const abort = new AbortController();
    this.#abort = abort;
    return this.#tick(abort);
  }

  /** Run one loop now unless one is running; resolves with its result (undefined if skipped). */
  async runOnce<T>(loop: () => Promise<T>): Promise<T | undefined> {
    if (this.#running) return undefined;
    const running = loop();
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = null;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
    await this.#running?.catch(() => undefined);
  }

  async #tick(abort: AbortController): Promise<void> {
    this.#timer = null;
    await this.runOnce(() => this.#loop(abort.signal)).catch(() => undefined);
    if (this.#abort !== abort) return;
    this.#timer = setTimeout(() => void this.#tick(abort), this.#intervalMs);
    this.#timer.unref();
  }
}

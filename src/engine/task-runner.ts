/**
 * The default task runner: submitted task runs execute concurrently on the event loop, at most
 * `maxConcurrency` at a time; the rest wait their turn in submission order.
 *
 * A burst of submissions (a large `.map()`) starts at most `BURST` runs per turn of the event
 * loop; the rest start on the next turns. Trivial tasks would otherwise run as one unbroken chain
 * of microtasks, during which nothing else in the process gets a turn: not the batches recording
 * the runs that already finished, nor timers, sockets or signals.
 */
const BURST = 500;

export class TaskRunner {
  readonly maxConcurrency: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  /** Runs started since the event loop last had a turn, and the pending wake-up. */
  #startedThisTurn = 0;
  #turn: NodeJS.Immediate | null = null;
  readonly #deferred: (() => void)[] = [];

  constructor(options: { maxConcurrency?: number } = {}) {
    const limit = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 1)) throw new RangeError("maxConcurrency must be at least 1");
    this.maxConcurrency = limit;
  }

  /** Run `work` when a slot is free (at once, without an extra async frame, when one is). */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.maxConcurrency || !this.#mayStartNow()) return this.#runLater(work);
    this.#active++;
    let running: Promise<T>;
    try {
      running = work();
    } catch (error) {
      this.#release();
      return Promise.reject(error);
    }
    return running.then(
      (value) => {
        this.#release();
        return value;
      },
      (error: unknown) => {
        this.#release();
        throw error;
      },
    );
  }

  /** Count a start against this turn's burst; false once the burst is used up. */
  #mayStartNow(): boolean {
    if (this.#deferred.length > 0) return false;
    if (this.#startedThisTurn === 0) this.#scheduleTurn();
    if (this.#startedThisTurn >= BURST) return false;
    this.#startedThisTurn++;
    return true;
  }

  #scheduleTurn(): void {
    if (this.#turn !== null) return;
    this.#turn = setImmediate(() => {
      this.#turn = null;
      this.#startedThisTurn = 0;
      const due = this.#deferred.splice(0, BURST);
      for (const start of due) start();
      if (this.#deferred.length > 0) this.#scheduleTurn();
    });
  }

  async #runLater<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.maxConcurrency) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      await new Promise<void>((resolve) => {
        this.#deferred.push(resolve);
        this.#scheduleTurn();
      });
      // a slot may have been taken meanwhile
      if (this.#active >= this.maxConcurrency) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
    }
    this.#active++;
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }

  get activeCount(): number {
    return this.#active;
  }
}

/** Options to choose the task runner of a flow (`taskRunner` flow option). */
export interface TaskRunnerOptions {
  maxConcurrency?: number;
}

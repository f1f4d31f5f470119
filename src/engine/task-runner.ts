/**
 * The default task runner: submitted task runs execute concurrently on the event loop, at most
 * `maxConcurrency` at a time; the rest wait their turn in submission order.
 */
export class TaskRunner {
  readonly maxConcurrency: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: { maxConcurrency?: number } = {}) {
    const limit = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 1)) throw new RangeError("maxConcurrency must be at least 1");
    this.maxConcurrency = limit;
  }

  /** Run `work` when a slot is free (at once, without an extra async frame, when one is). */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.maxConcurrency) return this.#runLater(work);
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

  async #runLater<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
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

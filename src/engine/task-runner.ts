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

  /** Run `work` when a slot is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.maxConcurrency) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  get activeCount(): number {
    return this.#active;
  }
}

/** Options to choose the task runner of a flow (`taskRunner` flow option). */
export interface TaskRunnerOptions {
  maxConcurrency?: number;
}

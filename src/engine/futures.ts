/**
 * Futures of submitted task runs: `wait()`, `result()`, `state`. Passing one to another task makes
 * that task wait for it and records the dependency in its `task_inputs`; returning one from a flow
 * or task returns its result. The list `task.map()` returns is awaitable as the array of results.
 */
import type { State } from "./state.ts";

export class PrefectFuture<T = unknown> {
  readonly taskRunId: string;
  readonly #final: Promise<State<T>>;
  readonly #current: () => State<T> | null;
  #done: State<T> | null = null;

  /**
   * @internal created by the engine: `final` resolves (never rejects) with the final state, which
   * the engine also reports through `settle` (no reaction of the future's own per run).
   */
  constructor(taskRunId: string, final: Promise<State<T>>, current: () => State<T> | null) {
    this.taskRunId = taskRunId;
    this.#final = final;
    this.#current = current;
  }

  /** @internal the engine's report of the final state. */
  settle(state: State<T>): void {
    this.#done = state;
  }

  /** The latest known state of the task run (null before it is created). */
  get state(): State<T> | null {
    return this.#done ?? this.#current();
  }

  /** Whether the task run has reached its final state. */
  get done(): boolean {
    return this.#done !== null;
  }

  /** Wait until the task run finishes (or `timeoutSeconds` pass); resolves with its state. */
  async wait(timeoutSeconds?: number): Promise<State<T> | null> {
    if (timeoutSeconds === undefined) return this.#final;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutSeconds * 1000);
    });
    try {
      return await Promise.race([this.#final, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The task's return value; throws its error if it failed (unless `raiseOnFailure: false`). */
  async result(options: { raiseOnFailure?: boolean } = {}): Promise<T> {
    const state = await this.#final;
    return state.result(options);
  }

  /** @internal the final state, for the engine. */
  finalState(): Promise<State<T>> {
    return this.#final;
  }
}

/** The futures of `task.map()`: an array, awaitable as the array of results. */
export class PrefectFutureList<T = unknown>
  extends Array<PrefectFuture<T>>
  implements PromiseLike<T[]>
{
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static from_<T>(futures: PrefectFuture<T>[]): PrefectFutureList<T> {
    const list = new PrefectFutureList<T>();
    list.push(...futures);
    return list;
  }

  /** Wait for every future; resolves with their states. */
  async wait(): Promise<State<T>[]> {
    return Promise.all(this.map((f) => f.finalState()));
  }

  /** Every result, in order; throws the first error (unless `raiseOnFailure: false`). */
  async result(options: { raiseOnFailure?: boolean } = {}): Promise<T[]> {
    const states = await this.wait();
    return Promise.all(states.map((s) => s.result(options)));
  }

  // biome-ignore lint/suspicious/noThenProperty: future lists are awaitable on purpose
  then<R1 = T[], R2 = never>(
    onFulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.result().then(onFulfilled, onRejected);
  }
}

export function isFuture(value: unknown): value is PrefectFuture {
  return value instanceof PrefectFuture;
}

/** Wait for all futures (or until `timeoutSeconds`); returns which are done and which are not. */
export async function wait<T>(
  futures: readonly PrefectFuture<T>[],
  timeoutSeconds?: number,
): Promise<{ done: PrefectFuture<T>[]; notDone: PrefectFuture<T>[] }> {
  await Promise.all(futures.map((f) => f.wait(timeoutSeconds)));
  return { done: futures.filter((f) => f.done), notDone: futures.filter((f) => !f.done) };
}

/**
 * Iterate futures as they finish, fastest first (`for await (const f of asCompleted(futures))`).
 * Written as a plain async iterator: an async generator would await the (awaitable) futures.
 */
export function asCompleted<T>(
  futures: readonly PrefectFuture<T>[],
  timeoutSeconds?: number,
): AsyncIterableIterator<PrefectFuture<T>> {
  const remaining = new Map(futures.map((f, i) => [i, f.finalState().then(() => i)]));
  const deadline = timeoutSeconds === undefined ? null : Date.now() + timeoutSeconds * 1000;
  const iterator: AsyncIterableIterator<PrefectFuture<T>> = {
    [Symbol.asyncIterator]: () => iterator,
    async next(): Promise<IteratorResult<PrefectFuture<T>>> {
      if (remaining.size === 0) return { done: true, value: undefined };
      const racers: Promise<number | null>[] = [...remaining.values()];
      let timer: NodeJS.Timeout | undefined;
      if (deadline !== null) {
        racers.push(
          new Promise<null>((resolve) => {
            timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()));
          }),
        );
      }
      const i = await Promise.race(racers);
      clearTimeout(timer);
      if (i === null) {
        throw new Error(
          `${remaining.size} of ${futures.length} futures did not finish within ${timeoutSeconds} s`,
        );
      }
      remaining.delete(i);
      const f = futures[i];
      if (!f) return { done: true, value: undefined };
      return { done: false, value: f };
    },
  };
  return iterator;
}

const ALLOW_FAILURE: unique symbol = Symbol("prefect-ts.allowFailure");
const UNMAPPED: unique symbol = Symbol("prefect-ts.unmapped");

/** Wrap an upstream future so a task runs even if it failed (its error becomes the argument). */
export interface AllowFailure<T> {
  readonly [ALLOW_FAILURE]: true;
  readonly value: T;
}
export function allowFailure<T>(value: T): AllowFailure<T> {
  return { [ALLOW_FAILURE]: true, value };
}
export function isAllowFailure(value: unknown): value is AllowFailure<unknown> {
  return typeof value === "object" && value !== null && ALLOW_FAILURE in value;
}

/** Wrap an argument of `task.map()` so it is passed whole to every mapped run. */
export interface Unmapped<T> {
  readonly [UNMAPPED]: true;
  readonly value: T;
}
export function unmapped<T>(value: T): Unmapped<T> {
  return { [UNMAPPED]: true, value };
}
export function isUnmapped(value: unknown): value is Unmapped<unknown> {
  return typeof value === "object" && value !== null && UNMAPPED in value;
}

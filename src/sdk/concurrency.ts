/**
 * `concurrency()` and `rateLimit()`: Prefect's global concurrency and rate limits, for any code —
 * across processes and machines, through the API (or the local database when embedded).
 *
 * @example
 * await concurrency("database", { occupy: 1 }, async () => db.insert(rows));
 * await using slots = await concurrency("database");   // released at the end of the block
 * await rateLimit("github-api");                        // at most the limit's decay rate
 */
import {
  acquireConcurrencySlots,
  type ConcurrencyOptions,
  type HeldSlots,
  type RateLimitOptions,
  takeRateLimitSlots,
} from "../engine/concurrency-slots.ts";

export type { ConcurrencyOptions, HeldSlots, RateLimitOptions };

type Names = string | readonly string[];

const listOf = (names: Names): readonly string[] => (typeof names === "string" ? [names] : names);

/** Hold slots for the length of `fn`; its result is returned once the slots are given back. */
export function concurrency<T>(names: Names, fn: (slots: HeldSlots) => Promise<T> | T): Promise<T>;
export function concurrency<T>(
  names: Names,
  options: ConcurrencyOptions,
  fn: (slots: HeldSlots) => Promise<T> | T,
): Promise<T>;
/** Take slots and hold them until `release()` — or the end of an `await using` block. */
export function concurrency(names: Names, options?: ConcurrencyOptions): Promise<HeldSlots>;
export function concurrency<T>(
  names: Names,
  optionsOrFn?: ConcurrencyOptions | ((slots: HeldSlots) => Promise<T> | T),
  maybeFn?: (slots: HeldSlots) => Promise<T> | T,
): Promise<T | HeldSlots> {
  const options = typeof optionsOrFn === "function" ? {} : (optionsOrFn ?? {});
  const fn = typeof optionsOrFn === "function" ? optionsOrFn : maybeFn;
  const list = listOf(names);
  if (!fn) return acquireConcurrencySlots(list, options);
  return holding(list, options, fn);
}

async function holding<T>(
  names: readonly string[],
  options: ConcurrencyOptions,
  fn: (slots: HeldSlots) => Promise<T> | T,
): Promise<T> {
  if (names.length === 0) return fn(await acquireConcurrencySlots([], options));
  const slots = await acquireConcurrencySlots(names, options);
  try {
    // in strict mode, a lost lease ends the wait for `fn` at once (the work sees `slots.signal`)
    const lost = new Promise<never>((_, reject) => {
      slots.signal.addEventListener("abort", () => reject(slots.signal.reason), { once: true });
    });
    lost.catch(() => undefined);
    return await Promise.race([Promise.resolve().then(() => fn(slots)), lost]);
  } finally {
    await slots.release();
  }
}

/** Wait until `occupy` slots of each rate limit are taken (they decay at the limit's rate). */
export function rateLimit(names: Names, options: RateLimitOptions = {}): Promise<void> {
  const list = listOf(names);
  if (list.length === 0) return Promise.resolve();
  return takeRateLimitSlots(list, options);
}

/**
 * Retry delays as Prefect computes them: the r-th entry of a list (the last one reused), a single
 * number, or 0; with a jitter factor f, drawn from an exponential distribution clamped to
 * [l·d, (1+f)·d], with l chosen so that the mean stays d (Prefect's `clamped_poisson_interval`).
 */
export function baseRetryDelay(
  delay: number | readonly number[] | null | undefined,
  attempt: number,
): number {
  if (delay == null) return 0;
  if (typeof delay === "number") return delay;
  if (delay.length === 0) return 0;
  return delay[Math.min(attempt - 1, delay.length - 1)] ?? 0;
}

const expCdf = (x: number, mean: number) => (x <= 0 ? 0 : 1 - Math.exp(-x / mean));

/** Mean of an exponential(mean 1) truncated to [a, b]. */
function truncatedMean(a: number, b: number): number {
  const za = Math.exp(-a);
  const zb = Math.exp(-b);
  return ((a + 1) * za - (b + 1) * zb) / (za - zb);
}

const lowerMultipleCache = new Map<number, number>();

/** The lower clamp multiple l for upper multiple u = 1 + f that keeps the truncated mean at 1. */
function lowerMultiple(upper: number): number {
  const cached = lowerMultipleCache.get(upper);
  if (cached !== undefined) return cached;
  let lo = 0;
  let hi = 1;
  if (truncatedMean(0, upper) >= 1) {
    lowerMultipleCache.set(upper, 0);
    return 0;
  }
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (truncatedMean(mid, upper) < 1) lo = mid;
    else hi = mid;
  }
  lowerMultipleCache.set(upper, lo);
  return lo;
}

/** A jittered delay around `delay` seconds; `random` is injectable for tests. */
export function jitteredDelay(
  delay: number,
  factor: number | null | undefined,
  random: () => number = Math.random,
): number {
  if (!factor || factor <= 0 || delay <= 0) return delay;
  const upper = 1 + factor;
  const lower = lowerMultiple(upper);
  const lowRv = expCdf(lower * delay, delay);
  const highRv = expCdf(upper * delay, delay);
  const u = lowRv + (highRv - lowRv) * random();
  return -Math.log(1 - u) * delay;
}

/** The delay before retry `attempt` (1-based). */
export function retryDelaySeconds(
  delay: number | readonly number[] | null | undefined,
  jitterFactor: number | null | undefined,
  attempt: number,
  random?: () => number,
): number {
  return jitteredDelay(baseRetryDelay(delay, attempt), jitterFactor, random);
}

/**
 * Retry delays as Prefect computes them, shared by the client-side task engine and the server's
 * `RetryFailedTasks` rule: the r-th entry of a list (the last one reused), a single number, or 0;
 * with a jitter factor, Prefect's clamped Poisson interval around that delay.
 */

/** The delay before retry `attempt` (1-based) without jitter. */
export function baseRetryDelay(
  delay: number | readonly number[] | null | undefined,
  attempt: number,
): number {
  if (delay == null) return 0;
  if (typeof delay === "number") return delay;
  if (delay.length === 0) return 0;
  return delay[Math.max(0, Math.min(attempt - 1, delay.length - 1))] ?? 0;
}

/** Prefect's `lower_clamp_multiple`: keeps the mean of the clamped interval near the average. */
function lowerClampMultiple(k: number): number {
  if (k >= 50) return 0;
  return Math.log2(Math.max(2 ** k / (2 ** k - 1), 1e-10));
}

const exponentialCdf = (x: number, average: number) => 1 - Math.exp(-x / average);

/**
 * Prefect's `clamped_poisson_interval`: a random interval with mean ≈ `average`, at most
 * `average × (1 + factor)`. `random` is injectable for tests.
 */
export function clampedPoissonInterval(
  average: number,
  factor: number,
  random: () => number = Math.random,
): number {
  const upperMultiple = 1 + factor;
  const upper = average * upperMultiple;
  const lower = Math.max(0, average * lowerClampMultiple(upperMultiple));
  const upperRv = exponentialCdf(upper, average);
  const lowerRv = exponentialCdf(lower, average);
  const u = lowerRv + random() * (upperRv - lowerRv);
  return -Math.log(Math.max(1 - u, 1e-10)) * average;
}

/** The delay before retry `attempt` (1-based), jittered when a factor is given and the delay > 0. */
export function retryDelaySeconds(
  delay: number | readonly number[] | null | undefined,
  jitterFactor: number | null | undefined,
  attempt: number,
  random?: () => number,
): number {
  const base = baseRetryDelay(delay, attempt);
  return jitterFactor && jitterFactor > 0 && base > 0
    ? clampedPoissonInterval(base, jitterFactor, random)
    : base;
}

/**
 * A flow's retry delay as a flow run's `empirical_policy.retry_delay` takes it: Prefect's
 * `FlowRunPolicy` holds whole seconds (a fraction is a 422), so the delay is sent rounded down —
 * the server never schedules the retry later than the flow asked — and the engine waits the exact
 * delay itself.
 */
export function flowRunRetryDelay(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
}

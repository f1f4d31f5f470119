/** Prefect's clamped Poisson interval (`prefect.utilities.collections`/`math`) for retry jitter. */

function lowerClampMultiple(k: number): number {
  if (k >= 50) return 0;
  return Math.log2(Math.max(2 ** k / (2 ** k - 1), 1e-10));
}

function exponentialCdf(x: number, average: number): number {
  return 1 - Math.exp(-x / average);
}

/**
 * A random interval around `average` (mean ≈ `average`), clamped to at most
 * `average × (1 + clampingFactor)` and at least a lower bound chosen to keep the mean.
 */
export function clampedPoissonInterval(
  average: number,
  clampingFactor: number,
  random: () => number = Math.random,
): number {
  const upperMultiple = 1 + clampingFactor;
  const upper = average * upperMultiple;
  const lower = Math.max(0, average * lowerClampMultiple(upperMultiple));
  const upperRv = exponentialCdf(upper, average);
  const lowerRv = exponentialCdf(lower, average);
  const u = lowerRv + random() * (upperRv - lowerRv);
  return -Math.log(Math.max(1 - u, 1e-10)) * average;
}

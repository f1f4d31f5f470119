/**
 * Waiting for a condition that no event announces (another process's work, seen through the API
 * or the file system): `probe` is asked every 50 ms until it answers something truthy, within a
 * deadline.
 */

/** Resolves with `probe()`'s value once it is truthy; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

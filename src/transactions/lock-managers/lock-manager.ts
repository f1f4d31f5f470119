/** What SERIALIZABLE transactions lock keys with (Prefect's `LockManager` protocol). */
export interface LockManager {
  /**
   * Take the lock on `key` for `holder`, waiting up to `acquireTimeout` seconds (null: forever).
   * `holdTimeout` seconds later the lock lapses by itself (null: never). True when taken.
   */
  acquireLock(
    key: string,
    holder: string,
    acquireTimeout?: number | null,
    holdTimeout?: number | null,
  ): Promise<boolean>;
  /** Release the lock; throws LockError when `holder` does not hold it. */
  releaseLock(key: string, holder: string): Promise<void>;
  isLocked(key: string): Promise<boolean>;
  isLockHolder(key: string, holder: string): Promise<boolean>;
  /** Wait until `key` is unlocked; false when `timeout` seconds passed first. */
  waitForLock(key: string, timeout?: number | null): Promise<boolean>;
}

/** Resolve after `ms` (the pause between polls of a lock held elsewhere). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `unlocked` every `pollMs` until it is true (then true) or `timeout` seconds have passed
 * (then false; null waits forever): `waitForLock` of the managers whose holders live elsewhere.
 */
export async function pollUntilUnlocked(
  unlocked: () => Promise<boolean>,
  timeout: number | null,
  pollMs: number,
): Promise<boolean> {
  const deadline = timeout === null ? null : Date.now() + timeout * 1000;
  for (;;) {
    if (await unlocked()) return true;
    if (deadline !== null && Date.now() >= deadline) return false;
    await delay(pollMs);
  }
}

/** Locks within one process (Prefect's `MemoryLockManager`): waiters are woken on release. */
import { LockError } from "../../results/errors.ts";
import type { LockManager } from "./lock-manager.ts";

interface Held {
  holder: string;
  timer: NodeJS.Timeout | null;
  waiters: Set<() => void>;
}

export class MemoryLockManager implements LockManager {
  readonly #locks = new Map<string, Held>();

  async acquireLock(
    key: string,
    holder: string,
    acquireTimeout: number | null = null,
    holdTimeout: number | null = null,
  ): Promise<boolean> {
    const deadline = acquireTimeout === null ? null : Date.now() + acquireTimeout * 1000;
    for (;;) {
      const held = this.#locks.get(key);
      if (!held) {
        const entry: Held = { holder, timer: null, waiters: new Set() };
        if (holdTimeout !== null) {
          entry.timer = setTimeout(() => this.#drop(key, entry), holdTimeout * 1000);
          entry.timer.unref();
        }
        this.#locks.set(key, entry);
        return true;
      }
      if (held.holder === holder) return true;
      const left = deadline === null ? null : deadline - Date.now();
      if (left !== null && left <= 0) return false;
      if (!(await this.#waitRelease(held, left))) return false;
    }
  }

  #waitRelease(held: Held, timeoutMs: number | null): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const wake = () => {
        if (timer) clearTimeout(timer);
        held.waiters.delete(wake);
        resolve(true);
      };
      held.waiters.add(wake);
      if (timeoutMs !== null)
        timer = setTimeout(() => {
          held.waiters.delete(wake);
          resolve(false);
        }, timeoutMs);
    });
  }

  #drop(key: string, held: Held): void {
    if (this.#locks.get(key) !== held) return;
    if (held.timer) clearTimeout(held.timer);
    this.#locks.delete(key);
    for (const wake of [...held.waiters]) wake();
  }

  releaseLock(key: string, holder: string): Promise<void> {
    const held = this.#locks.get(key);
    if (!held || held.holder !== holder)
      return Promise.reject(
        new LockError(`Cannot release lock '${key}': it is not held by '${holder}'`),
      );
    this.#drop(key, held);
    return Promise.resolve();
  }

  isLocked(key: string): Promise<boolean> {
    return Promise.resolve(this.#locks.has(key));
  }

  isLockHolder(key: string, holder: string): Promise<boolean> {
    return Promise.resolve(this.#locks.get(key)?.holder === holder);
  }

  async waitForLock(key: string, timeout: number | null = null): Promise<boolean> {
    const held = this.#locks.get(key);
    if (!held) return true;
    return this.#waitRelease(held, timeout === null ? null : timeout * 1000);
  }
}

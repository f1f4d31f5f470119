/**
 * Locks shared by every process on one machine (Prefect's `FileSystemLockManager`): a lock is a
 * file created exclusively (`wx`) holding its holder and expiry; waiters poll it.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LockError } from "../../results/errors.ts";
import { delay, type LockManager, pollUntilUnlocked } from "./lock-manager.ts";

interface LockInfo {
  holder: string;
  expiration: number | null;
}

const POLL_MS = 10;

export class FileSystemLockManager implements LockManager {
  readonly lockDir: string;

  constructor(lockDir: string) {
    this.lockDir = resolve(lockDir);
  }

  #path(key: string): string {
    return join(
      this.lockDir,
      `${createHash("sha256").update(key).digest("hex").slice(0, 40)}.lock`,
    );
  }

  async #info(key: string): Promise<LockInfo | null> {
    try {
      const info = JSON.parse(await readFile(this.#path(key), "utf8")) as LockInfo;
      if (info.expiration !== null && info.expiration <= Date.now()) {
        await rm(this.#path(key), { force: true });
        return null;
      }
      return info;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // missing, or caught between the exclusive create and its write: not (yet) readable
      if (code === "ENOENT" || error instanceof SyntaxError)
        return code === "ENOENT" ? null : { holder: "", expiration: null };
      throw error;
    }
  }

  async acquireLock(
    key: string,
    holder: string,
    acquireTimeout: number | null = null,
    holdTimeout: number | null = null,
  ): Promise<boolean> {
    const deadline = acquireTimeout === null ? null : Date.now() + acquireTimeout * 1000;
    const path = this.#path(key);
    for (;;) {
      const info: LockInfo = {
        holder,
        expiration: holdTimeout === null ? null : Date.now() + holdTimeout * 1000,
      };
      try {
        await writeFile(path, JSON.stringify(info), { flag: "wx" });
        return true;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          mkdirSync(this.lockDir, { recursive: true });
          continue;
        }
        if (code !== "EEXIST") throw error;
      }
      const current = await this.#info(key);
      if (current?.holder === holder) return true;
      if (current === null) continue;
      if (deadline !== null && Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
  }

  async releaseLock(key: string, holder: string): Promise<void> {
    const current = await this.#info(key);
    if (current?.holder !== holder)
      throw new LockError(`Cannot release lock '${key}': it is not held by '${holder}'`);
    await rm(this.#path(key), { force: true });
  }

  async isLocked(key: string): Promise<boolean> {
    return (await this.#info(key)) !== null;
  }

  async isLockHolder(key: string, holder: string): Promise<boolean> {
    return (await this.#info(key))?.holder === holder;
  }

  waitForLock(key: string, timeout: number | null = null): Promise<boolean> {
    return pollUntilUnlocked(async () => (await this.#info(key)) === null, timeout, POLL_MS);
  }
}

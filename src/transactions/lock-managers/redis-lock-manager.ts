/**
 * Locks shared across machines through Redis (Prefect's `RedisLockManager`): `SET key holder NX PX`
 * takes a lock, a compare-and-delete script releases it only for its holder.
 */
import { Redis, type RedisOptions } from "ioredis";
import { LockError } from "../../results/errors.ts";
import { delay, type LockManager } from "./lock-manager.ts";

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const POLL_MS = 10;

export interface RedisLockManagerOptions {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  /** Prefix of every lock key (default `prefect-lock:`). */
  namespace?: string;
  /** A client to use instead of opening one (it is not closed by `close()`). */
  client?: Redis;
  redisOptions?: RedisOptions;
}

export class RedisLockManager implements LockManager {
  readonly #client: Redis;
  readonly #owned: boolean;
  readonly #namespace: string;

  constructor(options: RedisLockManagerOptions = {}) {
    this.#namespace = options.namespace ?? "prefect-lock:";
    if (options.client) {
      this.#client = options.client;
      this.#owned = false;
    } else {
      this.#client = new Redis({
        host: options.host ?? "127.0.0.1",
        port: options.port ?? 6379,
        db: options.db ?? 0,
        username: options.username,
        password: options.password,
        lazyConnect: true,
        maxRetriesPerRequest: 2,
        ...options.redisOptions,
      });
      this.#owned = true;
    }
  }

  #key(key: string): string {
    return `${this.#namespace}${key}`;
  }

  async acquireLock(
    key: string,
    holder: string,
    acquireTimeout: number | null = null,
    holdTimeout: number | null = null,
  ): Promise<boolean> {
    const deadline = acquireTimeout === null ? null : Date.now() + acquireTimeout * 1000;
    const k = this.#key(key);
    for (;;) {
      const set =
        holdTimeout === null
          ? await this.#client.set(k, holder, "NX")
          : await this.#client.set(
              k,
              holder,
              "PX",
              Math.max(1, Math.round(holdTimeout * 1000)),
              "NX",
            );
      if (set === "OK") return true;
      if ((await this.#client.get(k)) === holder) return true;
      if (deadline !== null && Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
  }

  async releaseLock(key: string, holder: string): Promise<void> {
    const removed = await this.#client.eval(RELEASE, 1, this.#key(key), holder);
    if (removed !== 1)
      throw new LockError(`Cannot release lock '${key}': it is not held by '${holder}'`);
  }

  async isLocked(key: string): Promise<boolean> {
    return (await this.#client.exists(this.#key(key))) === 1;
  }

  async isLockHolder(key: string, holder: string): Promise<boolean> {
    return (await this.#client.get(this.#key(key))) === holder;
  }

  async waitForLock(key: string, timeout: number | null = null): Promise<boolean> {
    const deadline = timeout === null ? null : Date.now() + timeout * 1000;
    for (;;) {
      if (!(await this.isLocked(key))) return true;
      if (deadline !== null && Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
  }

  /** Close the connection this manager opened. */
  async close(): Promise<void> {
    if (this.#owned) await this.#client.quit().catch(() => undefined);
  }
}

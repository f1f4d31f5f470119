/**
 * Locks shared across machines through Redis (Prefect's `RedisLockManager`): `SET key holder NX PX`
 * takes a lock, a compare-and-delete script releases it only for its holder. ioredis is loaded on
 * first use, so importing the SDK does not load a Redis client nobody asked for.
 */
import type { Redis, RedisOptions } from "ioredis";
import { LockError } from "../../results/errors.ts";
import { delay, type LockManager, pollUntilUnlocked } from "./lock-manager.ts";

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
  readonly #options: RedisLockManagerOptions;
  readonly #owned: boolean;
  readonly #namespace: string;
  #opened: Promise<Redis> | null = null;

  constructor(options: RedisLockManagerOptions = {}) {
    this.#namespace = options.namespace ?? "prefect-lock:";
    this.#options = options;
    this.#owned = options.client === undefined;
  }

  /** The client: the one given, or one opened (lazily connecting) on first use. */
  #client(): Promise<Redis> {
    if (this.#opened === null) {
      const o = this.#options;
      this.#opened = o.client
        ? Promise.resolve(o.client)
        : import("ioredis").then(
            ({ Redis: RedisClient }) =>
              new RedisClient({
                host: o.host ?? "127.0.0.1",
                port: o.port ?? 6379,
                db: o.db ?? 0,
                username: o.username,
                password: o.password,
                lazyConnect: true,
                maxRetriesPerRequest: 2,
                ...o.redisOptions,
              }),
          );
    }
    return this.#opened;
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
    const client = await this.#client();
    for (;;) {
      const set =
        holdTimeout === null
          ? await client.set(k, holder, "NX")
          : await client.set(k, holder, "PX", Math.max(1, Math.round(holdTimeout * 1000)), "NX");
      if (set === "OK") return true;
      if ((await client.get(k)) === holder) return true;
      if (deadline !== null && Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
  }

  async releaseLock(key: string, holder: string): Promise<void> {
    const removed = await (await this.#client()).eval(RELEASE, 1, this.#key(key), holder);
    if (removed !== 1)
      throw new LockError(`Cannot release lock '${key}': it is not held by '${holder}'`);
  }

  async isLocked(key: string): Promise<boolean> {
    return (await (await this.#client()).exists(this.#key(key))) === 1;
  }

  async isLockHolder(key: string, holder: string): Promise<boolean> {
    return (await (await this.#client()).get(this.#key(key))) === holder;
  }

  waitForLock(key: string, timeout: number | null = null): Promise<boolean> {
    return pollUntilUnlocked(async () => !(await this.isLocked(key)), timeout, POLL_MS);
  }

  /** Close the connection this manager opened. */
  async close(): Promise<void> {
    if (!this.#owned || this.#opened === null) return;
    const client = await this.#opened;
    await client.quit().catch(() => undefined);
  }
}

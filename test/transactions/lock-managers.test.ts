import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { LockError } from "../../src/results/errors.ts";
import { FileSystemLockManager } from "../../src/transactions/lock-managers/file-system-lock-manager.ts";
import type { LockManager } from "../../src/transactions/lock-managers/lock-manager.ts";
import { MemoryLockManager } from "../../src/transactions/lock-managers/memory-lock-manager.ts";
import { RedisLockManager } from "../../src/transactions/lock-managers/redis-lock-manager.ts";

const dir = mkdtempSync(join(tmpdir(), "prefect-ts-locks-"));
const namespace = `prefect-ts-test:${randomUUID()}:`;
const redisManagers: RedisLockManager[] = [];
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
  const keys = await redis.keys(`${namespace}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  for (const m of redisManagers) await m.close();
});

const kinds: [string, () => LockManager][] = [
  ["memory", () => new MemoryLockManager()],
  ["file system", () => new FileSystemLockManager(join(dir, randomUUID()))],
  [
    "redis",
    () => {
      const m = new RedisLockManager({ namespace });
      redisManagers.push(m);
      return m;
    },
  ],
];

for (const [kind, make] of kinds) {
  describe(`${kind} lock manager`, () => {
    it("gives a key to one holder at a time and hands it over on release", async () => {
      const locks = make();
      assert.equal(await locks.acquireLock("k", "a"), true);
      assert.equal(await locks.isLockHolder("k", "a"), true);
      assert.equal(await locks.isLocked("k"), true);
      assert.equal(await locks.acquireLock("k", "b", 0.05), false, "b must time out");
      const waiting = locks.acquireLock("k", "b", 5);
      await locks.releaseLock("k", "a");
      assert.equal(await waiting, true);
      assert.equal(await locks.isLockHolder("k", "b"), true);
      await locks.releaseLock("k", "b");
      assert.equal(await locks.isLocked("k"), false);
    });

    it("refuses a release by a non-holder", async () => {
      const locks = make();
      await locks.acquireLock("r", "a");
      await assert.rejects(() => locks.releaseLock("r", "b"), LockError);
      await locks.releaseLock("r", "a");
    });

    it("lets a lock lapse after its hold timeout; waitForLock resolves then", async () => {
      const locks = make();
      await locks.acquireLock("h", "a", null, 0.1);
      assert.equal(await locks.waitForLock("h", 5), true);
      assert.equal(await locks.acquireLock("h", "b", 0), true);
      await locks.releaseLock("h", "b");
    });
  });
}

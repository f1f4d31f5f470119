/**
 * Leases in Redis (`PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE=prefect_redis.lease_storage`, Redis at
 * 127.0.0.1:6379), on both databases: slots are taken and freed as with database leases, a lease
 * is renewed or Prefect's 404, expiry and a closed holder socket free slots, and a second server
 * over the same database and Redis (a restart, or another API server) sees and frees the leases
 * the first one granted.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { addSeconds, type Clock, nowIso } from "../../src/core/time.ts";
import type { ConcurrencyLeaseExpiry } from "../../src/services/concurrency-lease-expiry.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

class ShiftedClock implements Clock {
  offsetSeconds = 0;
  nowIso(): string {
    return addSeconds(nowIso(), this.offsetSeconds);
  }
}

const settings = loadSettings({
  ...process.env,
  PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE: "prefect_redis.lease_storage",
  PREFECT_REDIS_MESSAGING_HOST: "127.0.0.1",
  PREFECT_REDIS_MESSAGING_PORT: "6379",
});

for (const dialect of DIALECTS) {
  describe(`concurrency leases in Redis (${dialect})`, () => {
    let tdb: TestDatabase;
    const clock = new ShiftedClock();
    const apps: FastifyInstance[] = [];

    async function serve(): Promise<string> {
      const app = await createCheckedApp({ database: tdb.database, clock, settings });
      await app.listen({ port: 0, host: "127.0.0.1" });
      apps.push(app);
      const address = app.server.address();
      assert.ok(address && typeof address === "object");
      return `http://127.0.0.1:${address.port}/api`;
    }
    async function call<T>(base: string, path: string, body?: unknown, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    }
    const slotsOf = async (base: string, name: string) =>
      (await call<{ active_slots: number }>(base, `/v2/concurrency_limits/${name}`)).body
        .active_slots;
    const acquire = (base: string, name: string, headers = {}) =>
      call<{ lease_id: string }>(
        base,
        "/v2/concurrency_limits/increment-with-lease",
        { names: [name], slots: 1, lease_duration: 60 },
        headers,
      );

    before(async () => {
      tdb = await createTestDatabase(dialect);
    });
    after(async () => {
      for (const app of apps) await app.close();
      await tdb.dispose();
    });

    it("takes, renews, frees and expires leases kept in Redis", async () => {
      const base = await serve();
      await call(base, "/v2/concurrency_limits/", { name: "redis-db", limit: 2 });
      const a = await acquire(base, "redis-db");
      const b = await acquire(base, "redis-db");
      assert.deepEqual([a.status, b.status], [200, 200]);
      assert.equal((await acquire(base, "redis-db")).status, 423);
      const holders = await call<{ id: string }[]>(base, "/v2/concurrency_limits/redis-db/holders");
      assert.deepEqual(
        holders.body.map((h) => h.id).sort(),
        [a.body.lease_id, b.body.lease_id].sort(),
      );
      assert.equal(
        (await call(base, `/v2/concurrency_limits/leases/${a.body.lease_id}/renew`, {})).status,
        204,
      );
      assert.equal(
        (await call(base, `/v2/concurrency_limits/leases/${randomUUID()}/renew`, {})).status,
        404,
      );
      await call(base, "/v2/concurrency_limits/decrement-with-lease", {
        lease_id: a.body.lease_id,
      });
      assert.equal(await slotsOf(base, "redis-db"), 1);

      clock.offsetSeconds += 120;
      const repossessor = apps[0]?.core.services.find(
        (s) => s.name === "Repossessor",
      ) as ConcurrencyLeaseExpiry;
      const swept = await repossessor.sweep();
      assert.ok(swept && swept.expired >= 1);
      assert.equal(await slotsOf(base, "redis-db"), 0);
    });

    it("frees a closed holder's Redis leases, and another server over the same data frees the first one's", async () => {
      const first = await serve();
      const second = await serve();
      await call(first, "/v2/concurrency_limits/", { name: "redis-bound", limit: 5 });
      const holderId = randomUUID();
      const socket = new WebSocket(
        `${first.replace("http", "ws")}/v2/concurrency_limits/leases/holder`,
      );
      const attached = new Promise((resolve) => socket.once("message", resolve));
      socket.once("open", () =>
        socket.send(JSON.stringify({ type: "attach", holder_id: holderId })),
      );
      await attached;
      assert.equal(
        (await acquire(first, "redis-bound", { "prefect-ts-holder": holderId })).status,
        200,
      );
      const plain = await acquire(first, "redis-bound");
      assert.equal(await slotsOf(second, "redis-bound"), 2);
      socket.close();
      await until(
        "the closed holder's slot freed",
        async () => (await slotsOf(second, "redis-bound")) === 1,
        2000,
      );
      const freed = await call(second, "/v2/concurrency_limits/decrement-with-lease", {
        lease_id: plain.body.lease_id,
      });
      assert.equal(freed.status, 204);
      assert.equal(await slotsOf(first, "redis-bound"), 0);
    });
  });
}

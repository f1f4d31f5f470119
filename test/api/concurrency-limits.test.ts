/**
 * Global, rate and tag concurrency limits through a real server on an ephemeral port, on both
 * databases: the exchanges of Prefect's client and CLI in the wire transcripts answered as
 * Prefect answers them (bodies, 423 with `Retry-After`, lease renewal, the `tag:<tag>` protocol
 * for a tag without a limit), bad input in Prefect's shapes, waiters woken first come first served
 * the moment slots free, expiry, and the holder socket freeing a closed holder's slots.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { addSeconds, type Clock, nowIso } from "../../src/core/time.ts";
import { waitingCounts } from "../../src/resources/concurrency-limits/service.ts";
import type { ConcurrencyLeaseExpiry } from "../../src/services/concurrency-lease-expiry.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A clock the test moves forward. */
class ShiftedClock implements Clock {
  offsetSeconds = 0;
  nowIso(): string {
    return addSeconds(nowIso(), this.offsetSeconds);
  }
}

interface Limit {
  id: string;
  name: string;
  limit: number;
  active_slots: number;
}

for (const dialect of DIALECTS) {
  describe(`concurrency limits over HTTP (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    const clock = new ShiftedClock();

    async function call<T = unknown>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Answer<T>> {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: (text ? JSON.parse(text) : null) as T,
        headers: res.headers,
      };
    }
    const limitOf = async (name: string) =>
      (await call<Limit>("GET", `/v2/concurrency_limits/${name}`)).body;
    const create = (name: string, limit: number, decay = 0) =>
      call<Limit>("POST", "/v2/concurrency_limits/", {
        name,
        limit,
        active: true,
        active_slots: 0,
        slot_decay_per_second: decay,
      });
    const acquire = (
      names: string[],
      extra: Record<string, unknown> = {},
      query = "",
      headers = {},
    ) =>
      call<{ lease_id: string; limits: Limit[] }>(
        "POST",
        `/v2/concurrency_limits/increment-with-lease${query}`,
        { names, slots: 1, mode: "concurrency", lease_duration: 300, ...extra },
        headers,
      );
    const release = (leaseId: string) =>
      call("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: leaseId });
    const repossessor = () =>
      app.core.services.find((s) => s.name === "Repossessor") as ConcurrencyLeaseExpiry;

    before(async () => {
      tdb = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: tdb.database, clock });
      await app.listen({ port: 0, host: "127.0.0.1" });
      const address = app.server.address();
      assert.ok(address && typeof address === "object");
      base = `http://127.0.0.1:${address.port}`;
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("answers the transcript's global-limit exchanges as Prefect does", async () => {
      const missing = await call("GET", "/v2/concurrency_limits/probe-db");
      assert.deepEqual(missing, {
        ...missing,
        status: 404,
        body: { detail: "Concurrency Limit not found" },
      });
      const created = await create("probe-db", 2);
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body as object).sort(), [
        "active",
        "active_slots",
        "avg_slot_occupancy_seconds",
        "created",
        "denied_slots",
        "id",
        "limit",
        "name",
        "slot_decay_per_second",
        "updated",
      ]);
      assert.equal(
        (created.body as unknown as { avg_slot_occupancy_seconds: number })
          .avg_slot_occupancy_seconds,
        2,
      );

      const first = await acquire(["probe-db"]);
      assert.equal(first.status, 200);
      assert.deepEqual(first.body.limits, [{ id: created.body.id, name: "probe-db", limit: 2 }]);
      const renewed = await call(
        "POST",
        `/v2/concurrency_limits/leases/${first.body.lease_id}/renew`,
        {
          lease_duration: 300,
        },
      );
      assert.equal(renewed.status, 204);
      const second = await acquire(["probe-db"]);
      assert.equal(second.status, 200);
      const third = await acquire(["probe-db"]);
      assert.equal(third.status, 423);
      assert.deepEqual(third.body, { detail: "Locked" });
      assert.ok(Number(third.headers.get("retry-after")) > 0, "Retry-After is a number of seconds");
      assert.equal((await limitOf("probe-db")).active_slots, 2);

      assert.equal((await release(first.body.lease_id)).status, 204);
      assert.equal(
        (await release(first.body.lease_id)).status,
        204,
        "a lease freed twice frees once",
      );
      assert.equal((await limitOf("probe-db")).active_slots, 1);
      assert.equal((await release(second.body.lease_id)).status, 204);

      const read = await call<Record<string, unknown>>("GET", "/v2/concurrency_limits/probe-db");
      assert.deepEqual(Object.keys(read.body).sort(), [
        "active",
        "active_slots",
        "created",
        "id",
        "limit",
        "name",
        "slot_decay_per_second",
        "updated",
      ]);
      assert.equal(read.body.active_slots, 0);
      const byId = await call("GET", `/v2/concurrency_limits/${created.body.id}`);
      assert.equal((byId.body as Limit).name, "probe-db");
      const listed = await call<Limit[]>("POST", "/v2/concurrency_limits/filter", {
        limit: 100,
        offset: 0,
      });
      assert.ok(listed.body.some((l) => l.name === "probe-db"));
      assert.equal((await call("DELETE", "/v2/concurrency_limits/probe-db")).status, 204);
      assert.equal((await call("DELETE", "/v2/concurrency_limits/probe-db")).status, 404);
    });

    it("paces a rate limit: /increment takes decaying slots, 423 while they decay", async () => {
      await create("probe-rate", 3, 5);
      const body = { names: ["probe-rate"], slots: 1, mode: "rate_limit" };
      for (let i = 0; i < 3; i++) {
        const ok = await call<Limit[]>("POST", "/v2/concurrency_limits/increment", body);
        assert.equal(ok.status, 200);
        assert.deepEqual(
          ok.body.map((l) => l.name),
          ["probe-rate"],
        );
      }
      const refused = await call("POST", "/v2/concurrency_limits/increment", body);
      assert.equal(refused.status, 423);
      assert.deepEqual(refused.body, { detail: "Locked" });
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      clock.offsetSeconds += 0.25; // 5 per second: one slot decayed
      assert.equal((await call("POST", "/v2/concurrency_limits/increment", body)).status, 200);
      assert.equal((await call("POST", "/v2/concurrency_limits/increment", body)).status, 423);
      clock.offsetSeconds += 1;
      assert.equal((await limitOf("probe-rate")).active_slots, 0);
    });

    it("a tag without a limit takes nothing and fails nothing (the Python client's tag protocol)", async () => {
      const taskRun = randomUUID();
      const got = await acquire(["tag:no-limit-here"], {
        lease_duration: 60,
        holder: { type: "task_run", id: taskRun },
      });
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.limits, []);
      const renewed = await call(
        "POST",
        `/v2/concurrency_limits/leases/${got.body.lease_id}/renew`,
        {
          lease_duration: 60,
        },
      );
      assert.equal(renewed.status, 204);
      assert.equal((await release(got.body.lease_id)).status, 204);
    });

    it("refuses bad input in Prefect's shapes, never 500", async () => {
      const negative = await create("bad", -1);
      assert.equal(negative.status, 422);
      assert.equal(
        (negative.body as unknown as { exception_message: string }).exception_message,
        "Invalid request received.",
      );
      await create("small", 1);
      const tooMany = await acquire(["small"], { slots: 2 });
      assert.deepEqual(
        [tooMany.status, tooMany.body],
        [422, { detail: "Slots requested is greater than the limit" }],
      );
      const rate = await call("POST", "/v2/concurrency_limits/increment", {
        names: ["small"],
        slots: 1,
        mode: "rate_limit",
      });
      assert.deepEqual(
        [rate.status, rate.body],
        [
          422,
          {
            detail:
              "Only concurrency limits with slot decay can be used for rate limiting. The following limits do not have a decay configured: 'small'",
          },
        ],
      );
      assert.equal((await acquire(["small"], { slots: 0 })).status, 422);
      assert.equal((await acquire(["small"], { lease_duration: 10 })).status, 422);
      assert.equal((await acquire([])).status, 422);
      const unknownLease = await call(
        "POST",
        `/v2/concurrency_limits/leases/${randomUUID()}/renew`,
        {
          lease_duration: 60,
        },
      );
      assert.deepEqual(
        [unknownLease.status, unknownLease.body],
        [404, { detail: "Lease not found" }],
      );
      assert.equal(
        (await call("PATCH", "/v2/concurrency_limits/small", { limit: -3 })).status,
        422,
      );
      assert.equal((await call("PATCH", "/v2/concurrency_limits/nope", { limit: 3 })).status, 404);
      const duplicate = await create("small", 1);
      assert.equal(duplicate.status, 409);
    });

    it("serves v1 tag limits over the tag:<tag> global limits", async () => {
      const made = await call<{
        id: string;
        tag: string;
        concurrency_limit: number;
        active_slots: string[];
      }>("POST", "/concurrency_limits/", { tag: "warehouse", concurrency_limit: 1 });
      assert.equal(made.status, 201);
      assert.deepEqual(
        [made.body.tag, made.body.concurrency_limit, made.body.active_slots],
        ["warehouse", 1, []],
      );
      assert.equal((await limitOf("tag:warehouse")).limit, 1);
      const again = await call("POST", "/concurrency_limits/", {
        tag: "warehouse",
        concurrency_limit: 2,
      });
      assert.equal(again.status, 200);
      const runA = randomUUID();
      const runB = randomUUID();
      const runC = randomUUID();
      const inc = await call<Limit[]>("POST", "/concurrency_limits/increment", {
        names: ["warehouse"],
        task_run_id: runA,
      });
      assert.deepEqual(inc.body, [{ id: made.body.id, name: "warehouse", limit: 2 }]);
      await call("POST", "/concurrency_limits/increment", {
        names: ["warehouse"],
        task_run_id: runB,
      });
      const full = await call("POST", "/concurrency_limits/increment", {
        names: ["warehouse"],
        task_run_id: runC,
      });
      assert.deepEqual(
        [full.status, full.body],
        [423, { detail: "Concurrency limit for the warehouse tag has been reached" }],
      );
      assert.equal(full.headers.get("retry-after"), "30.0");
      const read = await call<{ active_slots: string[] }>(
        "GET",
        "/concurrency_limits/tag/warehouse",
      );
      assert.deepEqual(read.body.active_slots.sort(), [runA, runB].sort());
      const dec = await call<Limit[]>("POST", "/concurrency_limits/decrement", {
        names: ["warehouse"],
        task_run_id: runA,
      });
      assert.deepEqual(
        dec.body.map((l) => l.name),
        ["tag:warehouse"],
      );
      assert.equal((await limitOf("tag:warehouse")).active_slots, 1);
      assert.equal(
        (await call("POST", "/concurrency_limits/tag/warehouse/reset", { slot_override: [runC] }))
          .status,
        200,
      );
      const reset = await call<{ active_slots: string[] }>(
        "GET",
        `/concurrency_limits/${made.body.id}`,
      );
      assert.deepEqual(reset.body.active_slots, [runC]);
      const listed = await call<{ tag: string }[]>("POST", "/concurrency_limits/filter", {});
      assert.ok(listed.body.some((l) => l.tag === "warehouse"));
      assert.ok(listed.body.every((l) => !l.tag.startsWith("tag:")));
      await call("POST", "/concurrency_limits/", { tag: "zero", concurrency_limit: 0 });
      const zero = await call("POST", "/concurrency_limits/increment", {
        names: ["zero"],
        task_run_id: runA,
      });
      assert.deepEqual(
        [zero.status, zero.body],
        [
          423,
          {
            detail:
              'The concurrency limit on tag "zero" is 0 and will deadlock if the task tries to run again.',
          },
        ],
      );
      assert.equal((await call("DELETE", "/concurrency_limits/tag/warehouse")).status, 200);
      assert.equal((await call("GET", "/concurrency_limits/tag/warehouse")).status, 404);
      assert.deepEqual((await call("DELETE", "/concurrency_limits/tag/warehouse")).body, {
        detail: "Concurrency limit not found",
      });
    });

    it("wakes waiters first come first served the moment a slot frees", async () => {
      const limit = (await create("fifo", 1)).body;
      const holder = await acquire(["fifo"]);
      assert.equal(holder.status, 200);
      const order: number[] = [];
      const waiting: Promise<Answer<{ lease_id: string }>>[] = [];
      for (let i = 0; i < 3; i++) {
        waiting.push(
          acquire(["fifo"], {}, "?wait=20").then((a) => {
            order.push(i);
            return a;
          }),
        );
        await until(
          `waiter ${i} queued`,
          () => waitingCounts(app.core.ctx, [limit.id]).get(limit.id) === i + 1,
        );
      }
      // a newcomer without a wait does not jump the queue
      assert.equal((await acquire(["fifo"])).status, 423);
      let leaseId = holder.body.lease_id;
      for (let i = 0; i < 3; i++) {
        const freedAt = Date.now();
        await release(leaseId);
        const next = await waiting[i];
        assert.equal(next?.status, 200);
        assert.ok(Date.now() - freedAt < 1000, "woken at once, not on a poll of seconds");
        leaseId = next.body.lease_id;
      }
      assert.deepEqual(order, [0, 1, 2]);
      await release(leaseId);
      const timedOut = await acquire(["fifo"], {}, "?wait=0.2");
      assert.equal(timedOut.status, 200);
      const late = await acquire(["fifo"], {}, "?wait=0.3");
      assert.equal(late.status, 423, "a wait that ends without a slot is Prefect's 423");
      await release(timedOut.body.lease_id);
    });

    it("frees expired leases (the Repossessor) and keeps renewed ones", async () => {
      await create("expiring", 2);
      const a = await acquire(["expiring"], { lease_duration: 60 });
      const b = await acquire(["expiring"], { lease_duration: 60 });
      clock.offsetSeconds += 50;
      await call("POST", `/v2/concurrency_limits/leases/${b.body.lease_id}/renew`, {
        lease_duration: 60,
      });
      clock.offsetSeconds += 20;
      const swept = await repossessor().sweep();
      assert.ok(swept && swept.expired >= 1);
      assert.equal((await limitOf("expiring")).active_slots, 1);
      assert.equal(
        (
          await call("POST", `/v2/concurrency_limits/leases/${a.body.lease_id}/renew`, {
            lease_duration: 60,
          })
        ).status,
        404,
      );
      await release(b.body.lease_id);
    });

    it("frees a holder's slots the moment its holder socket closes", async () => {
      await create("bound", 1);
      const holderId = randomUUID();
      const socket = new WebSocket(
        `${base.replace("http", "ws")}/api/v2/concurrency_limits/leases/holder`,
      );
      await new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
      });
      const attached = new Promise<unknown>((resolve) =>
        socket.once("message", (d) => resolve(JSON.parse(String(d)))),
      );
      socket.send(JSON.stringify({ type: "attach", holder_id: holderId }));
      assert.deepEqual(await attached, { type: "attached", holder_id: holderId, leases: 0 });
      const got = await acquire(["bound"], {}, "", { "prefect-ts-holder": holderId });
      assert.equal(got.status, 200);
      const holders = await call<{ holder_id: string }[]>(
        "GET",
        "/v2/concurrency_limits/bound/holders",
      );
      assert.deepEqual(
        holders.body.map((h) => h.holder_id),
        [holderId],
      );
      const closedAt = Date.now();
      socket.close();
      await until(
        "the closed holder's slot freed",
        async () => (await limitOf("bound")).active_slots === 0,
        2000,
      );
      assert.ok(Date.now() - closedAt < 2000);
      const bad = new WebSocket(
        `${base.replace("http", "ws")}/api/v2/concurrency_limits/leases/holder`,
      );
      await new Promise((resolve) => bad.once("open", resolve));
      const code = new Promise<number>((resolve) => bad.once("close", (c) => resolve(c)));
      bad.send(JSON.stringify({ type: "hello" }));
      assert.equal(await code, 1008);
    });
    it("delays a tagged task run whose tag limit is full, naming the limit and its holder", async () => {
      await call("POST", "/concurrency_limits/", { tag: "db", concurrency_limit: 1 });
      await call("POST", "/concurrency_limits/", { tag: "never", concurrency_limit: 0 });
      const flow = await call<{ id: string }>("POST", "/flows/", { name: "tagged" });
      const flowRun = await call<{ id: string }>("POST", "/flow_runs/", {
        flow_id: flow.body.id,
        state: { type: "RUNNING" },
      });
      const taskRun = async (key: string, tags: string[]) =>
        (
          await call<{ id: string }>("POST", "/task_runs/", {
            flow_run_id: flowRun.body.id,
            task_key: key,
            dynamic_key: "0",
            name: key,
            tags,
          })
        ).body.id;
      type Outcome = { status: string; details: { reason?: string; delay_seconds?: number } };
      const propose = (id: string, type: string) =>
        call<Outcome>("POST", `/task_runs/${id}/set_state`, { state: { type } });
      const a = await taskRun("a", ["db", "untracked"]);
      const b = await taskRun("b", ["db"]);
      const started = await propose(a, "RUNNING");
      assert.equal(started.body.status, "ACCEPT", JSON.stringify(started.body));
      assert.deepEqual((await limitOf("tag:db")).active_slots, 1);
      const waiting = await propose(b, "RUNNING");
      assert.equal(waiting.body.status, "WAIT");
      assert.equal(waiting.body.details.delay_seconds, 30);
      assert.match(
        waiting.body.details.reason ?? "",
        /Concurrency limit for the db tag has been reached/,
      );
      assert.match(waiting.body.details.reason ?? "", new RegExp(`task run ${a}`));
      assert.equal((await propose(a, "COMPLETED")).body.status, "ACCEPT");
      assert.equal((await limitOf("tag:db")).active_slots, 0);
      assert.equal((await propose(b, "RUNNING")).body.status, "ACCEPT");
      assert.equal((await propose(b, "FAILED")).body.status, "ACCEPT");
      assert.equal((await limitOf("tag:db")).active_slots, 0);
      const c = await taskRun("c", ["never"]);
      const aborted = await propose(c, "RUNNING");
      assert.equal(aborted.body.status, "ABORT");
      assert.match(aborted.body.details.reason ?? "", /is 0 and will deadlock/);
    });
  });
}

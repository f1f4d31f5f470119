/**
 * `concurrency()` and `rateLimit()` as a user writes them: never more holders than the limit,
 * slots given back when the work ends (or throws), waiting bounded by `timeoutSeconds` and
 * `maxRetries`, a missing limit warned about (or refused with `strict`), the `await using` form,
 * a rate limit pacing calls at its decay rate, and Prefect's `prefect.concurrency-limit.*` events.
 * Embedded and in client mode against a real server, on both databases.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import type { PrefectClient } from "../../src/client/prefect-client.ts";
import { ErrorCode, isPrefectTsError } from "../../src/core/errors.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { concurrency, flow, getRunContext, rateLimit, task } from "../../src/index.ts";
import { filterEvents, resolveFilter } from "../../src/resources/events/model.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

for (const dialect of DIALECTS) {
  for (const mode of ["embedded", "client"] as const) {
    describe(`${dialect}, ${mode}: concurrency() and rateLimit()`, () => {
      let t: TestDatabase;
      let app: FastifyInstance | null = null;
      let client: PrefectClient;

      before(async () => {
        t = await createTestDatabase(dialect);
        if (mode === "client") {
          app = await createCheckedApp({ database: t.database });
          client = new HttpClient(`${await app.listen({ host: "127.0.0.1", port: 0 })}/api`);
        } else client = new EmbeddedClient(t.database, { ownsDatabase: false });
        useClient(client);
      });
      after(async () => {
        await shutdownRuntime();
        await app?.close();
        await t.dispose();
      });

      it("never lets more than the limit hold slots at once, and gives every slot back", async () => {
        await client.concurrencyLimits.create({ name: `db-${mode}`, limit: 2 });
        let holding = 0;
        let most = 0;
        let finished = 0;
        // each holder keeps its slot until a second holder has one too (or no one else is left):
        // two at once must happen, a third never may
        const hold = () =>
          concurrency(`db-${mode}`, { occupy: 1 }, async () => {
            holding++;
            most = Math.max(most, holding);
            while (holding < 2 && finished + holding < 8) await tick();
            for (let i = 0; i < 3; i++) await tick();
            holding--;
            finished++;
          });
        await Promise.all(Array.from({ length: 8 }, hold));
        assert.equal(most, 2);
        const limit = await client.concurrencyLimits.read(`db-${mode}`);
        assert.equal(limit.active_slots, 0);
      });

      it("gives the slots back when the work throws, and rethrows", async () => {
        await client.concurrencyLimits.create({ name: `throws-${mode}`, limit: 1 });
        await assert.rejects(
          concurrency(`throws-${mode}`, async () => {
            throw new Error("boom");
          }),
          /boom/,
        );
        assert.equal((await client.concurrencyLimits.read(`throws-${mode}`)).active_slots, 0);
      });

      it("holds slots until the end of an `await using` block", async () => {
        await client.concurrencyLimits.create({ name: `using-${mode}`, limit: 3 });
        {
          await using slots = await concurrency(`using-${mode}`, { occupy: 2 });
          assert.deepEqual(
            slots.limits.map((l) => l.name),
            [`using-${mode}`],
          );
          assert.equal((await client.concurrencyLimits.read(`using-${mode}`)).active_slots, 2);
        }
        assert.equal((await client.concurrencyLimits.read(`using-${mode}`)).active_slots, 0);
      });

      it("stops waiting after timeoutSeconds, and after maxRetries full answers", async () => {
        await client.concurrencyLimits.create({ name: `full-${mode}`, limit: 1 });
        const held = await concurrency(`full-${mode}`);
        try {
          await assert.rejects(
            concurrency(`full-${mode}`, { timeoutSeconds: 0.3 }, async () => "never"),
            (error) =>
              isPrefectTsError(error) &&
              error.code === ErrorCode.CONCURRENCY_SLOTS_UNAVAILABLE &&
              /timed out after 0.3 second/.test(error.message),
          );
          await assert.rejects(
            concurrency(`full-${mode}`, { maxRetries: 0, timeoutSeconds: 5 }, async () => "never"),
            (error) =>
              isPrefectTsError(error) && error.code === ErrorCode.CONCURRENCY_SLOTS_UNAVAILABLE,
          );
        } finally {
          await held.release();
        }
        // the slot freed by the holder is taken at once by the next one
        assert.equal(await concurrency(`full-${mode}`, { timeoutSeconds: 5 }, () => "ran"), "ran");
      });

      it("a waiter runs the moment a slot frees, not at a polling interval", async () => {
        await client.concurrencyLimits.create({ name: `wake-${mode}`, limit: 1 });
        const held = await concurrency(`wake-${mode}`);
        const order: string[] = [];
        const waiting = concurrency(`wake-${mode}`, { timeoutSeconds: 20 }, () => {
          order.push("waiter ran");
        });
        for (let i = 0; i < 20; i++) await tick();
        order.push("released");
        const releasedAt = performance.now();
        await held.release();
        await waiting;
        assert.deepEqual(order, ["released", "waiter ran"]);
        // bound generous for a loaded machine; a fixed sleep between polls would be seconds
        assert.ok(performance.now() - releasedAt < 2000);
      });

      it("warns about a limit that does not exist and runs the work; strict refuses it", async () => {
        assert.equal(await concurrency(`missing-${mode}`, () => 42), 42);
        await assert.rejects(
          concurrency(`missing-${mode}`, { strict: true }, () => 42),
          (error) =>
            isPrefectTsError(error) &&
            error.code === ErrorCode.CONCURRENCY_REQUEST_INVALID &&
            error.message.includes(`'missing-${mode}'`),
        );
      });

      it("refuses to occupy a fractional or zero number of slots", async () => {
        await assert.rejects(
          concurrency(`db-${mode}`, { occupy: 0 }, () => 1),
          (error) =>
            isPrefectTsError(error) && error.code === ErrorCode.CONCURRENCY_REQUEST_INVALID,
        );
      });

      it("rateLimit paces calls at the limit's decay rate", async () => {
        await client.concurrencyLimits.create({
          name: `rate-${mode}`,
          limit: 2,
          slot_decay_per_second: 20,
        });
        const started = performance.now();
        for (let i = 0; i < 8; i++) await rateLimit(`rate-${mode}`);
        const seconds = (performance.now() - started) / 1000;
        // 2 at once, then 6 more at 20 a second: at least ~0.3 s
        assert.ok(seconds >= 0.2, `8 calls took ${seconds} s`);
      });

      it("task runs with a tag run at most the tag's limit at once; a waiting one says what it waits for", async () => {
        await client.concurrencyLimits.createTagLimit(`warehouse-${mode}`, 1);
        let running = 0;
        let most = 0;
        const load = task(
          { name: "load", tags: [`warehouse-${mode}`, `free-${mode}`] },
          async (_n: number) => {
            running++;
            most = Math.max(most, running);
            for (let i = 0; i < 10; i++) await tick();
            running--;
            return "loaded";
          },
        );
        let flowRunId = "";
        const f = flow({ name: `tag-limited-${mode}` }, async () => {
          flowRunId = getRunContext()?.flowRun?.id ?? "";
          const futures = load.map([1, 2, 3]);
          return Promise.all(futures.map((future) => future.result()));
        });
        assert.deepEqual(await f(), ["loaded", "loaded", "loaded"]);
        assert.equal(most, 1);
        const tagLimit = await client.concurrencyLimits.readTagLimit(`warehouse-${mode}`);
        assert.deepEqual(tagLimit.active_slots, []);
        await client.confirmEvents();
        const loads = await client.readTaskRuns({ flowRunIds: [flowRunId] });
        assert.equal(loads.length, 3);
        const waited = await Promise.all(
          loads.map(async (r) => (await client.readTaskRunStates(r.id)).map((st) => st.name)),
        );
        const awaiting = waited.flat().filter((name) => name === "AwaitingConcurrencySlot");
        assert.ok(awaiting.length >= 1, JSON.stringify(waited));
      });

      it("inside a task, reports prefect.concurrency-limit.acquired and released, related to the run", async () => {
        await client.concurrencyLimits.create({ name: `events-${mode}`, limit: 1 });
        const step = task({ name: "limited" }, () => concurrency(`events-${mode}`, () => "done"));
        const f = flow({ name: `concurrency-events-${mode}` }, () => step());
        assert.equal(await f(), "done");
        await client.confirmEvents();
        await app?.flushEvents();
        if (client instanceof EmbeddedClient) await client.core.bus.flush();
        const limit = await client.concurrencyLimits.read(`events-${mode}`);
        // the event store writes after the task runs (not waited for by a flow): asked until both
        const names = await until("both events stored", async () => {
          const found = await eventNames(client, app, `prefect.concurrency-limit.${limit.id}`);
          return found.length >= 2 ? found : null;
        });
        assert.deepEqual(names.sort(), [
          "prefect.concurrency-limit.acquired",
          "prefect.concurrency-limit.released",
        ]);
      });
    });
  }
}

/** Event names stored for a resource (through the API's event filter, or the embedded core). */
async function eventNames(
  client: PrefectClient,
  app: FastifyInstance | null,
  resourceId: string,
): Promise<string[]> {
  const filter = { resource: { id: [resourceId] } };
  if (client instanceof EmbeddedClient) {
    const ctx = client.core.ctx;
    return (await filterEvents(ctx, resolveFilter(ctx, filter), 50)).map((e) => e.event);
  }
  assert.ok(app);
  const res = await app.inject({ method: "POST", url: "/api/events/filter", payload: { filter } });
  return (res.json() as { events: { event: string }[] }).events.map((e) => e.event);
}

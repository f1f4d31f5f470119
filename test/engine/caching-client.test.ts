import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, getRunContext, State, StateType, task, transaction } from "../../src/index.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

function counter() {
  const calls: unknown[] = [];
  return { calls, hit: (v: unknown) => calls.push(v) };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: caching in client mode (against our server)`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let client: HttpClient;
    let storage: string;
    before(async () => {
      storage = mkdtempSync(join(tmpdir(), "prefect-ts-storage-"));
      process.env.PREFECT_LOCAL_STORAGE_PATH = storage;
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      client = new HttpClient(`${address}/api`);
      useClient(client);
    });
    after(async () => {
      await shutdownRuntime();
      await app.close();
      await t.dispose();
      delete process.env.PREFECT_LOCAL_STORAGE_PATH;
      rmSync(storage, { recursive: true, force: true });
    });

    it("a cache hit reaches the server as Cached, with the result's metadata a reader can load", async () => {
      const c = counter();
      const t1 = task(
        { name: "remote-keyed", cacheKeyFn: () => "remote-key" },
        async (x: number) => {
          c.hit(x);
          return x * 3;
        },
      );
      const f = flow({ name: "remote-cache" }, async (x: number) => ({
        value: await t1(x),
        id: getRunContext()?.flowRun?.id ?? "",
      }));
      const first = await f(2);
      const second = await f(5);
      assert.deepEqual([first.value, second.value], [6, 6]);
      assert.deepEqual(c.calls, [2]);
      // the server records task-run events within its flush interval, as Prefect's does
      await client.confirmEvents();
      await app.flushEvents();
      const [run] = await client.readTaskRuns({ flowRunIds: [second.id] });
      assert.equal(run?.state_name, "Cached");
      assert.equal(run?.state_type, "COMPLETED");
      const states = await client.readTaskRunStates(run?.id ?? "");
      const cached = states.find((s) => s.name === "Cached");
      assert.equal(
        (cached?.data as { storage_key?: string } | undefined)?.storage_key,
        join(storage, "remote-key"),
      );
      assert.equal(await State.fromRecord(cached as NonNullable<typeof cached>).result(), 6);
    });

    it("transactions roll back over the API: the staged task run ends RolledBack on the server", async () => {
      const undone: string[] = [];
      const stage = task(
        { name: "stage-rows", onRollback: [() => void undone.push("rows")] },
        async () => 1,
      );
      const fail = task({ name: "fail-check" }, async () => {
        throw new Error("check failed");
      });
      const f = flow({ name: "remote-txn" }, async () => {
        const id = getRunContext()?.flowRun?.id ?? "";
        await transaction({}, async () => {
          await stage();
          await fail();
        }).catch(() => undefined);
        return id;
      });
      const id = await f();
      assert.deepEqual(undone, ["rows"]);
      await client.confirmEvents();
      await app.flushEvents();
      const runs = await client.readTaskRuns({ flowRunIds: [id] });
      assert.equal(runs.find((r) => r.name.startsWith("stage-rows"))?.state_name, "RolledBack");
    });

    it("a manual retry over the API attaches to the failed run and reuses persisted task results", async () => {
      const calls: string[] = [];
      let failOnce = true;
      const load = task({ name: "load", persistResult: true }, async (x: number) => {
        calls.push("load");
        return x * 2;
      });
      const check = task({ name: "check" }, async (x: number) => {
        calls.push("check");
        if (failOnce) {
          failOnce = false;
          throw new Error("not yet");
        }
        return x + 1;
      });
      const f = flow({ name: "remote-resume" }, async () => {
        return { id: getRunContext()?.flowRun?.id ?? "", value: await check(await load(4)) };
      });
      const failed = await f.callWithState();
      assert.equal(failed.type, "FAILED");
      await client.confirmEvents();
      await app.flushEvents();
      const id = failed.stateDetails.flow_run_id as string;
      await client.setFlowRunState(
        id,
        {
          type: StateType.SCHEDULED,
          name: "AwaitingRetry",
          state_details: { scheduled_time: new Date().toISOString() },
        },
        { force: true },
      );
      process.env.PREFECT__FLOW_RUN_ID = id;
      const out = await f();
      assert.equal(process.env.PREFECT__FLOW_RUN_ID, undefined, "the attachment is used once");
      assert.deepEqual(out, { id, value: 9 });
      assert.deepEqual(calls, ["load", "check", "check"]);
      const run = await client.readFlowRun(id);
      assert.equal(run.run_count, 2);
      assert.equal(run.state_type, "COMPLETED");
    });
  });
}

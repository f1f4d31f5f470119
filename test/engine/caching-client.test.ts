import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, getRunContext, State, task } from "../../src/index.ts";
import { createApp } from "../../src/server/app.ts";
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
      app = await createApp({ database: t.database });
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
  });
}

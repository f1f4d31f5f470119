/**
 * Task-run events a client cannot deliver while the API is away wait for it — past a size bound
 * in a spool file under the client's `PREFECT_HOME` rather than in memory — and are all delivered,
 * in order, once the API answers again on the same address; the spool file is then removed.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { stateRecord, taskRunRecord } from "../helpers/records.ts";
import { until } from "../helpers/until.ts";
import { freePort } from "./processes.ts";

const spooled = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

for (const dialect of DIALECTS) {
  describe(`${dialect}: events spooled while the API is away`, () => {
    let t: TestDatabase;
    let app: FastifyInstance | null = null;
    let port: number;
    before(async () => {
      t = await createTestDatabase(dialect);
      port = await freePort();
    });
    after(async () => {
      await app?.close();
      await t.dispose();
    });

    const serve = async () => {
      app = await createCheckedApp({ database: t.database });
      await app.listen({ host: "127.0.0.1", port });
    };

    it("are delivered when the API is back, and the spool file is removed", async () => {
      await serve();
      const spoolDir = join(t.home, "spool");
      const client = new HttpClient(`http://127.0.0.1:${port}/api`, {
        spoolDir,
        spoolAfterBytes: 20_000,
        retry: { onOutage: () => undefined },
      });
      const flow = await client.createFlow({ name: "spooled" });
      const flowRun = await client.createFlowRun({ flow_id: flow.id });
      const report = (from: number, n: number) =>
        client.recordTaskRunTransitions(
          Array.from({ length: n }, (_, i) => ({
            run: taskRunRecord(flowRun.id, { name: `t-${from + i}`, dynamic_key: `${from + i}` }),
            state: stateRecord("COMPLETED", "Completed"),
          })),
        );
      await report(0, 10);
      await client.confirmEvents();
      // the API goes away; the client keeps reporting
      await app?.close();
      app = null;
      for (let i = 0; i < 10; i++) await report(10 + i * 100, 100);
      // once the client has seen its connection close, what is past the bound goes to disk
      await until("events spooled", () => spooled(spoolDir).length > 0);
      assert.equal(spooled(spoolDir).length, 1, "past the bound, events wait on disk");
      await serve();
      await client.confirmEvents();
      assert.equal(
        await client.countTaskRuns({ flowRunIds: [flowRun.id], stateTypes: ["COMPLETED"] }),
        1010,
      );
      assert.deepEqual(spooled(spoolDir), []);
      await client.close();
    });
  });
}

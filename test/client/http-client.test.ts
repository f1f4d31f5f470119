import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { getClient } from "../../src/client/get-client.ts";
import { HttpClient } from "../../src/client/http-client.ts";
import { ErrorCode, isPrefectTsError } from "../../src/core/errors.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, getRunContext, getRunLogger, task } from "../../src/index.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: the SDK in client mode against our server`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let client: HttpClient;
    let apiUrl: string;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      apiUrl = `${address}/api`;
      client = new HttpClient(apiUrl);
      useClient(client);
    });
    after(async () => {
      await shutdownRuntime();
      await app.close();
      await t.dispose();
    });

    it("records flow runs, task runs and logs through the API", async () => {
      const double = task({ name: "double" }, async (x: number) => x * 2);
      const f = flow({ name: "over-http", retries: 1 }, async (n: number) => {
        getRunLogger().info("starting");
        const values = await double.map(Array.from({ length: n }, (_, i) => i));
        return { id: getRunContext()?.flowRun?.id ?? "", sum: values.reduce((a, b) => a + b, 0) };
      });
      const out = (await f(20)) as { id: string; sum: number };
      assert.equal(out.sum, 380);
      const run = await client.readFlowRun(out.id);
      assert.equal(run.state_type, "COMPLETED");
      // task runs arrive as events, recorded by the server within its flush interval
      await client.confirmEvents();
      await app.flushEvents();
      assert.equal(
        await client.countTaskRuns({ flowRunIds: [out.id], stateTypes: ["COMPLETED"] }),
        20,
      );
      const [taskRun] = await client.readTaskRuns({ flowRunIds: [out.id], limit: 1 });
      assert.ok(taskRun);
      const history = await client.readTaskRunStates(taskRun.id);
      assert.deepEqual(
        history.map((s) => s.type),
        ["PENDING", "RUNNING", "COMPLETED"],
      );
      // each task-run event names its flow run and flow, as Prefect's client does
      const res = await fetch(`${apiUrl}/events/filter`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          filter: {
            occurred: { since: "2000-01-01T00:00:00Z" },
            resource: { id: [`prefect.task-run.${taskRun.id}`] },
          },
        }),
      });
      const page = (await res.json()) as { events: { related: Record<string, string>[] }[] };
      assert.equal(page.events.length, 3);
      for (const event of page.events) {
        assert.deepEqual(event.related.slice(0, 2), [
          {
            "prefect.resource.id": `prefect.flow-run.${out.id}`,
            "prefect.resource.role": "flow-run",
            "prefect.resource.name": run.name,
          },
          {
            "prefect.resource.id": `prefect.flow.${run.flow_id}`,
            "prefect.resource.role": "flow",
            "prefect.resource.name": "over-http",
          },
        ]);
      }
      const logs = await client.readLogs({ flowRunId: out.id });
      assert.ok(logs.some((l) => l.message === "starting"));
      const names = (await client.readFlowRuns({ flowNames: ["over-http"] })).map((r) => r.id);
      assert.ok(names.includes(out.id));
    });

    it("is what getClient() gives when PREFECT_API_URL is set", async () => {
      const fromSettings = await getClient(
        loadSettings({ PREFECT_API_URL: apiUrl, PREFECT_HOME: t.home }),
      );
      assert.ok(fromSettings instanceof HttpClient);
      const flow = await client.createFlow({ name: "seen-by-both" });
      assert.equal((await fromSettings.readFlow(flow.id)).name, "seen-by-both");
    });

    it("maps API errors to this library's errors", async () => {
      await assert.rejects(
        () => client.readFlowRun("00000000-0000-4000-8000-000000000000"),
        (e: unknown) => {
          return isPrefectTsError(e) && e.code === ErrorCode.OBJECT_NOT_FOUND;
        },
      );
      const unreachable = new HttpClient("http://127.0.0.1:1/api", {
        retry: { sleep: async () => undefined, onOutage: () => undefined },
      });
      await assert.rejects(
        () => unreachable.readFlows(),
        (e: unknown) => {
          return (
            isPrefectTsError(e) &&
            e.code === ErrorCode.API_UNREACHABLE &&
            /PREFECT_API_URL/.test(e.message)
          );
        },
      );
    });
  });
}

/**
 * One client's bad events never cost another client its task runs: while a client-mode flow
 * process reports task runs whose name holds a NUL (which PostgreSQL cannot store) every few
 * milliseconds, another client-mode flow of 200 tasks ends `Completed` with all 200 stored, and the
 * poisoning client is told its events were refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { flowProcess } from "./processes.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: a client sending events the server cannot store`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let api: string;
    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      api = `${await app.listen({ host: "127.0.0.1", port: 0 })}/api`;
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("costs its neighbour none of its 200 task runs, and is told", async () => {
      const env = { PREFECT_API_URL: api, PREFECT_HOME: t.home };
      const poison = flowProcess("paced-flow", ["300", "2"], {
        ...env,
        PACED_POISON: "1",
      });
      await poison.line(/RUN (\S+)/);
      const good = flowProcess("paced-flow", ["200", "0"], env);
      const id = await good.line(/RUN (\S+)/);
      assert.equal(await good.exit, 0, good.stderr());
      await poison.exit;
      const client = new HttpClient(api);
      assert.equal((await client.readFlowRun(id)).state_type, "COMPLETED");
      assert.equal(
        await client.countTaskRuns({ flowRunIds: [id], stateTypes: ["COMPLETED"] }),
        200,
      );
      assert.match(poison.stderr(), /the server refused/);
      await client.close();
    });
  });
}

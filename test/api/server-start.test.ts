import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: prefect-ts server start`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await t.dispose();
    });

    it("serves the API on an ephemeral port, shows runs recorded before it started, stops on SIGTERM", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "server", "start", "--port", "0"],
        {
          env: { ...process.env, PREFECT_HOME: t.home, PREFECT_API_DATABASE_CONNECTION_URL: t.url },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const exited = once(child, "exit");
      let api = "";
      for await (const line of createInterface({ input: child.stdout })) {
        const m = /^API:\s+(\S+)/.exec(line);
        if (m?.[1]) {
          api = m[1];
          break;
        }
      }
      assert.match(api, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
      const health = await fetch(`${api}/health`);
      assert.equal(await health.json(), true);
      const flow = await fetch(`${api}/flows/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "served" }),
      });
      assert.equal(flow.status, 201);
      child.kill("SIGTERM");
      const [code] = await exited;
      assert.equal(code, 0);
      const rows = await t.database.db
        .selectFrom("flow")
        .select("name")
        .where("name", "=", "served")
        .execute();
      assert.equal(rows.length, 1);
    });
  });
}

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    describe(`${dialect}: ${signal} during a flow run`, () => {
      let db: TestDatabase;
      before(async () => {
        db = await createTestDatabase(dialect);
      });
      after(async () => {
        await db.dispose();
      });

      it("ends the run Crashed, runs onCrashed hooks and keeps the finished task runs", async () => {
        const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/long-flow.ts"], {
          env: {
            ...process.env,
            PREFECT_HOME: db.home,
            PREFECT_API_DATABASE_CONNECTION_URL: db.url,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        const lines: string[] = [];
        const reader = createInterface({ input: child.stdout });
        let runId = "";
        for await (const line of reader) {
          lines.push(line);
          if (line.startsWith("RUN ")) {
            runId = line.slice(4);
            child.kill(signal);
          }
        }
        const [code] = await once(child, "exit");
        assert.ok(runId, `the flow never started: ${lines.join("\n")}`);
        assert.equal(code, signal === "SIGTERM" ? 143 : 130);
        assert.ok(lines.includes("HOOK onCrashed Crashed"), lines.join("\n"));
        const client = new EmbeddedClient(db.database, { ownsDatabase: false });
        const run = await client.readFlowRun(runId);
        assert.equal(run.state_type, "CRASHED");
        assert.match(run.state?.message ?? "", new RegExp(signal));
        const tasks = await client.readTaskRuns({ flowRunIds: [runId] });
        const quick = tasks.filter((t) => t.name.startsWith("quick-"));
        assert.equal(quick.length, 3);
        assert.ok(quick.every((t) => t.state_type === "COMPLETED"));
        const slow = tasks.find((t) => t.name.startsWith("slow-"));
        assert.equal(slow?.state_type, "CRASHED");
      });
    });
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: SIGTERM repeated while the run is crashing`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(dialect);
    });
    after(async () => {
      await db.dispose();
    });

    // a runner such as tsx forwards the signal its process group already got
    it("lets the onCrashed hooks finish and ends the run Crashed", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/fixtures/slow-abort-flow.ts"],
        {
          env: {
            ...process.env,
            PREFECT_HOME: db.home,
            PREFECT_API_DATABASE_CONNECTION_URL: db.url,
          },
          stdio: ["pipe", "pipe", "pipe"],
        },
      );
      let runId = "";
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        if (line.startsWith("RUN ")) {
          runId = line.slice(4);
          child.kill("SIGTERM");
        } else if (line === "HOOK STARTED") {
          child.kill("SIGTERM");
          child.stdin.write("release\n");
        }
      }
      const [code] = await once(child, "exit");
      assert.equal(code, 143);
      assert.ok(lines.includes("HOOK DONE"), lines.join("\n"));
      const client = new EmbeddedClient(db.database, { ownsDatabase: false });
      const run = await client.readFlowRun(runId);
      assert.equal(run.state_type, "CRASHED");
    });
  });
}

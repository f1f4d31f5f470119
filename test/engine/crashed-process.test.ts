/**
 * Runs record their process and send heartbeats; a flow process killed -9 over an embedded
 * database leaves its run Running only until the next `prefect-ts` process opens that database,
 * which ends it Crashed with its unfinished task runs.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { startHeartbeat } from "../../src/engine/heartbeat.ts";
import { flow, getRunContext } from "../../src/index.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import type { Database } from "../../src/storage/database.ts";
import { runCli } from "../cli/helpers.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";
import { until } from "../helpers/until.ts";

async function heartbeats(database: Database, runId: string): Promise<number> {
  const row = await database.db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("event", "=", "prefect.flow-run.heartbeat")
    .where("resource_id", "=", `prefect.flow-run.${runId}`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: an embedded flow process killed -9`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(dialect);
    });
    after(async () => {
      await db.dispose();
    });

    it("is settled Crashed by the next process that opens the database", async () => {
      const env = { PREFECT_HOME: db.home, PREFECT_API_DATABASE_CONNECTION_URL: db.url };
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/long-flow.ts"], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = once(child, "exit");
      let runId = "";
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.startsWith("RUN ")) {
          runId = line.slice(4);
          break;
        }
      }
      assert.ok(runId, "the flow started");
      // reads only: this client does not look for zombies (only a process opening the database does)
      const reader = new EmbeddedClient(db.database, { ownsDatabase: false });
      const recorded = await until("the flow run's process", async () => {
        const run = await reader.readFlowRun(runId);
        return run.infrastructure_pid;
      });
      assert.equal(recorded, `${hostname()}:${child.pid}`);
      await until("the slow task run", async () => {
        const tasks = await reader.readTaskRuns({ flowRunIds: [runId] });
        return tasks.some((t) => t.name.startsWith("slow-") && t.state_type === "RUNNING");
      });
      child.kill("SIGKILL");
      await exited;
      assert.equal((await reader.readFlowRun(runId)).state_type, "RUNNING");

      // any command opening the database settles it before it exits
      const ls = await runCli(["flow-run", "ls"], env);
      assert.equal(ls.code, 0, ls.stderr);
      const run = await reader.readFlowRun(runId);
      assert.equal(run.state_type, "CRASHED");
      assert.match(run.state?.message ?? "", new RegExp(`\\(${recorded}\\) is gone`));
      const tasks = await reader.readTaskRuns({ flowRunIds: [runId] });
      assert.equal(tasks.filter((t) => t.state_type === "COMPLETED").length, 3);
      const slow = tasks.find((t) => t.name.startsWith("slow-"));
      assert.equal(slow?.state_type, "CRASHED");
    });
  });

  describe(`${dialect}: a running flow's process and heartbeats`, () => {
    let sdk: SdkHarness;
    before(async () => {
      sdk = await sdkHarness(dialect);
    });
    after(async () => {
      await sdk.close();
    });

    it("records the process as infrastructure_pid and sends a heartbeat as it starts", async () => {
      const seen = flow({ name: "records-its-process" }, () => getRunContext()?.flowRun?.id ?? "");
      const id = await seen();
      const run = await sdk.client.readFlowRun(id);
      assert.equal(run.infrastructure_pid, `${hostname()}:${process.pid}`);
      await sdk.client.core.bus.flush();
      assert.equal(await heartbeats(sdk.db.database, id), 1);
      const events = await sdk.db.database.db
        .selectFrom("events")
        .selectAll()
        .where("event", "=", "prefect.flow-run.heartbeat")
        .execute();
      const event = events[0];
      assert.ok(event);
      const resource = sdk.db.database.dialect.fromJson<Record<string, string>>(event.resource);
      assert.equal(resource["prefect.resource.id"], `prefect.flow-run.${id}`);
      assert.equal(resource["prefect.resource.name"], run.name);
      // how often it beats (the default, 30 s), for the server's limit
      assert.deepEqual(sdk.db.database.dialect.fromJson(event.payload), { heartbeat_seconds: 30 });
      const related = sdk.db.database.dialect.fromJson<Record<string, string>[]>(event.related);
      assert.deepEqual(related[0], {
        "prefect.resource.id": `prefect.flow.${run.flow_id}`,
        "prefect.resource.role": "flow",
        "prefect.resource.name": "records-its-process",
      });
    });

    it("beats every interval until stopped", async () => {
      const made = flow({ name: "beats" }, () => getRunContext()?.flowRun ?? null);
      const run = await made();
      assert.ok(run);
      const beat = startHeartbeat(sdk.client, run, {
        seconds: 30,
        flowName: "beats",
        intervalMs: 20,
      });
      await sdk.client.core.bus.flush();
      const before = await heartbeats(sdk.db.database, run.id);
      await until("three more heartbeats", async () => {
        await sdk.client.core.bus.flush();
        return (await heartbeats(sdk.db.database, run.id)) >= before + 3;
      });
      await beat.stop();
      await sdk.client.core.bus.flush();
      const stopped = await heartbeats(sdk.db.database, run.id);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sdk.client.core.bus.flush();
      assert.equal(await heartbeats(sdk.db.database, run.id), stopped, "no heartbeat after stop");
    });
  });
}

describe("heartbeat and zombie settings", () => {
  it("beat every 30 s unless told otherwise, never under Prefect's minimum of 30 s", () => {
    assert.equal(loadSettings({}).heartbeatSeconds, 30);
    assert.equal(loadSettings({ PREFECT_FLOWS_HEARTBEAT_FREQUENCY: "60" }).heartbeatSeconds, 60);
    assert.equal(loadSettings({ PREFECT_RUNNER_HEARTBEAT_FREQUENCY: "45" }).heartbeatSeconds, 45);
    assert.equal(
      loadSettings({
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY: "off",
        PREFECT_RUNNER_HEARTBEAT_FREQUENCY: "45",
      }).heartbeatSeconds,
      null,
    );
    assert.throws(
      () => loadSettings({ PREFECT_FLOWS_HEARTBEAT_FREQUENCY: "10" }),
      /PREFECT_FLOWS_HEARTBEAT_FREQUENCY: '10': give whole seconds, 30 or more/,
    );
    assert.deepEqual(loadSettings({}).zombieFlowRuns, {
      enabled: true,
      loopSeconds: 5,
      afterSeconds: 90,
    });
    assert.throws(
      () => loadSettings({ PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS: "0" }),
      /PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS/,
    );
  });
});

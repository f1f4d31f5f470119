/**
 * Two schedulers at once — this process's and another process's, each with its own connection to
 * one database — never make the same run twice: each run's idempotency key is unique per flow and
 * inserts skip the keys taken. On both databases, the loops started together, several times over.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { Scheduler } from "../../src/services/scheduler.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/scheduler-loops.ts", import.meta.url));

const ENV = {
  PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
  PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
  PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED: "false",
  // small pages and batches: the two schedulers' writes interleave
  PREFECT_API_SERVICES_SCHEDULER_DEPLOYMENT_BATCH_SIZE: "3",
  PREFECT_API_SERVICES_SCHEDULER_INSERT_BATCH_SIZE: "5",
};

/** The other scheduler: started, ready, and told to go by `go()`; resolves with its output. */
function otherScheduler(url: string, home: string, loops: number) {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, url, String(loops)], {
    env: { ...process.env, ...ENV, PREFECT_HOME: home },
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  const ready = new Promise<void>((resolve) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("READY")) resolve();
    });
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve) => {
    child.on("close", (code) => resolve({ code, out }));
  });
  return { ready, done, go: () => child.stdin.write("go\n") };
}

for (const dialect of DIALECTS) {
  describe(`two schedulers on one database (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;

    before(async () => {
      tdb = await createTestDatabase(dialect);
      app = await createCheckedApp({
        database: tdb.database,
        settings: loadSettings({ ...ENV, PREFECT_HOME: tdb.home }),
      });
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("create each scheduled run once", async () => {
      const post = async (url: string, payload: unknown) =>
        (
          await app.inject({ method: "POST", url: `/api${url}`, payload: payload as object })
        ).json();
      const flow = await post("/flows/", { name: "twice" });
      const deployments: { id: string }[] = [];
      for (let i = 0; i < 8; i++) {
        deployments.push(
          await post("/deployments/", {
            name: `d${i}`,
            flow_id: flow.id,
            schedules: [
              { schedule: { interval: 300 } },
              { schedule: { cron: "*/20 * * * *", timezone: "Europe/Berlin" } },
            ],
          }),
        );
      }
      const other = otherScheduler(tdb.url, tdb.home, 3);
      await other.ready;
      other.go();
      let ours = 0;
      for (let round = 0; round < 3; round++) {
        const result = await new Scheduler(app.core.ctx).runOnce();
        assert.ok(result, "our loop ran");
        ours += result.runsCreated;
      }
      const { code, out } = await other.done;
      assert.equal(code, 0, out);
      const theirs = Number(/RAN (\d+)/.exec(out)?.[1]);
      const runs = (await post("/flow_runs/filter", {
        flow_runs: { deployment_id: { any_: deployments.map((d) => d.id) } },
      })) as { idempotency_key: string; deployment_id: string; state: { name: string } }[];
      const keys = runs.map((r) => r.idempotency_key);
      assert.equal(new Set(keys).size, keys.length, "no key twice");
      // what both report creating is what there is: no run was made twice
      assert.equal(ours + theirs, runs.length);
      // per deployment: 12 or 13 runs of the 5-minute interval (an hour ahead), 3 or 4 of the cron
      for (const d of deployments) {
        const own = runs.filter((r) => r.deployment_id === d.id);
        assert.ok(own.length >= 15 && own.length <= 17, `${own.length} runs`);
      }
      assert.ok(
        runs.every((r) => r.state?.name === "Scheduled"),
        "each run has its state",
      );
    });
  });
}

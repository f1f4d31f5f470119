/**
 * `prefect-ts deployment` (schedules, through a server, deletion), the real CLI in a subprocess on both databases (embedded, and through a
 * server for `ls` and `run`): list, inspect, run with `--param`/`--params` (a bad parameter refused
 * with Prefect's message, no run made), `--watch` following states and logs to the run's outcome,
 * schedules created (a bad cron refused, nothing stored), listed, paused, resumed and deleted,
 * deletion; unknown names get one-line errors and exit code 1.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Deployment } from "../../src/core/deployments.ts";
import type { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { createApp } from "../../src/server/app.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { type DeploymentCli, deploymentCli } from "./deployment-fixture.ts";
import { runCli } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`deployment CLI: schedules, a server, deletion (${dialect})`, () => {
    let t: TestDatabase;
    let client: EmbeddedClient;
    let deployment: Deployment;
    let cli: DeploymentCli["cli"];
    let dispose: () => Promise<void>;

    before(async () => {
      ({ t, client, deployment, cli, dispose } = await deploymentCli(dialect));
    });
    after(() => dispose());

    it("manages schedules: create (bad input refused), ls, pause, resume, delete", async () => {
      const bad = await cli(
        "deployment",
        "schedule",
        "create",
        "etl/nightly",
        "--cron",
        "61 * * * *",
      );
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr.trim(), 'Invalid schedule: Invalid cron string: "61 * * * *" (cron)');
      const zone = await cli(
        "deployment",
        "schedule",
        "create",
        "etl/nightly",
        "--interval",
        "600",
        "--timezone",
        "Mars/Base",
      );
      assert.equal(zone.code, 1);
      assert.match(
        zone.stderr,
        /^Invalid schedule: Invalid timezone: "Mars\/Base" .*\(timezone\)$/m,
      );
      const none = await cli("deployment", "schedule", "create", "etl/nightly");
      assert.deepEqual(
        [none.code, none.stderr.trim()],
        [1, "Exactly one of `--interval`, `--rrule`, or `--cron` must be provided."],
      );
      assert.equal((await client.deployments.readSchedules(deployment.id)).length, 1);
      const created = await cli(
        "deployment",
        "schedule",
        "create",
        "etl/nightly",
        "--interval",
        "600",
      );
      assert.deepEqual([created.code, created.stdout.trim()], [0, "Created deployment schedule!"]);
      const schedules = await client.deployments.readSchedules(deployment.id);
      const interval = schedules.find((s) => "interval" in s.schedule);
      assert.ok(interval);
      const ls = await cli("deployment", "schedule", "ls", "etl/nightly");
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /Deployment Schedules/);
      assert.match(ls.stdout, /interval: 0:10:00 \(UTC\)/);
      assert.match(ls.stdout, /cron: 0 3 \* \* \* \(Europe\/Berlin\)/);
      const paused = await cli("deployment", "schedule", "pause", "etl/nightly", interval.id);
      assert.equal(paused.code, 0, paused.stderr);
      assert.match(
        paused.stdout,
        /^Paused schedule interval: 0:10:00 \(UTC\) for deployment etl\/nightly$/m,
      );
      const again = await cli("deployment", "schedule", "pause", "etl/nightly", interval.id);
      assert.equal(again.code, 1);
      const resumed = await cli("deployment", "schedule", "resume", "etl/nightly", interval.id);
      assert.equal(resumed.code, 0, resumed.stderr);
      const deleted = await cli("deployment", "schedule", "delete", "etl/nightly", interval.id);
      assert.deepEqual(
        [deleted.code, deleted.stdout.trim()],
        [0, `Deleted deployment schedule ${interval.id}`],
      );
      assert.equal((await client.deployments.readSchedules(deployment.id)).length, 1);
    });

    it("through a server: ls and run, the same answers", async () => {
      const app: FastifyInstance = await createApp({
        database: t.database,
        settings: loadSettings({
          PREFECT_HOME: t.home,
          PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
          PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
        }),
      });
      await app.listen({ port: 0, host: "127.0.0.1" });
      try {
        const address = app.server.address();
        assert.ok(address && typeof address === "object");
        const remote = {
          PREFECT_HOME: t.home,
          PREFECT_API_URL: `http://127.0.0.1:${address.port}/api`,
        };
        const ls = await runCli(["deployment", "ls"], remote);
        assert.equal(ls.code, 0, ls.stderr);
        assert.match(ls.stdout, /etl\/nightly/);
        const bad = await runCli(["deployment", "run", "etl/nightly", "-p", "day=5"], remote);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^Error creating flow run: Validation failed for field 'day'/);
        const badCron = await runCli(
          ["deployment", "schedule", "create", "etl/nightly", "--cron", "61 * * * *"],
          remote,
        );
        assert.deepEqual(
          [badCron.code, badCron.stderr.trim()],
          [1, 'Invalid schedule: Invalid cron string: "61 * * * *" (cron)'],
        );
        const missing = await runCli(["deployment", "run", "etl/nope"], remote);
        assert.deepEqual(
          [missing.code, missing.stderr.trim()],
          [1, "Deployment 'etl/nope' not found!"],
        );
      } finally {
        await app.close();
      }
    });

    it("deletes a deployment", async () => {
      const deleted = await cli("deployment", "delete", "etl/nightly");
      assert.deepEqual(
        [deleted.code, deleted.stdout.trim()],
        [0, "Deleted deployment 'etl/nightly'."],
      );
      const again = await cli("deployment", "delete", "etl/nightly");
      assert.deepEqual(
        [again.code, again.stderr.trim()],
        [1, "Deployment 'etl/nightly' not found!"],
      );
    });
  });
}

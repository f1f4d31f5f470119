/**
 * `prefect-ts deployment`, the real CLI in a subprocess on both databases (embedded, and through a
 * server for `ls` and `run`): list, inspect, run with `--param`/`--params` (a bad parameter refused
 * with Prefect's message, no run made), `--watch` following states and logs to the run's outcome,
 * schedules created (a bad cron refused, nothing stored), listed, paused, resumed and deleted,
 * deletion; unknown names get one-line errors and exit code 1.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Deployment } from "../../src/core/deployments.ts";
import { StateType } from "../../src/core/state-types.ts";
import { nowIso } from "../../src/core/time.ts";
import type { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { type DeploymentCli, deploymentCli } from "./deployment-fixture.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

for (const dialect of DIALECTS) {
  describe(`deployment CLI (${dialect})`, () => {
    let env: Record<string, string>;
    let client: EmbeddedClient;
    let deployment: Deployment;
    let cli: DeploymentCli["cli"];
    let dispose: () => Promise<void>;

    before(async () => {
      ({ env, client, deployment, cli, dispose } = await deploymentCli(dialect));
    });
    after(() => dispose());

    it("lists and inspects deployments", async () => {
      const ls = await cli("deployment", "ls");
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /Deployments/);
      assert.match(ls.stdout, new RegExp(`etl/nightly +│ ${deployment.id} │ pool`));
      const json = await cli("deployment", "ls", "-o", "json");
      assert.deepEqual(
        (JSON.parse(json.stdout) as Deployment[]).map((d) => d.id),
        [deployment.id],
      );
      const inspected = await cli("deployment", "inspect", "etl/nightly", "--output", "json");
      assert.equal(inspected.code, 0, inspected.stderr);
      const read = JSON.parse(inspected.stdout) as Deployment;
      assert.equal(read.id, deployment.id);
      assert.deepEqual(read.schedules[0]?.schedule, {
        cron: "0 3 * * *",
        timezone: "Europe/Berlin",
        day_or: true,
      });
      const text = await cli("deployment", "inspect", "etl/nightly");
      assert.match(text.stdout, /^name: +nightly$/m);
      const missing = await cli("deployment", "inspect", "etl/weekly");
      assert.deepEqual(
        [missing.code, missing.stderr.trim()],
        [1, "Deployment 'etl/weekly' not found!"],
      );
      const badName = await cli("deployment", "inspect", "nightly");
      assert.equal(badName.code, 1);
      assert.match(badName.stderr, /<FLOW_NAME>\/<DEPLOYMENT_NAME>/);
    });

    it("runs a deployment with parameters; a bad one is refused and makes no run", async () => {
      const count = () =>
        client.countFlowRuns({ flow_runs: { deployment_id: { any_: [deployment.id] } } });
      const before = await count();
      const bad = await cli("deployment", "run", "etl/nightly", "--param", "day=5");
      assert.equal(bad.code, 1);
      assert.equal(
        bad.stderr.trim(),
        "Error creating flow run: Validation failed for field 'day'. Failure reason: 5 is not of type 'string'",
      );
      assert.equal(await count(), before);
      const both = await cli(
        "deployment",
        "run",
        "etl/nightly",
        "--param",
        "a=1",
        "--params",
        "{}",
      );
      assert.deepEqual(
        [both.code, both.stderr.trim()],
        [1, "Can only use one of `--param` or `--params`."],
      );
      const ok = await cli("deployment", "run", "etl/nightly", "--param", "day=2026-12-01");
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^Creating flow run for deployment 'etl\/nightly'\.\.\.$/m);
      assert.match(ok.stdout, /^Created flow run '[a-z]+-[a-z]+'\.$/m);
      assert.match(ok.stdout, /^└── Parameters: \{"full":true,"day":"2026-12-01"\}$/m);
      const id = /UUID: ([0-9a-f-]{36})/.exec(ok.stdout)?.[1] ?? "";
      const run = await client.readFlowRun(id);
      assert.deepEqual(
        [run.deployment_id, run.state_type, run.work_pool_name],
        [deployment.id, "SCHEDULED", "pool"],
      );
      const params = await cli(
        "deployment",
        "run",
        "etl/nightly",
        "--params",
        '{"day":"d","full":false}',
      );
      assert.equal(params.code, 0, params.stderr);
      assert.match(params.stdout, /Parameters: \{"full":false,"day":"d"\}/);
    });

    for (const [final, code] of [
      [StateType.COMPLETED, 0],
      [StateType.FAILED, 1],
    ] as const) {
      it(`--watch follows states and logs, and exits ${code} when the run ends ${final}`, async () => {
        const child = spawn(
          process.execPath,
          [
            "--import",
            "tsx",
            MAIN,
            "deployment",
            "run",
            "etl/nightly",
            "-p",
            "day=w",
            "--watch",
            "--watch-interval",
            "0.1",
          ],
          { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          stdout += d;
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => {
          stderr += d;
        });
        const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
        const id = await until("the run", () => /UUID: ([0-9a-f-]{36})/.exec(stdout)?.[1]);
        await until("watching", () => stdout.includes("Watching flow run"));
        // the run is carried out here, as a serving process would
        await client.setFlowRunState(id, { type: StateType.PENDING });
        await client.setFlowRunState(id, { type: StateType.RUNNING });
        await client.createLogs([
          {
            id: crypto.randomUUID(),
            name: "prefect.flow_runs",
            level: 20,
            message: "hello from the flow",
            timestamp: nowIso(),
            flow_run_id: id,
            task_run_id: null,
          },
        ]);
        await until("the log line", () => stdout.includes("hello from the flow"));
        await client.setFlowRunState(id, { type: final });
        assert.equal(await exited, code, stderr);
        assert.match(stdout, /Flow run '[a-z-]+' is Running/);
        if (code === 0) assert.match(stdout, /Flow run finished successfully in 'Completed'\./);
        else assert.equal(stderr.trim(), "Flow run finished in state 'Failed'.");
      });
    }
  });
}

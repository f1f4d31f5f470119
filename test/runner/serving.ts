/**
 * The suites of serve.*.test.ts: `flow.serve()` in a real serving process (test/fixtures/serve-flows.ts), against a real server
 * on an ephemeral port and on the local database with no server (embedded), on SQLite and
 * PostgreSQL: runs created through the API and scheduled runs are run with their parameters, a
 * run that kills its process ends Crashed without taking the runner down, `runDeployment` and
 * `flow-run execute` run deployments, and SIGTERM drains the runs and pauses the deployment.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import type { Deployment } from "../../src/core/deployments.ts";
import type { FlowRun } from "../../src/core/runs.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { type FlowProcess, flowProcess, freePort, ServerProcess } from "../faults/processes.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

export type Mode = "server" | "embedded";

interface Setup {
  db: TestDatabase;
  server: ServerProcess | null;
  client: EmbeddedClient;
  env: Record<string, string>;
}

async function setUp(dialect: DialectName, mode: Mode): Promise<Setup> {
  const db = await createTestDatabase(dialect);
  const client = new EmbeddedClient(db.database, { ownsDatabase: false });
  let server: ServerProcess | null = null;
  const env: Record<string, string> = {
    PREFECT_HOME: db.home,
    PREFECT_API_DATABASE_CONNECTION_URL: db.url,
    PREFECT_API_URL: "",
  };
  if (mode === "server") {
    server = new ServerProcess(db, await freePort());
    await server.start();
    env.PREFECT_API_URL = server.api;
  }
  return { db, server, client, env };
}

async function tearDown(setup: Setup | undefined, ...processes: (FlowProcess | undefined)[]) {
  for (const p of processes) {
    if (!p) continue;
    // whatever it is doing (a stop under way included); its children follow it out
    p.child.kill("SIGKILL");
    await p.exit.catch(() => undefined);
  }
  await setup?.server?.stop("SIGKILL");
  await setup?.db.dispose();
}

/** A run of the deployment: through the API's route with a server, else through the models. */
async function createRun(
  setup: Setup,
  deployment: Deployment,
  body: { parameters: Record<string, unknown>; state?: Record<string, unknown> },
): Promise<FlowRun> {
  if (setup.server) {
    const response = await fetch(
      `${setup.server.api}/deployments/${deployment.id}/create_flow_run`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as FlowRun;
  }
  return setup.client.deployments.createFlowRun(deployment.id, {
    parameters: body.parameters,
    state: body.state as never,
  });
}

const finalState = (setup: Setup, id: string) =>
  until(`flow run ${id} to end`, async () => {
    const run = await setup.client.readFlowRun(id);
    return ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(run.state_type ?? "")
      ? run
      : null;
  });

function cli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return once(child, "exit").then(([code]) => ({ code: code as number | null, out }));
}

/** The suite of a served deployment, for one database and one mode. */
export function describeServed(dialect: DialectName, mode: Mode): void {
  describe(`${dialect}, ${mode}: a served deployment`, () => {
    let setup: Setup;
    let serving: FlowProcess;
    let deployment: Deployment;

    before(async () => {
      setup = await setUp(dialect, mode);
      serving = flowProcess("serve-flows", [], setup.env);
      await serving.line(/(being served)/);
      deployment = await setup.client.deployments.readByName("served-flow/test");
    });
    after(() => tearDown(setup, serving));

    it("is registered with its flow's entrypoint and schema, and READY", async () => {
      assert.equal(deployment.entrypoint, "test/fixtures/served-flows.ts:served");
      assert.equal(deployment.paused, false);
      assert.equal(deployment.status, "READY");
      assert.deepEqual(
        Object.keys(
          (deployment.parameter_openapi_schema as { properties: object }).properties,
        ).sort(),
        ["day", "sleepMs"],
      );
    });

    it("runs a run created through the API with its parameters; its logs and task runs are recorded", async () => {
      const t0 = Date.now();
      const run = await createRun(setup, deployment, { parameters: { day: "monday" } });
      const [day, at] = (await serving.line(new RegExp(`BODY ${run.id} (\\S+ \\d+)`))).split(" ");
      assert.equal(day, "monday");
      // pushed: the serving process polls every 10 s
      assert.ok(
        Number(at) - t0 < 1500,
        `the body started ${Number(at) - t0} ms after create_flow_run`,
      );
      const ended = await finalState(setup, run.id);
      assert.equal(ended.state_type, "COMPLETED");
      const states = (await setup.client.readFlowRunStates(run.id)).map((s) => s.name);
      assert.deepEqual(states, ["Scheduled", "Pending", "Running", "Completed"]);
      const tasks = await until("the task run", async () => {
        const t = await setup.client.readTaskRuns({ flowRunIds: [run.id] });
        return t.length === 1 && t[0]?.state_type === "COMPLETED" ? t : null;
      });
      assert.match(tasks[0]?.name ?? "", /^shout-/);
      const logs = await until("the run's log", async () =>
        (await setup.client.readLogs({ flowRunId: run.id })).find((l) =>
          l.message.includes("the day is monday"),
        ),
      );
      assert.ok(logs);
    });

    it("runs a run scheduled for later when it is due, not before", async () => {
      const at = new Date(Date.now() + 1500).toISOString();
      const run = await createRun(setup, deployment, {
        parameters: { day: "later" },
        state: { type: "SCHEDULED", name: "Scheduled", state_details: { scheduled_time: at } },
      });
      const line = await serving.line(new RegExp(`BODY ${run.id} later (\\d+)`));
      assert.ok(
        Number(line) >= Date.parse(at),
        `started ${Date.parse(at) - Number(line)} ms early`,
      );
      assert.ok(
        Number(line) - Date.parse(at) < 1000,
        `started ${Number(line) - Date.parse(at)} ms late`,
      );
      assert.equal((await finalState(setup, run.id)).state_type, "COMPLETED");
    });

    it("a run whose process exits ends Crashed, and the runner goes on", async () => {
      const run = await createRun(setup, deployment, { parameters: { day: "crash" } });
      const ended = await finalState(setup, run.id);
      assert.equal(ended.state_type, "CRASHED");
      // the runner says so as the process exits (the server's zombie service may say it first)
      assert.match(ended.state?.message ?? "", /exited with code 3|is gone/);
      const next = await createRun(setup, deployment, { parameters: { day: "after" } });
      assert.equal((await finalState(setup, next.id)).state_type, "COMPLETED");
    });

    it("runDeployment waits for the run it creates (timeout 0: at once); inside a flow it is a subflow", async () => {
      const alone = flowProcess("run-deployment", ["alone"], setup.env);
      const ran = await alone.line(/RAN (\S+ \S+)/);
      assert.match(ran, / COMPLETED$/);
      const created = await alone.line(/CREATED (\S+ \S+)/);
      assert.match(created, / SCHEDULED$/);
      assert.equal(await alone.exit, 0, alone.stderr());

      const sub = flowProcess("run-deployment", ["subflow"], setup.env);
      const [childId, state, parentTaskRunId] = (await sub.line(/SUB (.+)/)).split(" ");
      assert.equal(await sub.exit, 0, sub.stderr());
      assert.equal(state, "COMPLETED");
      const child = await setup.client.readFlowRun(childId as string);
      assert.equal(child.parent_task_run_id, parentTaskRunId);
      const parentTask = await setup.client.readTaskRun(parentTaskRunId as string);
      assert.equal(parentTask.name, "served-flow/test-0");
      const parentRun = await setup.client.readFlowRun(parentTask.flow_run_id as string);
      const parentFlow = await setup.client.readFlow(parentRun.flow_id);
      assert.equal(parentFlow.name, "parent-flow");
    });

    it("flow-run execute runs a deployment's run from its entrypoint; an export that is no flow ends it Crashed", async () => {
      const flow = await setup.client.createFlow({ name: "other-flow" });
      const other = await setup.client.deployments.create({
        name: "manual",
        flowId: flow.id,
        entrypoint: "test/fixtures/served-flows.ts:other",
        enforceParameterSchema: false,
      });
      const run = await setup.client.deployments.createFlowRun(other.id, {
        parameters: { n: 21 },
      });
      const ok = await cli(["flow-run", "execute", run.id], setup.env);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /OTHER 21/);
      assert.equal((await setup.client.readFlowRun(run.id)).state_type, "COMPLETED");

      const broken = await setup.client.deployments.create({
        name: "broken",
        flowId: flow.id,
        entrypoint: "test/fixtures/served-flows.ts:notAFlow",
        enforceParameterSchema: false,
      });
      const bad = await setup.client.deployments.createFlowRun(broken.id, {
        parameters: { n: 1 },
      });
      const failed = await cli(["flow-run", "execute", bad.id], setup.env);
      assert.equal(failed.code, 1, failed.out);
      assert.match(failed.out, /'notAFlow' is not a flow/);
      const crashed = await setup.client.readFlowRun(bad.id);
      assert.equal(crashed.state_type, "CRASHED");
      assert.match(crashed.state?.message ?? "", /'notAFlow' is not a flow/);
    });

    it("SIGTERM: takes no new run, lets the run under way finish, pauses the deployment", async () => {
      const run = await createRun(setup, deployment, {
        parameters: { day: "draining", sleepMs: 1500 },
      });
      await serving.line(new RegExp(`BODY ${run.id} (draining)`));
      serving.child.kill("SIGTERM");
      await until("the runner to take the signal", () =>
        serving.stderr().includes("SIGTERM received"),
      );
      const late = await createRun(setup, deployment, { parameters: { day: "too-late" } });
      await serving.line(/(STOPPED)/);
      assert.equal(await serving.exit, 0, serving.stderr());
      assert.equal((await setup.client.readFlowRun(run.id)).state_type, "COMPLETED");
      assert.equal((await setup.client.readFlowRun(late.id)).state_type, "SCHEDULED");
      assert.equal((await setup.client.deployments.read(deployment.id)).paused, true);
    });
  });
}

/** SIGTERM past the grace period, for one database. */
export function describeGrace(dialect: DialectName): void {
  describe(`${dialect}: SIGTERM past the grace period`, () => {
    let setup: Setup;
    let serving: FlowProcess;

    before(async () => {
      setup = await setUp(dialect, "embedded");
      serving = flowProcess("serve-flows", [], { ...setup.env, SERVE_GRACE: "0.3" });
      await serving.line(/(being served)/);
    });
    after(() => tearDown(setup, serving));

    it("stops the run under way, which ends Crashed", async () => {
      const deployment = await setup.client.deployments.readByName("served-flow/test");
      const run = await createRun(setup, deployment, {
        parameters: { day: "long", sleepMs: 60_000 },
      });
      await serving.line(new RegExp(`BODY ${run.id} (long)`));
      serving.child.kill("SIGTERM");
      await serving.line(/(STOPPED)/);
      await serving.exit;
      const ended = await setup.client.readFlowRun(run.id);
      assert.equal(ended.state_type, "CRASHED");
      assert.match(ended.state?.message ?? "", /SIGTERM/);
    });
  });
}

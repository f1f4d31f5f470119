/**
 * The suites of worker-*.test.ts: `prefect-ts worker start` (the process worker) against a real
 * server on an ephemeral port and on the local database with no server (embedded), on SQLite and
 * PostgreSQL: a deployment's runs are claimed (`Submitting`) and run in warm processes with the
 * job's env and working directory; two workers racing for 40 runs start each once; a cancelled
 * run's process group ends, its hooks run and it is Cancelled; a run that exits its process or
 * whose command fails ends Crashed and the worker goes on; an unknown pool is a clear error.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Deployment } from "../../src/core/deployments.ts";
import { isProcessAlive } from "../../src/core/processes.ts";
import type { FlowRun } from "../../src/core/runs.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { freePort, ServerProcess } from "../faults/processes.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

export type Mode = "server" | "embedded";

interface Setup {
  db: TestDatabase;
  server: ServerProcess | null;
  client: EmbeddedClient;
  env: Record<string, string>;
}

/** A CLI process (`tsx src/cli/main.ts …`) whose output can be awaited line by line. */
export interface CliProcess {
  exit: Promise<number | null>;
  output: () => string;
  line: (pattern: RegExp) => Promise<string>;
  kill: (signal: NodeJS.Signals) => void;
}

export function cliProcess(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: { pattern: RegExp; resolve: (m: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[1] ?? m[0]);
      }
    }
  };
  const take = (d: Buffer) => {
    if (process.env.WORKER_TEST_DEBUG) process.stderr.write(d);
    out += d.toString();
    check();
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exit = once(child, "exit").then(([code]) => code as number | null);
  return {
    exit,
    output: () => out,
    kill: (signal) => child.kill(signal),
    line: (pattern) =>
      new Promise<string>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exit.then(() => {
          check();
          reject(new Error(`the process exited before printing ${pattern}: ${out}`));
        });
      }),
  };
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

const FINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];

const finalState = (setup: Setup, id: string, timeoutMs = 20_000) =>
  until(
    `flow run ${id} to end`,
    async () => {
      const run = await setup.client.readFlowRun(id);
      return FINAL.includes(run.state_type ?? "") ? run : null;
    },
    timeoutMs,
  );

/** The suite of the process worker, for one database and one mode. */
export function describeWorker(dialect: DialectName, mode: Mode): void {
  describe(`${dialect}, ${mode}: prefect-ts worker start`, () => {
    let setup: Setup;
    let deployment: Deployment;
    const workers: CliProcess[] = [];
    const workDir = mkdtempSync(join(tmpdir(), "worker-dir-"));

    const startWorker = async (name: string, limit = 4) => {
      const w = cliProcess(
        ["worker", "start", "--pool", "test-pool", "--name", name, "--limit", String(limit)],
        setup.env,
      );
      workers.push(w);
      await w.line(/(started!)/);
      return w;
    };
    /** A run of the deployment: through the API's route with a server (its events push it). */
    const createRun = async (
      parameters: Record<string, unknown>,
      jobVariables?: Record<string, unknown>,
    ): Promise<FlowRun> => {
      if (!setup.server)
        return setup.client.deployments.createFlowRun(deployment.id, { parameters, jobVariables });
      const response = await fetch(
        `${setup.server.api}/deployments/${deployment.id}/create_flow_run`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ parameters, job_variables: jobVariables ?? {} }),
        },
      );
      assert.equal(response.status, 201, await response.clone().text());
      return (await response.json()) as FlowRun;
    };
    /** Cancel a run as `flow-run cancel` does: a Cancelling proposal (through the API with a server). */
    const cancel = async (id: string): Promise<string> => {
      const state = { type: "CANCELLING", name: "Cancelling", state_details: {} };
      if (!setup.server) return (await setup.client.setFlowRunState(id, state as never)).status;
      const response = await fetch(`${setup.server.api}/flow_runs/${id}/set_state`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ state }),
      });
      return ((await response.json()) as { status: string }).status;
    };

    before(async () => {
      setup = await setUp(dialect, mode);
      await setup.client.workPools.create({ name: "test-pool", type: "process" });
      const flow = await setup.client.createFlow({ name: "worker-flow" });
      deployment = await setup.client.deployments.create({
        name: "w",
        flowId: flow.id,
        entrypoint: "test/fixtures/worker-flows.ts:workerFlow",
        path: process.cwd(),
        workPoolName: "test-pool",
        jobVariables: { env: { WORKER_TEST_VALUE: "from-deployment" } },
        enforceParameterSchema: false,
      });
    });
    after(async () => {
      if (process.env.WORKER_TEST_DEBUG) for (const w of workers) console.error(w.output());
      for (const w of workers) w.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exit.catch(() => undefined)));
      await setup?.server?.stop("SIGKILL");
      await setup?.db.dispose();
    });

    it("an unknown pool is a clear error (exit 1)", async () => {
      const w = cliProcess(["worker", "start", "--pool", "no-such-pool"], setup.env);
      assert.equal(await w.exit, 1);
      assert.match(w.output(), /Work pool 'no-such-pool' not found.*work-pool create/);
    });

    it("runs a deployment's run in a warm process with the job's env and working directory; the worker is ONLINE", async () => {
      const w = await startWorker("worker-a");
      const workers = await setup.client.workPools.listWorkers("test-pool");
      assert.equal(workers.find((x) => x.name === "worker-a")?.status, "ONLINE");
      const run = await createRun({ mode: "env" }, { working_dir: workDir });
      const line = await w.line(new RegExp(`ENV ${run.id} (.+)`));
      assert.equal(line, `from-deployment ${workDir}`);
      const ended = await finalState(setup, run.id);
      assert.equal(ended.state_type, "COMPLETED");
      const states = (await setup.client.readFlowRunStates(run.id)).map((s) => s.name);
      assert.deepEqual(states, ["Scheduled", "Submitting", "Running", "Completed"]);
      const tasks = await setup.client.readTaskRuns({ flowRunIds: [run.id] });
      assert.equal(tasks.length, 10);
    });

    it("two workers racing for 40 runs start each exactly once, and all complete", async () => {
      const a = workers[0] as CliProcess;
      const b = await startWorker("worker-b");
      const runs = await Promise.all(
        Array.from({ length: 40 }, () => createRun({ mode: "quick" })),
      );
      for (const run of runs)
        assert.equal((await finalState(setup, run.id, 60_000)).state_type, "COMPLETED");
      const counted = () => {
        const starts = new Map<string, number>();
        for (const out of [a.output(), b.output()])
          for (const m of out.matchAll(/BODY (\S+) quick/g))
            starts.set(m[1] as string, (starts.get(m[1] as string) ?? 0) + 1);
        return starts;
      };
      // the bodies' lines reach this process through the workers' pipes, read by its event loop:
      // wait until every run's line is in (the embedded client's reads never yield to I/O)
      await until("every body's line", () => runs.every((r) => counted().has(r.id))).catch(
        () => undefined,
      );
      const starts = counted();
      for (const run of runs) {
        if (starts.get(run.id) === 1) continue;
        const states = (await setup.client.readFlowRunStates(run.id)).map((s) => s.name);
        assert.fail(
          `run ${run.id} started ${starts.get(run.id) ?? 0} times; its states: ${states.join(", ")}\n${a.output()}\n----\n${b.output()}`,
        );
      }
    });

    it("a cancelled run's process ends, its hooks run, its task run and itself end Cancelled", async () => {
      const marks = join(workDir, "marks");
      const run = await createRun({ mode: "sleep", marks });
      const all = () => workers.map((w) => w.output()).join("");
      const pid = Number(
        await until(
          "the body to start",
          () => new RegExp(`BODY ${run.id} sleep (\\d+)`).exec(all())?.[1],
        ),
      );
      await until(
        "the run to be Running",
        async () => (await setup.client.readFlowRun(run.id)).state_type === "RUNNING",
      );
      assert.equal(await cancel(run.id), "ACCEPT");
      const ended = await finalState(setup, run.id);
      assert.equal(ended.state_type, "CANCELLED");
      // the body is stopped before the run shows Cancelled
      assert.equal(isProcessAlive(pid), false, "the run's process is still alive");
      await until("the onCancellation hook's line", () =>
        new RegExp(`HOOK cancelled ${run.id}`).test(all()),
      );
      const naps = await until("the task runs", async () => {
        const t = await setup.client.readTaskRuns({ flowRunIds: [run.id] });
        return t.length > 0 && t.every((x) => FINAL.includes(x.state_type ?? "")) ? t : null;
      });
      // the nap under way ends Cancelled with its run; the ones before it completed
      const unfinished = naps.filter((t) => t.state_type !== "COMPLETED");
      assert.deepEqual(
        unfinished.map((t) => t.state_type),
        ["CANCELLED"],
      );
    });

    it("a run that exits its process ends Crashed; a command that does not exist ends Crashed; the worker goes on", async () => {
      const exiting = await createRun({ mode: "exit" });
      const crashed = await finalState(setup, exiting.id);
      assert.equal(crashed.state_type, "CRASHED");
      assert.match(crashed.state?.message ?? "", /exited with code 3|is gone/);
      const missing = await createRun({}, { command: "no-such-command-prefect-ts" });
      const failed = await finalState(setup, missing.id);
      assert.equal(failed.state_type, "CRASHED");
      assert.match(failed.state?.message ?? "", /code 127/);
      const next = await createRun({ mode: "quick" });
      assert.equal((await finalState(setup, next.id)).state_type, "COMPLETED");
    });
  });
}

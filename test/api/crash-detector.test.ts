/**
 * The zombie flow-run service of the server: a Running flow run whose process is gone from this
 * host (a client-mode flow killed -9), or that stopped sending heartbeats past the limit (a process
 * on another host), ends Crashed with a message saying why, and its unfinished task runs with it.
 * Runs whose process is alive, or that never sent a heartbeat from another host, are left Running.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { uuid4 } from "../../src/core/ids.ts";
import { microsToIso, nowMicros } from "../../src/core/time.ts";
import type { ZombieFlowRuns } from "../../src/services/zombie-flow-runs.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

/** The app clock: the system clock moved on by `offsetMs`. */
class MovableClock {
  offsetMs = 0;
  nowIso(): string {
    return microsToIso(nowMicros() + BigInt(this.offsetMs) * 1000n);
  }
}

async function server(db: TestDatabase, loopSeconds: number, clock?: MovableClock) {
  const settings = {
    ...loadSettings(),
    zombieFlowRuns: { enabled: true, loopSeconds, afterSeconds: 90 },
  };
  const app = await createCheckedApp({ database: db.database, settings, clock });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { app, api: `http://127.0.0.1:${port}/api` };
}

async function call<T = Record<string, unknown>>(
  api: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(api + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.status < 300, `${method} ${path} → ${response.status}`);
  return (response.status === 204 ? null : await response.json()) as T;
}

function zombieService(app: FastifyInstance): ZombieFlowRuns {
  const service = app.core.services.find((s) => s.name === "ZombieFlowRuns");
  assert.ok(service, "the server runs the zombie flow-run service");
  return service as ZombieFlowRuns;
}

/** A Running flow run recorded as run by `infrastructurePid`. */
async function runningRun(api: string, infrastructurePid: string | null): Promise<string> {
  const flow = await call(api, "POST", "/flows/", { name: "zombie-candidates" });
  const run = await call(api, "POST", "/flow_runs/", {
    flow_id: flow.id,
    state: { type: "RUNNING", name: "Running" },
  });
  if (infrastructurePid !== null) {
    await call(api, "PATCH", `/flow_runs/${run.id}`, { infrastructure_pid: infrastructurePid });
  }
  return run.id as string;
}

/** A heartbeat as this package's engine sends it (declaring its frequency), or as Prefect's. */
function heartbeat(runId: string, seconds: number | null = 30) {
  return {
    id: uuid4(),
    occurred: new Date().toISOString(),
    event: "prefect.flow-run.heartbeat",
    resource: { "prefect.resource.id": `prefect.flow-run.${runId}` },
    related: [],
    payload: seconds === null ? {} : { heartbeat_seconds: seconds },
  };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  assert.ok(child.pid);
  return child.pid;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a client-mode flow process killed -9`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let api: string;
    before(async () => {
      db = await createTestDatabase(dialect);
      ({ app, api } = await server(db, 0.25));
    });
    after(async () => {
      await app.close();
      await db.dispose();
    });

    it("ends its run Crashed, saying its process is gone, and its running task run too", async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/long-flow.ts"], {
        env: { ...process.env, PREFECT_HOME: db.home, PREFECT_API_URL: api },
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
      // the process is recorded, and the slow task is running, before the kill
      const recorded = await until("the flow run's process", async () => {
        const run = await call(api, "GET", `/flow_runs/${runId}`);
        return run.infrastructure_pid as string | null;
      });
      assert.equal(recorded, `${hostname()}:${child.pid}`);
      await until("the slow task run", async () => {
        const runs = await call<{ name: string; state_type: string }[]>(
          api,
          "POST",
          "/task_runs/filter",
          { flow_runs: { id: { any_: [runId] } } },
        );
        return runs.some((t) => t.name.startsWith("slow-") && t.state_type === "RUNNING");
      });
      child.kill("SIGKILL");
      await exited;

      const started = Date.now();
      const run = await until("the run to be Crashed", async () => {
        const r = await call(api, "GET", `/flow_runs/${runId}`);
        return r.state_type === "CRASHED" ? r : null;
      });
      assert.ok(Date.now() - started < 10_000, "settled within a few loops");
      const message = (run.state as { message: string }).message;
      assert.match(message, new RegExp(`${recorded}\\) is gone`));

      // the task runs follow their flow run (just after it, in their own transaction)
      type Task = { name: string; state_type: string; state: { message: string } };
      const tasks = await until("the slow task run to be Crashed", async () => {
        const found = await call<Task[]>(api, "POST", "/task_runs/filter", {
          flow_runs: { id: { any_: [runId] } },
        });
        return found.some((t) => t.name.startsWith("slow-") && t.state_type !== "RUNNING")
          ? found
          : null;
      });
      const quick = tasks.filter((t) => t.name.startsWith("quick-"));
      assert.equal(quick.length, 3);
      assert.ok(quick.every((t) => t.state_type === "COMPLETED"));
      const slow = tasks.find((t) => t.name.startsWith("slow-"));
      assert.equal(slow?.state_type, "CRASHED");
      assert.equal(slow?.state.message, message);
    });
  });

  describe(`${dialect}: the zombie flow-run service`, () => {
    let db: TestDatabase;
    let app: FastifyInstance;
    let api: string;
    const clock = new MovableClock();
    before(async () => {
      db = await createTestDatabase(dialect);
      // one loop at start, then the test looks when it wants (`check()`)
      ({ app, api } = await server(db, 3600, clock));
    });
    after(async () => {
      await app.close();
      await db.dispose();
    });

    it("crashes a run of this host whose process is gone, not one whose process lives", async () => {
      const gone = `${hostname()}:${await deadPid()}`;
      const dead = await runningRun(api, gone);
      const alive = await runningRun(api, `${hostname()}:${process.pid}`);
      const crashed = await zombieService(app).check();
      assert.deepEqual(
        crashed?.map((z) => z.flowRunId),
        [dead],
      );
      const deadRun = await call(api, "GET", `/flow_runs/${dead}`);
      assert.equal(deadRun.state_type, "CRASHED");
      assert.equal(deadRun.state_name, "Crashed");
      assert.match((deadRun.state as { message: string }).message, new RegExp(`\\(${gone}\\)`));
      assert.equal((await call(api, "GET", `/flow_runs/${alive}`)).state_type, "RUNNING");
      // the Crashed transition went through orchestration: its event is there
      await app.flushEvents();
      const events = await call<{ events: { event: string }[] }>(api, "POST", "/events/filter", {
        filter: { resource: { id: [`prefect.flow-run.${dead}`] } },
      });
      assert.ok(events.events.some((e) => e.event === "prefect.flow-run.Crashed"));
      await call(api, "POST", `/flow_runs/${alive}/set_state`, {
        state: { type: "COMPLETED" },
      });
    });

    it("counts a process that exited but was not reaped by its parent as gone", {
      skip: process.platform !== "linux" && "reads /proc",
    }, async () => {
      // the backgrounded `sleep 0.2` exits after its parent became `sleep 30`, which never reaps it
      const parent = spawn("sh", ["-c", "sleep 0.2 & echo $!; exec sleep 30"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      try {
        const [line] = await once(createInterface({ input: parent.stdout }), "line");
        const pid = Number(line);
        await until("the child to exit unreaped", async () =>
          readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "),
        );
        const run = await runningRun(api, `${hostname()}:${pid}`);
        assert.deepEqual(
          (await zombieService(app).check())?.map((z) => z.flowRunId),
          [run],
        );
      } finally {
        parent.kill("SIGKILL");
        await once(parent, "exit");
      }
    });

    it("crashes a run of another host once its heartbeats stop for longer than the limit", async () => {
      const silent = await runningRun(api, "another-host:4242");
      const neverBeat = await runningRun(api, "another-host:4243");
      const prefectClient = await runningRun(api, "another-host:4245");
      // a process of this host that is alive but too busy to beat is alive
      const busyHere = await runningRun(api, `${hostname()}:${process.pid}`);
      await call(api, "POST", "/events", [
        heartbeat(silent),
        heartbeat(prefectClient, null),
        heartbeat(busyHere),
      ]);
      await app.flushEvents();

      clock.offsetMs = 80_000;
      assert.deepEqual(await zombieService(app).check(), []);
      assert.equal((await call(api, "GET", `/flow_runs/${silent}`)).state_type, "RUNNING");

      clock.offsetMs = 100_000;
      const crashed = await zombieService(app).check();
      assert.deepEqual(
        crashed?.map((z) => z.flowRunId),
        [silent],
      );
      const run = await call(api, "GET", `/flow_runs/${silent}`);
      assert.equal(run.state_type, "CRASHED");
      assert.match(
        (run.state as { message: string }).message,
        /^No heartbeat from the process running this flow run \(another-host:4242\) for 10\d s \(the limit is 90 s\)/,
      );
      // heartbeats that do not say how often they come (Prefect's client) get three of Prefect's
      // default period, 180 s
      assert.equal((await call(api, "GET", `/flow_runs/${prefectClient}`)).state_type, "RUNNING");
      clock.offsetMs = 545_000;
      const later = await zombieService(app).check();
      assert.deepEqual(
        later?.map((z) => z.flowRunId),
        [prefectClient],
      );
      assert.match(later?.[0]?.message ?? "", /\(the limit is 540 s\)/);
      // a run that never sent a heartbeat is left to the check of its process
      assert.equal((await call(api, "GET", `/flow_runs/${neverBeat}`)).state_type, "RUNNING");
      assert.equal((await call(api, "GET", `/flow_runs/${busyHere}`)).state_type, "RUNNING");
      await call(api, "POST", `/flow_runs/${busyHere}/set_state`, { state: { type: "COMPLETED" } });
    });

    it("counts from the later of the last heartbeat and the run entering Running", async () => {
      clock.offsetMs = 0;
      const run = await runningRun(api, "another-host:4244");
      await call(api, "POST", "/events", [heartbeat(run)]);
      await app.flushEvents();
      // the run leaves Running and enters it again 60 s later (a retry): its clock restarts
      clock.offsetMs = 60_000;
      await call(api, "POST", `/flow_runs/${run}/set_state`, {
        state: { type: "PENDING" },
        force: true,
      });
      await call(api, "POST", `/flow_runs/${run}/set_state`, { state: { type: "RUNNING" } });
      clock.offsetMs = 120_000;
      assert.deepEqual(await zombieService(app).check(), []);
      clock.offsetMs = 160_000;
      assert.deepEqual(
        (await zombieService(app).check())?.map((z) => z.flowRunId),
        [run],
      );
    });
  });
}

/**
 * The cancellation-cleanup service: a Cancelling flow run nothing can stop any more (no process
 * recorded, its process gone from this host, or Cancelling past the timeout) ends Cancelled; the
 * unfinished subflow runs of a Cancelled flow run end Cancelled (a deployment's: Cancelling), down
 * through their own subflows in one look; the unfinished task runs of a Cancelled flow run end
 * Cancelled in bulk. Runs something can still stop, and runs already final, are left as they are;
 * a second look changes nothing. The server runs it in a loop, an embedded client once at open.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { hostname } from "node:os";
import { after, before, describe, it } from "node:test";
import { uuid4 } from "../../src/core/ids.ts";
import type { StateCreate } from "../../src/core/state.ts";
import { StateType } from "../../src/core/state-types.ts";
import { microsToIso, nowMicros } from "../../src/core/time.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import {
  createFlowRun,
  readFlowRun,
  setFlowRunState,
} from "../../src/resources/flow-runs/model.ts";
import { createFlow } from "../../src/resources/flows/queries.ts";
import { createTaskRun, readTaskRun } from "../../src/resources/task-runs/model.ts";
import {
  CancellationCleanup,
  PARENT_CANCELLED_MESSAGE,
} from "../../src/services/cancellation-cleanup.ts";
import { type Core, createServerCore } from "../../src/services/composition.ts";
import type { AppContext } from "../../src/services/context.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { ctxOf, publishedEvents } from "../helpers/context.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

/** The app clock: the system clock moved on by `offsetMs`. */
class MovableClock {
  offsetMs = 0;
  nowIso(): string {
    return microsToIso(nowMicros() + BigInt(this.offsetMs) * 1000n);
  }
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  assert.ok(child.pid);
  return child.pid;
}

const CANCELLING: StateCreate = { type: StateType.CANCELLING, name: "Cancelling" };

for (const dialect of DIALECTS) {
  describe(`${dialect}: the cancellation-cleanup service`, () => {
    let db: TestDatabase;
    let ctx: AppContext;
    let core: Core;
    let clock: MovableClock;
    let flowId: string;
    let service: CancellationCleanup;
    const close: (() => Promise<void>)[] = [];

    before(async () => {
      db = await createTestDatabase(dialect);
      clock = new MovableClock();
      core = createServerCore({ database: db.database, clock });
      close.push(() => core.close());
      ctx = core.ctx;
      flowId = (await createFlow(db.database, { name: "cancel-cleanup" })).flow.id;
      service = new CancellationCleanup(ctx, { intervalMs: null, cancellingTimeoutSeconds: 300 });
    });
    after(async () => {
      for (const c of close) await c();
      await db.dispose();
    });

    /** A flow run in `state` (Running, then the state, through the orchestration path). */
    async function flowRun(
      options: {
        state?: StateCreate;
        pid?: string | null;
        parentTaskRunId?: string;
        deploymentId?: string;
      } = {},
    ): Promise<string> {
      const { flowRun: run } = await createFlowRun(ctx, {
        flow_id: flowId,
        state: { type: StateType.RUNNING, name: "Running" },
        infrastructure_pid: options.pid ?? null,
        parent_task_run_id: options.parentTaskRunId ?? null,
        deployment_id: options.deploymentId ?? null,
      });
      if (options.state) {
        const outcome = await setFlowRunState(ctx, run.id, options.state);
        assert.equal(outcome.result.status, "ACCEPT", JSON.stringify(outcome.result.details));
      }
      return run.id;
    }

    async function taskRun(flowRunId: string, state: StateCreate, key = uuid4()): Promise<string> {
      const { taskRun: run } = await createTaskRun(ctx, {
        flow_run_id: flowRunId,
        task_key: key,
        dynamic_key: "0",
        state,
      });
      return run.id;
    }

    const stateOf = async (id: string) => (await readFlowRun(ctx, id)).state;
    const taskStateOf = async (id: string) => (await readTaskRun(ctx, id)).state;

    it("ends Cancelled a Cancelling run with no process, or whose process on this host is gone", async () => {
      const events = publishedEvents(core);
      const noProcess = await flowRun({ state: CANCELLING });
      const dead = `${hostname()}:${await deadPid()}`;
      const gone = await flowRun({ pid: dead, state: CANCELLING });
      const alive = await flowRun({ pid: `${hostname()}:${process.pid}`, state: CANCELLING });
      const elsewhere = await flowRun({ pid: "another-host:4242", state: CANCELLING });

      const result = await service.runOnce();
      assert.ok(result);
      assert.deepEqual(new Set(result.cancelled), new Set([noProcess, gone]));
      const a = await stateOf(noProcess);
      assert.equal(a?.type, StateType.CANCELLED);
      assert.match(a?.message ?? "", /no infrastructure to stop/);
      const b = await stateOf(gone);
      assert.equal(b?.type, StateType.CANCELLED);
      assert.match(b?.message ?? "", new RegExp(`\\(${dead}\\) is gone`));
      assert.equal((await stateOf(alive))?.type, StateType.CANCELLING);
      assert.equal((await stateOf(elsewhere))?.type, StateType.CANCELLING);
      // through the orchestration path: the state change emits its event
      await until("the Cancelled events", async () => {
        const names = events
          .filter((e) => e.event === "prefect.flow-run.Cancelled")
          .map((e) => e.resource["prefect.resource.id"]);
        return (
          names.includes(`prefect.flow-run.${noProcess}`) &&
          names.includes(`prefect.flow-run.${gone}`)
        );
      });

      // a run Cancelling past the timeout ends Cancelled wherever its process is
      clock.offsetMs = 301_000;
      try {
        const later = await service.runOnce();
        assert.deepEqual(new Set(later?.cancelled), new Set([alive, elsewhere]));
        assert.match((await stateOf(elsewhere))?.message ?? "", /still Cancelling 300 s after/);
      } finally {
        clock.offsetMs = 0;
      }
    });

    it("ends the subflow runs of a cancelled flow run, down through their own subflows", async () => {
      const parent = await flowRun({ pid: `${hostname()}:${process.pid}` });
      const parentTask = await taskRun(parent, { type: StateType.RUNNING, name: "Running" });
      const child = await flowRun({ parentTaskRunId: parentTask });
      const childTask = await taskRun(child, { type: StateType.RUNNING, name: "Running" });
      const grandchild = await flowRun({ parentTaskRunId: childTask });
      const deployedTask = await taskRun(parent, { type: StateType.RUNNING, name: "Running" });
      const deployed = await flowRun({
        parentTaskRunId: deployedTask,
        deploymentId: uuid4(),
        pid: "another-host:77",
      });
      const doneTask = await taskRun(parent, { type: StateType.RUNNING, name: "Running" });
      const done = await flowRun({
        parentTaskRunId: doneTask,
        state: { type: StateType.COMPLETED, name: "Completed" },
      });
      // a subflow of a flow run that is not cancelled is left alone
      const other = await flowRun();
      const otherTask = await taskRun(other, { type: StateType.RUNNING, name: "Running" });
      const otherChild = await flowRun({ parentTaskRunId: otherTask });

      // the parent is cancelled: Cancelling, then Cancelled by its process
      await setFlowRunState(ctx, parent, CANCELLING);
      await setFlowRunState(ctx, parent, { type: StateType.CANCELLED, name: "Cancelled" });
      const parentName = (await readFlowRun(ctx, parent)).name;

      const result = await service.runOnce();
      assert.ok(result);
      assert.deepEqual(new Set(result.subflowRuns), new Set([child, grandchild, deployed]));
      const c = await stateOf(child);
      assert.equal(c?.type, StateType.CANCELLED);
      assert.equal(c?.message, `The parent flow run '${parentName}' (${parent}) was cancelled.`);
      const g = await stateOf(grandchild);
      assert.equal(g?.type, StateType.CANCELLED);
      assert.match(g?.message ?? "", new RegExp(`\\(${child}\\) was cancelled`));
      // a deployment's run is told Cancelling: its worker stops it
      assert.equal((await stateOf(deployed))?.type, StateType.CANCELLING);
      assert.equal((await stateOf(done))?.type, StateType.COMPLETED);
      assert.equal((await stateOf(otherChild))?.type, StateType.RUNNING);
      // the subflow's parent task run follows its subflow run
      assert.equal((await taskStateOf(parentTask))?.type, StateType.CANCELLED);
      // and the task runs of the cancelled subflows end in the same look
      assert.equal((await taskStateOf(childTask))?.type, StateType.CANCELLED);

      const again = await service.runOnce();
      assert.deepEqual(again?.subflowRuns, []);
      assert.equal(again?.taskRuns, 0);
    });

    it("ends the unfinished task runs of a cancelled flow run, many at once, and only those", async () => {
      const run = await flowRun({ pid: `${hostname()}:${process.pid}` });
      const running = await taskRun(run, { type: StateType.RUNNING, name: "Running" });
      const completed = await taskRun(run, { type: StateType.COMPLETED, name: "Completed" });
      const failed = await taskRun(run, { type: StateType.FAILED, name: "Failed" });
      const many: string[] = [];
      for (let i = 0; i < 450; i++)
        many.push(await taskRun(run, { type: StateType.PENDING, name: "Pending" }));
      // task runs of a flow run that is still running are left alone
      const live = await flowRun({ pid: `${hostname()}:${process.pid}` });
      const liveTask = await taskRun(live, { type: StateType.RUNNING, name: "Running" });

      await setFlowRunState(ctx, run, CANCELLING);
      await setFlowRunState(ctx, run, { type: StateType.CANCELLED, name: "Cancelled" });

      const result = await service.runOnce();
      assert.equal(result?.taskRuns, 451);
      const r = await readTaskRun(ctx, running);
      assert.equal(r.state_type, StateType.CANCELLED);
      assert.equal(r.state?.message, PARENT_CANCELLED_MESSAGE);
      assert.ok(r.end_time, "the cancelled task run has ended");
      for (const id of [many[0], many[449]] as string[])
        assert.equal((await taskStateOf(id))?.type, StateType.CANCELLED);
      assert.equal((await taskStateOf(completed))?.type, StateType.COMPLETED);
      assert.equal((await taskStateOf(failed))?.type, StateType.FAILED);
      assert.equal((await taskStateOf(liveTask))?.type, StateType.RUNNING);
      assert.equal((await service.runOnce())?.taskRuns, 0);
    });
  });

  describe(`${dialect}: cancellation cleanup as the transports run it`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(dialect);
    });
    after(() => db.dispose());

    it("the server looks every LOOP_SECONDS; a run cancelled over the API with no process ends Cancelled", async () => {
      const settings = {
        ...loadSettings({}),
        cancellationCleanup: { enabled: true, loopSeconds: 0.2, cancellingTimeoutSeconds: null },
      };
      const app = await createCheckedApp({ database: db.database, settings });
      try {
        const post = async (url: string, payload: Record<string, unknown>) => {
          const res = await app.inject({ method: "POST", url: `/api${url}`, payload });
          assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
          return res.json() as { id: string; status?: string };
        };
        const flow = await post("/flows/", { name: "cancel-over-api" });
        const run = await post("/flow_runs/", {
          flow_id: flow.id,
          state: { type: "PENDING", name: "Pending" },
        });
        const answer = await post(`/flow_runs/${run.id}/set_state`, {
          state: { type: "CANCELLING", name: "Cancelling" },
        });
        assert.equal(answer.status, "ACCEPT");
        await until("the run Cancelled by the server's service", async () => {
          const res = await app.inject({ method: "GET", url: `/api/flow_runs/${run.id}` });
          return (res.json() as { state_type: string }).state_type === "CANCELLED";
        });
      } finally {
        await app.close();
      }
    });

    it("a process opening an embedded database looks once; the setting turns it off", async () => {
      const ctx = ctxOf(db.database);
      const flowId = (await createFlow(db.database, { name: "cancel-embedded" })).flow.id;
      const cancelling = async () => {
        const { flowRun } = await createFlowRun(ctx, {
          flow_id: flowId,
          state: { type: StateType.PENDING, name: "Pending" },
        });
        await setFlowRunState(ctx, flowRun.id, CANCELLING);
        return flowRun.id;
      };
      const off = await cancelling();
      const disabled = new EmbeddedClient(db.database, {
        ownsDatabase: false,
        settings: loadSettings({ PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED: "false" }),
      });
      assert.equal(
        disabled.core.services.some((s) => s.name === "CancellationCleanup"),
        false,
      );
      await disabled.close();
      assert.equal((await readFlowRun(ctx, off)).state_type, StateType.CANCELLING);

      const client = new EmbeddedClient(db.database, { ownsDatabase: false });
      try {
        client.core.start();
        const service = client.core.services.find((s) => s.name === "CancellationCleanup");
        assert.ok(service, "the embedded core holds the service");
        assert.equal(service.loopSeconds, Number.POSITIVE_INFINITY, "one look, no loop");
        await service.start();
        assert.equal((await readFlowRun(ctx, off)).state_type, StateType.CANCELLED);
      } finally {
        await client.close();
      }
    });
  });
}

describe("cancellation-cleanup settings", () => {
  it("Prefect's names, old and new; 20 s loops by default; a Cancelling timeout of 300 s, 0 for none", () => {
    assert.deepEqual(loadSettings({}).cancellationCleanup, {
      enabled: true,
      loopSeconds: 20,
      cancellingTimeoutSeconds: 300,
    });
    const set = loadSettings({
      PREFECT_API_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS: "7",
      PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED: "false",
      PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS: "0",
    }).cancellationCleanup;
    assert.deepEqual(set, { enabled: false, loopSeconds: 7, cancellingTimeoutSeconds: null });
    assert.equal(
      loadSettings({
        PREFECT_API_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS: "7",
        PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS: "9",
      }).cancellationCleanup.loopSeconds,
      9,
    );
    assert.throws(
      () => loadSettings({ PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS: "0" }),
      /PREFECT_API_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS|PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS/,
    );
  });
});

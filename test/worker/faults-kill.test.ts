/**
 * Kill -9 under a process worker (a real server on an ephemeral port, both databases): the process
 * running a flow run killed → the worker marks the run Crashed within 2 s and goes on (the
 * server's zombie service off, so that the worker's own report is what is checked); the worker
 * and the processes running its runs killed together → the server's zombie service finds each
 * run's process gone and marks it Crashed within one of its loops (1 s here), its task runs with
 * it: nothing stays Running.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { type FaultContext, killWorkerAndChildren, stateTime, workerFaults } from "./faulting.ts";

const ZOMBIE_LOOP_SECONDS = 1;

/** Flow and task runs Running or Pending, through the API. */
function underWay(f: FaultContext, kind: "flow_runs" | "task_runs") {
  return f.api<number>(`/${kind}/count`, {
    [kind]: { state: { type: { any_: ["RUNNING", "PENDING"] } } },
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: kill -9 of a run's process under a live worker`, () => {
    // the server's zombie service off: the worker alone sees its child die (with it on, whichever
    // looks first ends the run, and the worker's own report would go unchecked)
    const f = workerFaults(dialect, { PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED: "false" });
    const running = (kind: "flow_runs" | "task_runs") => underWay(f, kind);

    it("the process running a flow run killed: the run is Crashed within 2 s, the worker goes on", async () => {
      const worker = await f.startWorker("survivor", ["--warm-processes", "1"]);
      const run = await f.createRun({ steps: 300, ms: 100 });
      const pid = await f.bodyPid(worker, run.id);
      await until("a task run to be under way", async () => (await running("task_runs")) > 0);
      const at = Date.now();
      process.kill(pid, "SIGKILL");
      const ended = await f.finalState(run.id);
      const ms = stateTime(ended) - at;
      console.log(`[${dialect}] flow-run process killed -9 → Crashed in ${ms} ms`);
      assert.equal(ended.state_type, "CRASHED");
      assert.match(ended.state?.message ?? "", /killed by SIGKILL/);
      assert.ok(ms < 2000, `Crashed ${ms} ms after the kill`);
      // nothing of it stays under way (its task runs are crashed right after it)
      await until("its task run to end", async () => (await running("task_runs")) === 0);
      const next = await f.createRun({ steps: 2, ms: 10 });
      assert.equal((await f.finalState(next.id)).state_type, "COMPLETED");
      worker.child.kill("SIGTERM");
      assert.equal((await worker.exit).code, 0);
    });
  });

  describe(`${dialect}: kill -9 of a worker and its runs' processes`, () => {
    const f = workerFaults(dialect, {
      PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS: String(ZOMBIE_LOOP_SECONDS),
    });
    const running = (kind: "flow_runs" | "task_runs") => underWay(f, kind);

    it("the worker and the processes running its runs killed: each run Crashed within the zombie loop, nothing stays Running", async () => {
      const worker = await f.startWorker("doomed", ["--warm-processes", "3"]);
      const runs = await Promise.all([1, 2, 3].map(() => f.createRun({ steps: 300, ms: 100 })));
      for (const run of runs) await f.bodyPid(worker, run.id);
      await until(
        "the runs to be Running",
        async () => (await running("flow_runs")) === runs.length,
      );
      const { at } = await killWorkerAndChildren(worker);
      const delays: number[] = [];
      for (const run of runs) {
        const ended = await f.finalState(run.id, 20_000);
        assert.equal(ended.state_type, "CRASHED");
        // found by the server's zombie service, not by the (dead) worker
        assert.match(ended.state?.message ?? "", /is gone/);
        delays.push(stateTime(ended) - at);
      }
      console.log(
        `[${dialect}] worker and children killed -9 → runs Crashed in ${delays.join(", ")} ms (zombie loop ${ZOMBIE_LOOP_SECONDS} s)`,
      );
      for (const ms of delays) assert.ok(ms < ZOMBIE_LOOP_SECONDS * 1000 + 4000, `${ms} ms`);
      assert.equal(await running("flow_runs"), 0);
      assert.equal(await running("task_runs"), 0);
    });
  });
}

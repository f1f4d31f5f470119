/**
 * The API server killed -9 and started again on the same port while a process worker's runs are
 * under way (both databases): every run still reaches a final state — Completed, every task run
 * recorded — as the runs' clients retry; the worker stays up, its push connection comes back, and
 * a run created afterwards is taken and completes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep } from "../faults/processes.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { workerFaults } from "./faulting.ts";

const STEPS = 40;

for (const dialect of DIALECTS) {
  describe(`${dialect}: the API server restarted under a process worker`, () => {
    const f = workerFaults(dialect);

    it("killed -9 mid-run and back 1.5 s later: every run ends Completed, the worker goes on", async () => {
      const worker = await f.startWorker("steadfast", ["--warm-processes", "3"]);
      const runs = await Promise.all([1, 2, 3].map(() => f.createRun({ steps: STEPS, ms: 100 })));
      for (const run of runs) await f.bodyPid(worker, run.id);
      await f.server.stop("SIGKILL");
      await sleep(1500);
      await f.server.start();
      for (const run of runs) {
        const ended = await f.finalState(run.id, 60_000);
        assert.equal(ended.state_type, "COMPLETED", ended.state?.message ?? "");
        const tasks = await f.api<number>("/task_runs/count", {
          flow_runs: { id: { any_: [run.id] } },
          task_runs: { state: { type: { any_: ["COMPLETED"] } } },
        });
        assert.equal(tasks, STEPS);
      }
      assert.equal(worker.child.exitCode, null, "the worker exited");
      const at = Date.now();
      const next = await f.createRun({ steps: 2, ms: 10 });
      await f.bodyPid(worker, next.id);
      const startMs = Date.now() - at;
      assert.equal((await f.finalState(next.id)).state_type, "COMPLETED");
      console.log(
        `[${dialect}] server restarted mid-run → 3 runs Completed; a run created afterwards started in ${startMs} ms`,
      );
      worker.child.kill("SIGTERM");
      assert.equal((await worker.exit).code, 0);
    });
  });
}

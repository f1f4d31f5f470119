/**
 * SIGTERM to a process worker with runs under way (a real server on an ephemeral port, both
 * databases): it takes no new run, lets the runs under way finish, and exits 0 with its processes
 * gone; a second SIGTERM stops the runs under way, which end in a final state (Crashed).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sleep } from "../faults/processes.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { alive, childPids, FINAL, workerFaults } from "./faulting.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: SIGTERM to a process worker`, () => {
    const f = workerFaults(dialect);

    it("the runs under way finish, no new run is taken, the worker exits 0 with its processes gone", async () => {
      const worker = await f.startWorker("draining", ["--warm-processes", "2", "--limit", "3"]);
      const runs = await Promise.all([1, 2].map(() => f.createRun({ steps: 25, ms: 100 })));
      for (const run of runs) await f.bodyPid(worker, run.id);
      const children = childPids(worker.pid);
      for (const pid of children) f.track(pid);
      const at = Date.now();
      worker.child.kill("SIGTERM");
      await worker.line(/(SIGTERM received)/);
      const late = await f.createRun({ steps: 1 });
      const { code } = await worker.exit;
      const drainMs = Date.now() - at;
      assert.equal(code, 0, worker.output());
      for (const run of runs) {
        const ended = await f.readRun(run.id);
        assert.equal(ended.state_type, "COMPLETED");
        assert.equal(
          await f.api<number>("/task_runs/count", {
            flow_runs: { id: { any_: [run.id] } },
            task_runs: { state: { type: { any_: ["COMPLETED"] } } },
          }),
          25,
        );
      }
      assert.equal((await f.readRun(late.id)).state_type, "SCHEDULED");
      assert.doesNotMatch(worker.output(), new RegExp(`BODY ${late.id}`));
      await until("the worker's processes to exit", () => children.every((pid) => !alive(pid)));
      console.log(
        `[${dialect}] SIGTERM with 2 runs of 2.5 s under way → worker exited 0 after ${drainMs} ms`,
      );
      // the run left for another worker is taken by the next one
      const next = await f.startWorker("next", ["--warm-processes", "1"]);
      assert.equal((await f.finalState(late.id)).state_type, "COMPLETED");
      next.child.kill("SIGTERM");
      assert.equal((await next.exit).code, 0);
    });

    it("a second SIGTERM stops the runs under way: they end Crashed, the worker exits", async () => {
      const worker = await f.startWorker("impatient", ["--warm-processes", "2"]);
      const runs = await Promise.all([1, 2].map(() => f.createRun({ steps: 300, ms: 100 })));
      for (const run of runs) await f.bodyPid(worker, run.id);
      const children = childPids(worker.pid);
      for (const pid of children) f.track(pid);
      worker.child.kill("SIGTERM");
      await worker.line(/(SIGTERM received)/);
      // a repeat within a second is taken for the same keypress
      await sleep(1100);
      const at = Date.now();
      worker.child.kill("SIGTERM");
      await worker.line(/(SIGTERM again)/);
      const { code } = await worker.exit;
      const goneMs = Date.now() - at;
      for (const run of runs) {
        const ended = await f.finalState(run.id);
        assert.ok(FINAL.includes(ended.state_type ?? ""));
        assert.equal(ended.state_type, "CRASHED");
      }
      const ids = runs.map((r) => r.id);
      await until(
        "their task runs to end",
        async () =>
          (await f.api<number>("/task_runs/count", {
            flow_runs: { id: { any_: ids } },
            task_runs: { state: { type: { any_: ["RUNNING", "PENDING"] } } },
          })) === 0,
      );
      console.log(
        `[${dialect}] second SIGTERM → runs Crashed, worker exited ${code} after ${goneMs} ms`,
      );
      await until("the worker's processes to exit", () => children.every((pid) => !alive(pid)));
    });
  });
}

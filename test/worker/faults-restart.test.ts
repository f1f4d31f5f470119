/**
 * A process worker dying under its runs, with the server's zombie service off (so that what
 * happens is the worker's own doing; a real server on an ephemeral port, both databases):
 *
 * - killed -9 alone: the processes running its runs see it gone and end their runs Crashed
 *   themselves, then exit — no process is left behind, no run stays Running;
 * - killed -9 with those processes, then started again under the same name: it finds the runs
 *   labelled with its name whose process is gone (Running, and Pending ones it had claimed) and
 *   ends them Crashed, their task runs with them; another worker's runs are left alone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import {
  alive,
  childPids,
  killWorkerAndChildren,
  POOL,
  stateTime,
  workerFaults,
} from "./faulting.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: a process worker that dies`, () => {
    const f = workerFaults(dialect, { PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED: "false" });

    const underWay = (kind: "flow_runs" | "task_runs", ids: string[]) =>
      f.api<number>(`/${kind}/count`, {
        flow_runs: { id: { any_: ids } },
        [kind]: { state: { type: { any_: ["RUNNING", "PENDING"] } } },
      });

    it("killed -9 alone: its runs' processes end them Crashed and exit, none is left", async () => {
      const worker = await f.startWorker("orphaning", ["--warm-processes", "2"]);
      const runs = await Promise.all([1, 2].map(() => f.createRun({ steps: 300, ms: 100 })));
      const pids: number[] = [];
      for (const run of runs) pids.push(await f.bodyPid(worker, run.id));
      const children = childPids(worker.pid);
      for (const pid of children) f.track(pid);
      await until(
        "the runs to be Running",
        async () =>
          (await underWay(
            "flow_runs",
            runs.map((r) => r.id),
          )) === runs.length,
      );
      const at = Date.now();
      worker.child.kill("SIGKILL");
      const delays: number[] = [];
      for (const run of runs) {
        const ended = await f.finalState(run.id);
        assert.equal(ended.state_type, "CRASHED");
        delays.push(stateTime(ended) - at);
      }
      console.log(
        `[${dialect}] worker alone killed -9 → its runs Crashed in ${delays.join(", ")} ms`,
      );
      assert.equal(
        await underWay(
          "task_runs",
          runs.map((r) => r.id),
        ),
        0,
      );
      // the children (busy and idle) are gone with it
      await until("the worker's children to exit", () => children.every((pid) => !alive(pid)));
    });

    it("killed -9 with its runs' processes and started again under its name: the runs it left end Crashed", async () => {
      const worker = await f.startWorker("phoenix", ["--warm-processes", "2"]);
      const runs = await Promise.all([1, 2].map(() => f.createRun({ steps: 300, ms: 100 })));
      for (const run of runs) await f.bodyPid(worker, run.id);
      const ids = runs.map((r) => r.id);
      await until("the runs to be Running", async () => (await underWay("flow_runs", ids)) === 2);
      await until("a task run of each to be under way", async () => {
        return (await underWay("task_runs", ids)) === 2;
      });
      const labels = (await f.readRun(runs[0]?.id as string)).labels;
      assert.equal(labels["prefect.worker.name"], "phoenix");
      assert.equal(labels["prefect.worker.type"], "process");
      assert.equal(labels["prefect.work-pool.name"], POOL);
      await killWorkerAndChildren(worker);
      // a run it had claimed (Pending, labelled) and not started yet, and another worker's
      const claimed = async (name: string) => {
        const run = await f.createRun({ steps: 1 });
        const claim = await f.api<{ status: string }>(`/flow_runs/${run.id}/set_state`, {
          state: { type: "PENDING", name: "Submitting" },
        });
        assert.equal(claim.status, "ACCEPT");
        await f.api(`/flow_runs/${run.id}/labels`, { "prefect.worker.name": name }, "PATCH");
        return run;
      };
      const pending = await claimed("phoenix");
      const others = await claimed("someone-else");
      // nothing settles them while the worker is away (the zombie service is off here)
      for (const id of ids) assert.equal((await f.readRun(id)).state_type, "RUNNING");

      const restartAt = Date.now();
      const restarted = await f.startWorker("phoenix", ["--warm-processes", "1"]);
      const delays: number[] = [];
      for (const id of ids) {
        const ended = await f.finalState(id);
        assert.equal(ended.state_type, "CRASHED");
        assert.match(ended.state?.message ?? "", /worker 'phoenix'.*its process .* is gone/);
        delays.push(stateTime(ended) - restartAt);
      }
      await until("their task runs to end", async () => (await underWay("task_runs", ids)) === 0);
      // the Pending one was claimed moments ago: it is looked at again once 5 s old
      const settled = await f.finalState(pending.id, 20_000);
      assert.equal(settled.state_type, "CRASHED");
      assert.match(settled.state?.message ?? "", /no process of it is left/);
      const claim = (await f.states(pending.id)).find((st) => st.type === "PENDING");
      const pendingFor = stateTime(settled) - Date.parse(claim?.timestamp ?? "");
      console.log(
        `[${dialect}] worker restarted under its name → the Running runs it left Crashed ${delays.join(", ")} ms after the restart began; the Pending one it had claimed ${pendingFor} ms after its claim`,
      );
      assert.ok(pendingFor >= 5000, `${pendingFor} ms`);
      assert.equal((await f.readRun(others.id)).state_type, "PENDING");
      const next = await f.createRun({ steps: 2, ms: 10 });
      assert.equal((await f.finalState(next.id)).state_type, "COMPLETED");
      assert.match(restarted.output(), /2 flow run\(s\) left by its former self settled/);
    });
  });
}

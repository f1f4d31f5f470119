/**
 * The server faulted at the worst moments for a client-mode flow (real processes, both
 * databases): killed -9 or SIGTERMed the moment a flow's body returns (its last task runs in
 * flight, its final state not yet proposed), and killed -9 under load from several flows. A flow
 * run is never `Completed` before its task runs are stored: runs created = runs completed, task
 * runs finished = task runs stored, and every flow process exits 0.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS } from "../helpers/databases.ts";
import { completedTaskRuns, flowProcess, servedDatabase, sleep, stateOf } from "./processes.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: the server faulted as client-mode flows finish`, () => {
    const served = servedDatabase(dialect);

    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      it(`${signal} the moment the flow's body returns: Completed only with every task run stored`, async () => {
        const n = 1000;
        const flow = flowProcess("paced-flow", [String(n), "0"], served.env());
        const id = await flow.line(/RUN (\S+)/);
        await flow.line(/(BODY DONE)/);
        await served.server.stop(signal);
        await sleep(1000);
        await served.server.start();
        assert.equal(await flow.exit, 0, flow.stderr());
        assert.equal(await stateOf(served.server.api, id), "COMPLETED");
        assert.equal(await completedTaskRuns(served.server.api, id), n);
      });
    }

    it("killed -9 under load from several flows and back after 5 s: runs created = runs completed, task runs finished = stored", async () => {
      const flows = 5;
      const n = 200;
      const running = Array.from({ length: flows }, () =>
        flowProcess("paced-flow", [String(n), "5"], served.env()),
      );
      const ids = await Promise.all(running.map((f) => f.line(/RUN (\S+)/)));
      await sleep(300);
      await served.server.stop("SIGKILL");
      await sleep(5000);
      await served.server.start();
      const codes = await Promise.all(running.map((f) => f.exit));
      assert.deepEqual(codes, Array(flows).fill(0), running.map((f) => f.stderr()).join("\n"));
      const api = served.server.api;
      assert.deepEqual(
        await Promise.all(ids.map((id) => stateOf(api, id))),
        Array(flows).fill("COMPLETED"),
      );
      assert.deepEqual(
        await Promise.all(ids.map((id) => completedTaskRuns(api, id))),
        Array(flows).fill(n),
      );
    });
  });
}

/**
 * Server outages under client-mode flows (a real server process, real flow processes, both
 * databases): the server killed -9 mid-flow, under load from several flows, or killed -9 or
 * SIGTERMed the moment a flow's body returns, and started again 1, 5 or 30 s later. The flow rides the outage out — its task runs keep going
 * locally and its records wait — and ends `Completed` with every task run stored, exiting 0. A
 * flow run is never `Completed` before its task runs are stored. An outage longer than the
 * client's retries fails the flow process loudly; its run is not reported finished, and the server
 * settles it `Crashed` once it is back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { flowProcess, freePort, ServerProcess } from "./processes.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api<T>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
}

const completedTaskRuns = (base: string, flowRunId: string) =>
  api<number>(base, "/task_runs/count", {
    flow_runs: { id: { any_: [flowRunId] } },
    task_runs: { state: { type: { any_: ["COMPLETED"] } } },
  });

const stateOf = async (base: string, flowRunId: string) =>
  (await api<{ state_type: string }>(base, `/flow_runs/${flowRunId}`)).state_type;

for (const dialect of DIALECTS) {
  describe(`${dialect}: a server outage under a client-mode flow`, () => {
    let t: TestDatabase;
    let server: ServerProcess;
    before(async () => {
      t = await createTestDatabase(dialect);
      server = new ServerProcess(t, await freePort());
      await server.start();
    });
    after(async () => {
      await server.stop("SIGKILL");
      await t.dispose();
    });

    const env = () => ({ PREFECT_API_URL: server.api, PREFECT_HOME: t.home });

    for (const downForMs of [1000, 5000, 30_000]) {
      it(`killed -9 mid-flow and back after ${downForMs / 1000} s: Completed, every task run stored`, async () => {
        const n = 150;
        const flow = flowProcess("paced-flow", [String(n), "10"], env());
        const id = await flow.line(/RUN (\S+)/);
        // some task runs are reported before the kill, more during the outage
        await sleep(400);
        await server.stop("SIGKILL");
        await sleep(downForMs);
        await server.start();
        assert.equal(await flow.exit, 0, flow.stderr());
        assert.equal(await stateOf(server.api, id), "COMPLETED");
        assert.equal(await completedTaskRuns(server.api, id), n);
      });
    }

    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      it(`${signal} the moment the flow's body returns: Completed only with every task run stored`, async () => {
        const n = 1000;
        const flow = flowProcess("paced-flow", [String(n), "0"], env());
        const id = await flow.line(/RUN (\S+)/);
        await flow.line(/(BODY DONE)/);
        await server.stop(signal);
        await sleep(1000);
        await server.start();
        assert.equal(await flow.exit, 0, flow.stderr());
        assert.equal(await stateOf(server.api, id), "COMPLETED");
        assert.equal(await completedTaskRuns(server.api, id), n);
      });
    }

    it("killed -9 under load from several flows and back after 5 s: runs created = runs completed, task runs finished = stored", async () => {
      const flows = 5;
      const n = 200;
      const running = Array.from({ length: flows }, () =>
        flowProcess("paced-flow", [String(n), "5"], env()),
      );
      const ids = await Promise.all(running.map((f) => f.line(/RUN (\S+)/)));
      await sleep(300);
      await server.stop("SIGKILL");
      await sleep(5000);
      await server.start();
      const codes = await Promise.all(running.map((f) => f.exit));
      assert.deepEqual(codes, Array(flows).fill(0), running.map((f) => f.stderr()).join("\n"));
      const states = await Promise.all(ids.map((id) => stateOf(server.api, id)));
      assert.deepEqual(states, Array(flows).fill("COMPLETED"));
      const stored = await Promise.all(ids.map((id) => completedTaskRuns(server.api, id)));
      assert.deepEqual(stored, Array(flows).fill(n));
    });

    it("an outage longer than the client's retries fails the flow loudly; the run ends Crashed, never Completed", async () => {
      const flow = flowProcess("paced-flow", ["100", "10"], {
        ...env(),
        PREFECT_CLIENT_MAX_RETRIES: "3",
      });
      const id = await flow.line(/RUN (\S+)/);
      await server.stop("SIGKILL");
      const code = await flow.exit;
      await server.start();
      assert.notEqual(code, 0);
      assert.match(flow.stderr(), /cannot reach the Prefect API|could not deliver/);
      assert.doesNotMatch(flow.stdout(), /RETURNED/);
      // and once the server is back it settles the run: its process is gone
      let state = await stateOf(server.api, id);
      for (const deadline = Date.now() + 30_000; state !== "CRASHED" && Date.now() < deadline; ) {
        await sleep(200);
        state = await stateOf(server.api, id);
      }
      assert.equal(state, "CRASHED");
    });
  });
}

/**
 * A deployment's `concurrency_limit`, enforced by the flow-run rules as Prefect enforces it, on
 * SQLite and PostgreSQL. Through a real server on an ephemeral port, with the proposals a worker
 * sends: a run claimed (PENDING "Submitting") takes a slot of the limit `deployment:<id>` under a
 * lease held by the run; a run claimed while the limit is full is sent back to `Scheduled`
 * "AwaitingConcurrencySlot" (ENQUEUE, the default) or `Cancelled` (CANCEL_NEW); the slot is kept
 * through RUNNING and given back when the run ends, is cancelled, or is forced to another state;
 * a lease gone at RUNNING is taken anew. And end to end with `prefect-ts worker start`: of two
 * runs of a deployment limited to 1, the second waits and runs once the first has ended; with
 * CANCEL_NEW it is cancelled.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { loadSettings } from "../../src/settings/settings.ts";
import { freePort, ServerProcess } from "../faults/processes.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";
import { type CliProcess, cliProcess } from "../worker/working.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

/** An HTTP caller of the API at `api`. */
function caller(api: () => string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api()}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await call(method, path, body);
    assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return { call, ok };
}

const FINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];

for (const dialect of DIALECTS) {
  describe(`deployment concurrency limits, the rules through the API (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base = "";
    const { call, ok } = caller(() => base);
    let flowId = "";

    const deploy = async (name: string, extra: Record<string, unknown> = {}) =>
      ok("POST", "/deployments/", {
        name,
        flow_id: flowId,
        enforce_parameter_schema: false,
        concurrency_limit: 1,
        ...extra,
      });
    const runOf = async (deploymentId: string) =>
      ok("POST", `/deployments/${deploymentId}/create_flow_run`, {});
    /** What a worker proposes to claim a run: PENDING "Submitting", if still in the state read. */
    const claim = async (run: Json) =>
      ok("POST", `/flow_runs/${run.id}/set_state?expected_state_id=${run.state.id}`, {
        state: { type: "PENDING", name: "Submitting", state_details: {} },
      });
    const propose = async (id: string, type: string, force = false) =>
      ok("POST", `/flow_runs/${id}/set_state`, { state: { type }, force });
    const slotsOf = async (deploymentId: string) =>
      (await ok("GET", `/v2/concurrency_limits/deployment:${deploymentId}`)).active_slots;

    before(async () => {
      tdb = await createTestDatabase(dialect);
      const settings = loadSettings({
        PREFECT_HOME: tdb.home,
        PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
        PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
        PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS: "7",
      });
      app = await createCheckedApp({ database: tdb.database, settings });
      base = `${await app.listen({ port: 0, host: "127.0.0.1" })}/api`;
      flowId = (await ok("POST", "/flows/", { name: "limited" })).id;
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("ENQUEUE: the second claim waits as AwaitingConcurrencySlot, and goes once the first ended", async () => {
      const d = await deploy("enqueue");
      const first = await runOf(d.id);
      const second = await runOf(d.id);

      const claimed = await claim(first);
      assert.equal(claimed.status, "ACCEPT");
      const lease = claimed.state.state_details.deployment_concurrency_lease_id;
      assert.match(lease, /^[0-9a-f-]{36}$/);
      assert.equal(await slotsOf(d.id), 1);
      const holders = await ok("GET", `/v2/concurrency_limits/deployment:${d.id}/holders`);
      assert.deepEqual(
        holders.map((h: Json) => h.holder),
        [{ type: "flow_run", id: first.id }],
      );

      const before = Date.now();
      const refused = await claim(second);
      assert.equal(refused.status, "REJECT");
      assert.equal(refused.details.reason, "Deployment concurrency limit reached.");
      assert.equal(refused.state.type, "SCHEDULED");
      assert.equal(refused.state.name, "AwaitingConcurrencySlot");
      const due = Date.parse(refused.state.state_details.scheduled_time) - before;
      assert.ok(due >= 6_000 && due <= 9_000, `due in ${due} ms, not about 7 s`);
      assert.equal(
        (await ok("GET", `/flow_runs/${second.id}`)).state_name,
        "AwaitingConcurrencySlot",
      );
      assert.equal(await slotsOf(d.id), 1);

      // the slot is kept through RUNNING (its lease with it), given back when the run ends
      const running = await propose(first.id, "RUNNING");
      assert.equal(running.status, "ACCEPT");
      assert.equal(running.state.state_details.deployment_concurrency_lease_id, lease);
      assert.equal(await slotsOf(d.id), 1);
      assert.equal((await propose(first.id, "COMPLETED")).status, "ACCEPT");
      assert.equal(await slotsOf(d.id), 0);

      // claimed again once due (the test does not wait 7 s: the run is made due now; a worker
      // claims a run when it is due, and one claimed early would WAIT before RUNNING)
      await propose(second.id, "SCHEDULED", true);
      const again = await claim(await ok("GET", `/flow_runs/${second.id}`));
      assert.equal(again.status, "ACCEPT");
      assert.equal(await slotsOf(d.id), 1);
      assert.equal((await propose(second.id, "RUNNING")).status, "ACCEPT");
      assert.equal((await propose(second.id, "FAILED")).status, "ACCEPT");
      assert.equal(await slotsOf(d.id), 0);
    });

    it("CANCEL_NEW: the second claim cancels the run", async () => {
      const d = await deploy("cancel-new", {
        concurrency_options: { collision_strategy: "CANCEL_NEW" },
      });
      const first = await runOf(d.id);
      const second = await runOf(d.id);
      assert.equal((await claim(first)).status, "ACCEPT");
      const refused = await claim(second);
      assert.equal(refused.status, "REJECT");
      assert.equal(refused.state.type, "CANCELLED");
      assert.equal(refused.state.message, "Deployment concurrency limit reached.");
      assert.equal((await ok("GET", `/flow_runs/${second.id}`)).state_type, "CANCELLED");
      assert.equal(await slotsOf(d.id), 1);
      // cancelling the first (forced, as from the UI) gives its slot back
      assert.equal((await propose(first.id, "CANCELLED", true)).status, "ACCEPT");
      assert.equal(await slotsOf(d.id), 0);
    });

    it("follows the deployment's limit as it changes, and a deployment without one takes nothing", async () => {
      const d = await deploy("resized");
      const runs = [await runOf(d.id), await runOf(d.id), await runOf(d.id)];
      assert.equal((await claim(runs[0])).status, "ACCEPT");
      await ok("PATCH", `/deployments/${d.id}`, { concurrency_limit: 2 });
      assert.equal((await claim(runs[1])).status, "ACCEPT");
      assert.equal((await claim(runs[2])).status, "REJECT");
      assert.equal((await ok("GET", `/v2/concurrency_limits/deployment:${d.id}`)).limit, 2);

      const free = await deploy("free", { concurrency_limit: null });
      const a = await runOf(free.id);
      const b = await runOf(free.id);
      assert.equal((await claim(a)).status, "ACCEPT");
      assert.equal((await claim(b)).status, "ACCEPT");
      assert.equal((await call("GET", `/v2/concurrency_limits/deployment:${free.id}`)).status, 404);
    });

    it("takes a slot anew at RUNNING when the lease was freed meanwhile, and cancels the run when there is none", async () => {
      const d = await deploy("lapsed");
      const first = await runOf(d.id);
      const second = await runOf(d.id);
      const claimed = await claim(first);
      const lease = claimed.state.state_details.deployment_concurrency_lease_id;
      // the lease freed (as a client's decrement-with-lease, or a reset, would)
      const freed = await call("POST", "/v2/concurrency_limits/decrement-with-lease", {
        lease_id: lease,
      });
      assert.equal(freed.status, 204);
      assert.equal(await slotsOf(d.id), 0);
      const running = await propose(first.id, "RUNNING");
      assert.equal(running.status, "ACCEPT");
      const renewed = running.state.state_details.deployment_concurrency_lease_id;
      assert.notEqual(renewed, lease);
      assert.equal(await slotsOf(d.id), 1);

      assert.equal((await propose(first.id, "COMPLETED")).status, "ACCEPT");
      assert.equal(await slotsOf(d.id), 0);

      // a run whose lease was freed while it was PENDING, and whose slot another run took since
      const pending = await claim(second);
      const gone = pending.state.state_details.deployment_concurrency_lease_id;
      await call("POST", "/v2/concurrency_limits/decrement-with-lease", { lease_id: gone });
      const third = await runOf(d.id);
      assert.equal((await claim(third)).status, "ACCEPT");
      const lost = await propose(second.id, "RUNNING");
      assert.equal(lost.status, "REJECT");
      assert.equal(lost.state.type, "CANCELLED");
      assert.match(lost.state.message, /slot lost during provisioning/);
      assert.equal(lost.details.reason, "Deployment concurrency limit reached after lease expiry.");
      assert.equal(await slotsOf(d.id), 1);
    });
  });

  describe(`deployment concurrency limits end to end with prefect-ts worker start (${dialect})`, () => {
    let tdb: TestDatabase;
    let server: ServerProcess;
    let worker: CliProcess | null = null;
    const { ok } = caller(() => server.api);
    const gates = mkdtempSync(join(tmpdir(), "deployment-gates-"));
    let deploymentId = "";

    const runWith = (gate: string) =>
      ok("POST", `/deployments/${deploymentId}/create_flow_run`, { parameters: { gate } });
    const readRun = (id: string) => ok("GET", `/flow_runs/${id}`);
    const stateNamed = (id: string, name: string) =>
      until(`flow run ${id} in ${name}`, async () => {
        const run = await readRun(id);
        return run.state_name === name ? run : null;
      });
    const ended = (id: string) =>
      until(
        `flow run ${id} to end`,
        async () => {
          const run = await readRun(id);
          return FINAL.includes(run.state_type) ? run : null;
        },
        30_000,
      );
    const historyOf = async (id: string) =>
      (await ok("GET", `/flow_run_states/?flow_run_id=${id}`)).map((s: Json) => s.name);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      server = new ServerProcess(tdb, await freePort(), {
        PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS: "1",
        PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
      });
      await server.start();
      await ok("POST", "/work_pools/", { name: "limited-pool", type: "process" });
      const flow = await ok("POST", "/flows/", { name: "gated-flow" });
      const deployment = await ok("POST", "/deployments/", {
        name: "one-at-a-time",
        flow_id: flow.id,
        entrypoint: "test/fixtures/gated-flow.ts:gatedFlow",
        path: process.cwd(),
        work_pool_name: "limited-pool",
        enforce_parameter_schema: false,
        concurrency_limit: 1,
      });
      deploymentId = deployment.id;
      worker = cliProcess(
        ["worker", "start", "--pool", "limited-pool", "--name", "w", "--limit", "4"],
        { PREFECT_HOME: tdb.home, PREFECT_API_URL: server.api },
      );
      await worker.line(/(started!)/);
    });
    after(async () => {
      worker?.kill("SIGKILL");
      await worker?.exit.catch(() => undefined);
      await server?.stop("SIGKILL");
      await tdb?.dispose();
    });

    it("runs the second run of a deployment limited to 1 once the first has ended", async () => {
      const gate = join(gates, "first");
      const first = await runWith(gate);
      await stateNamed(first.id, "Running");
      const second = await runWith("");
      // the worker claims it while the first holds the slot: it is sent back to wait
      await stateNamed(second.id, "AwaitingConcurrencySlot");
      assert.equal((await readRun(first.id)).state_name, "Running");

      writeFileSync(gate, "open");
      const firstEnd = await ended(first.id);
      const secondEnd = await ended(second.id);
      assert.equal(firstEnd.state_type, "COMPLETED");
      assert.equal(secondEnd.state_type, "COMPLETED");
      assert.ok(
        Date.parse(secondEnd.start_time) >= Date.parse(firstEnd.end_time),
        `the second started ${secondEnd.start_time}, before the first ended ${firstEnd.end_time}`,
      );
      const history = await historyOf(second.id);
      assert.ok(history.includes("AwaitingConcurrencySlot"), history.join(", "));
    });

    it("cancels the second run with CANCEL_NEW", async () => {
      await ok("PATCH", `/deployments/${deploymentId}`, {
        concurrency_options: { collision_strategy: "CANCEL_NEW" },
      });
      const gate = join(gates, "third");
      const first = await runWith(gate);
      await stateNamed(first.id, "Running");
      const second = await runWith("");
      const cancelled = await ended(second.id);
      assert.equal(cancelled.state_type, "CANCELLED");
      assert.equal(cancelled.state.message, "Deployment concurrency limit reached.");
      // it never ran
      assert.deepEqual(await historyOf(second.id), ["Scheduled", "Cancelled"]);
      writeFileSync(gate, "open");
      assert.equal((await ended(first.id)).state_type, "COMPLETED");
    });
  });
}

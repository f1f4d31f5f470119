/**
 * Work pools, work queues and workers through a real server on an ephemeral port, on both
 * databases: the deploy-and-worker transcript's exchanges answered with Prefect's status, keys and
 * values (the pool and its default queue, the process worker's channel: hello, ready, heartbeat;
 * its polls; the deployment linked to the queue); worker status over time with the app clock (no
 * sleeps); queue priorities; job variables held to the pool's template (422 naming the field);
 * the `/work_queues` routes; bad input.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { addSeconds, type Clock, nowIso } from "../../src/core/time.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

/** A clock the test moves forward. */
class ShiftedClock implements Clock {
  offsetSeconds = 0;
  nowIso(): string {
    return addSeconds(nowIso(), this.offsetSeconds);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

const TRANSCRIPT = join(
  import.meta.dirname,
  "../../../shared/prefect-wire-transcripts/more/deploy-and-worker.jsonl",
);
const records: Json[] = readFileSync(TRANSCRIPT, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const exchange = (method: string, url: string) =>
  records.find((r) => r.method === method && r.url === url && r.status < 300);
const frameOf = (type: string) => records.find((r) => r.msg?.type === type)?.msg;

/** The process worker's hello as captured (its template, its name and interval). */
const HELLO = frameOf("worker.hello.v1");
const POOL_REQUEST = exchange("POST", "/api/work_pools/").req;
const POOL_ANSWER = exchange("POST", "/api/work_pools/").res;
const QUEUE_ANSWER = exchange("POST", "/api/work_pools/probe-pool/queues/filter").res[0];
const WORKER_RUN = records.find(
  (r) => r.url === "/api/work_pools/probe-pool/get_scheduled_flow_runs" && r.res?.length > 0,
).res[0];

for (const dialect of DIALECTS) {
  describe(`work pools, queues and workers over HTTP (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    const clock = new ShiftedClock();

    async function call(method: string, path: string, body?: unknown, headers = {}) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body);
      assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const pool = (name: string, extra: Record<string, unknown> = {}) =>
      ok("POST", "/work_pools/", { ...POOL_REQUEST, name, ...extra });
    const flowNamed = (name: string) => ok("POST", "/flows/", { name });
    const deploy = async (pool: string, extra: Record<string, unknown> = {}) => {
      const flow = await flowNamed(`flow-of-${pool}`);
      return ok("POST", "/deployments/", {
        name: `dep-${Math.random().toString(36).slice(2, 8)}`,
        flow_id: flow.id,
        work_pool_name: pool,
        parameter_openapi_schema: { type: "object", properties: {} },
        ...extra,
      });
    };
    const runOf = (deploymentId: string, body: Record<string, unknown> = {}) =>
      ok("POST", `/deployments/${deploymentId}/create_flow_run`, body);
    const setState = (runId: string, type: string, name: string) =>
      ok("POST", `/flow_runs/${runId}/set_state`, { state: { type, name }, force: true });
    const poll = (poolName: string, body: Record<string, unknown> = {}) =>
      ok("POST", `/work_pools/${poolName}/get_scheduled_flow_runs`, body);
    const ids = (answer: Json[]) => answer.map((r) => r.flow_run.id);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      const settings = loadSettings({
        PREFECT_HOME: tdb.home,
        PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
        PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
        PREFECT_WORKER_HEARTBEAT_SECONDS: "5",
      });
      app = await createCheckedApp({ database: tdb.database, clock, settings });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("answers the deploy-and-worker transcript's pool, queue and deployment exchanges", async () => {
      assert.deepEqual(await call("GET", "/work_pools/probe-pool"), {
        status: 404,
        body: { detail: 'Work pool "probe-pool" not found.' },
      });
      const view = await ok("GET", "/collections/views/aggregate-worker-metadata");
      assert.deepEqual(
        view.prefect.process,
        exchange("GET", "/api/collections/views/aggregate-worker-metadata").res.prefect.process,
      );
      // `prefect work-pool create --type process`, as captured
      const created = await call("POST", "/work_pools/", POOL_REQUEST);
      assert.equal(created.status, 201);
      const p = created.body;
      assert.deepEqual(Object.keys(p), Object.keys(POOL_ANSWER));
      const { id: _i, created: _c, updated: _u, default_queue_id: _d, ...rest } = POOL_ANSWER;
      const { id, created: _c2, updated: _u2, default_queue_id, ...ours } = p;
      assert.deepEqual(ours, rest);
      assert.deepEqual(await ok("GET", "/work_pools/probe-pool"), p);
      // `prefect worker start` first asks for the online workers
      assert.deepEqual(
        await ok("POST", "/work_pools/probe-pool/workers/filter", {
          workers: { status: { any_: ["ONLINE"] } },
          offset: null,
          limit: null,
        }),
        [],
      );
      const queues = await ok("POST", "/work_pools/probe-pool/queues/filter", {
        work_queues: null,
        limit: null,
        offset: null,
      });
      assert.equal(queues.length, 1);
      assert.deepEqual(Object.keys(queues[0]), Object.keys(QUEUE_ANSWER));
      assert.deepEqual(
        { ...queues[0], id: null, created: null, updated: null, work_pool_id: null },
        { ...QUEUE_ANSWER, id: null, created: null, updated: null, work_pool_id: null },
      );
      assert.equal(queues[0].id, default_queue_id);
      assert.equal(queues[0].work_pool_id, id);
      // `flow.deploy(work_pool_name="probe-pool")`: linked to the pool's default queue
      const d = await deploy("probe-pool", { work_queue_name: null });
      assert.equal(d.work_queue_id, default_queue_id);
      assert.equal(d.work_queue_name, "default");
      assert.equal(d.work_pool_name, "probe-pool");
      const run = await runOf(d.id, { parameters: {} });
      assert.equal(run.work_queue_id, default_queue_id);
      assert.equal(run.work_pool_id, id);
      assert.equal(run.work_pool_name, "probe-pool");
      // the worker's poll: Prefect's shape (the run as its core `FlowRun`)
      const polled = await poll("probe-pool", {
        work_queue_names: [],
        scheduled_before: addSeconds(clock.nowIso(), 10).replace("T", " ").replace("Z", "+00:00"),
      });
      assert.deepEqual(ids(polled), [run.id]);
      assert.deepEqual(Object.keys(polled[0]), Object.keys(WORKER_RUN));
      assert.deepEqual(
        Object.keys(polled[0].flow_run).sort(),
        Object.keys(WORKER_RUN.flow_run).sort(),
      );
      assert.equal(polled[0].flow_run.state, null);
      assert.equal(polled[0].work_pool_id, id);
      assert.equal(polled[0].work_queue_id, default_queue_id);
      // polled: the queue and the deployment are READY
      const queue = await ok("GET", `/work_queues/${default_queue_id}`);
      assert.equal(queue.status, "READY");
      assert.ok(queue.last_polled);
      assert.equal((await ok("GET", `/deployments/${d.id}`)).status, "READY");
      assert.equal((await ok("GET", "/work_pools/probe-pool")).status, "NOT_READY");
    });

    it("speaks the worker channel: hello, ready with the pool READY, heartbeats", async () => {
      await pool("channel-pool");
      const socket = new WebSocket(
        `${base.replace(/^http/, "ws")}/api/work_pools/channel-pool/workers/connect`,
      );
      const frames: Json[] = [];
      let wake: (() => void) | null = null;
      socket.on("message", (data: Buffer) => {
        frames.push(JSON.parse(data.toString()));
        wake?.();
      });
      const next = async () => {
        while (frames.length === 0) await new Promise<void>((r) => (wake = r));
        return frames.shift();
      };
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      socket.send(JSON.stringify({ type: "auth", token: null }));
      assert.deepEqual(await next(), { type: "auth_success" });
      socket.send(JSON.stringify(HELLO));
      const ready = await next();
      const real = frameOf("worker.ready.v1");
      assert.equal(ready.type, "worker.ready.v1");
      assert.deepEqual(Object.keys(ready), Object.keys(real));
      assert.deepEqual(Object.keys(ready.payload), Object.keys(real.payload));
      assert.deepEqual(
        Object.keys(ready.payload.initial_snapshot.work_pool).sort(),
        Object.keys(real.payload.initial_snapshot.work_pool).sort(),
      );
      assert.equal(ready.payload.consumer_id, HELLO.payload.consumer_id);
      assert.equal(ready.payload.initial_snapshot.work_pool.status, "READY");
      assert.deepEqual(
        ready.payload.resolved_work_queues.map((q: Json) => q.name),
        ["default"],
      );
      const workers = await ok("POST", "/work_pools/channel-pool/workers/filter", {});
      assert.deepEqual(
        workers.map((w: Json) => [w.name, w.status, w.heartbeat_interval_seconds]),
        [["probe-worker", "ONLINE", 30]],
      );
      // a change of the pool is pushed as a snapshot
      await ok("PATCH", "/work_pools/channel-pool", { concurrency_limit: 3 });
      const snapshot = await next();
      assert.equal(snapshot.type, "work_pool.snapshot.v1");
      assert.equal(snapshot.payload.snapshot_sequence, 2);
      assert.equal(snapshot.payload.reason, "work_pool_updated");
      assert.equal(snapshot.payload.work_pool.concurrency_limit, 3);
      // a heartbeat frame moves the worker's beat on
      const before = workers[0].last_heartbeat_time;
      socket.send(JSON.stringify(frameOf("worker.heartbeat.v1")));
      let beat = before;
      while (beat === before) {
        beat = (await ok("POST", "/work_pools/channel-pool/workers/filter", {}))[0]
          .last_heartbeat_time;
      }
      // a frame of another worker breaks the protocol: closed with Prefect's reason
      const closed = new Promise<string>((resolve) =>
        socket.once("close", (code: number, reason: Buffer) => resolve(`${code} ${reason}`)),
      );
      socket.send(
        JSON.stringify({
          ...frameOf("worker.heartbeat.v1"),
          payload: { ...frameOf("worker.heartbeat.v1").payload, worker_name: "someone-else" },
        }),
      );
      assert.equal(await closed, "1008 protocol_error");
    });

    it("creates the pool a connecting worker asks for, and refuses unknown ones otherwise", async () => {
      const connect = async (poolName: string, payload: Record<string, unknown>) => {
        const socket = new WebSocket(
          `${base.replace(/^http/, "ws")}/api/work_pools/${poolName}/workers/connect`,
        );
        const frames: Json[] = [];
        const closed = new Promise<string>((resolve) =>
          socket.once("close", (code: number, reason: Buffer) => resolve(`${code} ${reason}`)),
        );
        socket.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString())));
        await new Promise((resolve) => socket.once("open", resolve));
        socket.send(JSON.stringify({ type: "auth", token: null }));
        socket.send(JSON.stringify({ ...HELLO, payload: { ...HELLO.payload, ...payload } }));
        while (frames.length < 2) {
          const done = await Promise.race([closed, new Promise((r) => setTimeout(r, 20, null))]);
          if (done) return { frames, closed: done };
        }
        socket.close();
        return { frames, closed: await closed };
      };
      const refused = await connect("nowhere", { create_pool_if_not_found: false });
      assert.equal(refused.closed, "1008 authorization_failed");
      const made = await connect("made-by-worker", {});
      assert.equal(made.frames[1].type, "worker.ready.v1");
      const p = await ok("GET", "/work_pools/made-by-worker");
      assert.equal(p.type, "process");
      assert.deepEqual(p.base_job_template, HELLO.payload.default_base_job_template);
      const reserved = await connect("prefect-pool", {});
      assert.equal(reserved.closed, "1008 authorization_failed");
    });

    it("keeps a worker ONLINE until it misses three heartbeats, and its pool READY meanwhile", async () => {
      await pool("beats");
      const beat = (body: Record<string, unknown>) =>
        call("POST", "/work_pools/beats/workers/heartbeat", body);
      assert.equal((await beat({ name: "w1", heartbeat_interval_seconds: 10 })).status, 204);
      assert.equal((await beat({ name: "w2" })).status, 204);
      const status = async () =>
        Object.fromEntries(
          (await ok("POST", "/work_pools/beats/workers/filter", {})).map((w: Json) => [
            w.name,
            w.status,
          ]),
        );
      assert.deepEqual(await status(), { w1: "ONLINE", w2: "ONLINE" });
      assert.equal((await ok("GET", "/work_pools/beats")).status, "READY");
      // w2 gave no interval: PREFECT_WORKER_HEARTBEAT_SECONDS (5) × 3
      clock.offsetSeconds += 16;
      assert.deepEqual(await status(), { w1: "ONLINE", w2: "OFFLINE" });
      const online = await ok("POST", "/work_pools/beats/workers/filter", {
        workers: { status: { any_: ["ONLINE"] } },
      });
      assert.deepEqual(
        online.map((w: Json) => w.name),
        ["w1"],
      );
      clock.offsetSeconds += 15;
      assert.deepEqual(await status(), { w1: "OFFLINE", w2: "OFFLINE" });
      assert.equal((await ok("GET", "/work_pools/beats")).status, "NOT_READY");
      // a beat brings it back; pausing wins over workers
      await beat({ name: "w1" });
      assert.equal((await ok("GET", "/work_pools/beats")).status, "READY");
      await ok("PATCH", "/work_pools/beats", { is_paused: true });
      assert.equal((await ok("GET", "/work_pools/beats")).status, "PAUSED");
      await ok("PATCH", "/work_pools/beats", { is_paused: false });
      assert.equal((await ok("GET", "/work_pools/beats")).status, "READY");
      assert.equal((await call("DELETE", "/work_pools/beats/workers/w2")).status, 204);
      assert.deepEqual(await call("DELETE", "/work_pools/beats/workers/w2"), {
        status: 404,
        body: { detail: "Worker not found." },
      });
      assert.deepEqual(await call("POST", "/work_pools/nope/workers/heartbeat", { name: "x" }), {
        status: 404,
        body: { detail: 'Work pool "nope" not found.' },
      });
      // a queue not polled for 60 s is NOT_READY again
      const q = (await ok("POST", "/work_pools/beats/queues/filter", {}))[0];
      await poll("beats");
      assert.equal((await ok("GET", `/work_queues/${q.id}`)).status, "READY");
      clock.offsetSeconds += 61;
      assert.equal((await ok("GET", `/work_queues/${q.id}`)).status, "NOT_READY");
    });

    it("offers runs by queue priority, within queue and pool limits, not from paused ones", async () => {
      await pool("prio");
      const high = await ok("POST", "/work_pools/prio/queues", { name: "high", priority: 1 });
      assert.equal(high.priority, 1);
      const queues = await ok("POST", "/work_pools/prio/queues/filter", {});
      assert.deepEqual(
        queues.map((q: Json) => [q.name, q.priority]),
        [
          ["high", 1],
          ["default", 2],
        ],
      );
      const d = await deploy("prio");
      const at = (seconds: number) => ({
        state: {
          type: "SCHEDULED",
          name: "Scheduled",
          state_details: { scheduled_time: addSeconds(clock.nowIso(), seconds) },
        },
      });
      const lowEarly = await runOf(d.id, at(-30));
      const lowLate = await runOf(d.id, at(-10));
      const highLate = await runOf(d.id, { ...at(-5), work_queue_name: "high" });
      const future = await runOf(d.id, { ...at(3600), work_queue_name: "high" });
      assert.equal(highLate.work_queue_id, high.id);
      const before = addSeconds(clock.nowIso(), 1);
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), [
        highLate.id,
        lowEarly.id,
        lowLate.id,
      ]);
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before, limit: 2 })), [
        highLate.id,
        lowEarly.id,
      ]);
      assert.deepEqual(
        ids(await poll("prio", { work_queue_names: ["default"], scheduled_before: before })),
        [lowEarly.id, lowLate.id],
      );
      assert.equal((await poll("prio")).length, 4, "without scheduled_before: every Scheduled run");
      assert.ok(ids(await poll("prio")).includes(future.id));
      assert.deepEqual(
        await call("POST", "/work_pools/prio/get_scheduled_flow_runs", {
          work_queue_names: ["nope"],
        }),
        { status: 404, body: { detail: "Work pool queue 'prio/nope' not found." } },
      );
      // a queue limit of 1 with a run Running there: nothing more from it
      await ok("PATCH", "/work_pools/prio/queues/default", { concurrency_limit: 1 });
      await setState(lowEarly.id, "RUNNING", "Running");
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), [highLate.id]);
      const defaultQueue = await ok("GET", "/work_pools/prio/queues/default");
      assert.equal(defaultQueue.active_slots, 1);
      // a pool limit of 2 with one Pending and one Running: nothing at all
      await ok("PATCH", "/work_pools/prio/queues/default", { concurrency_limit: null });
      await ok("PATCH", "/work_pools/prio", { concurrency_limit: 2 });
      await setState(highLate.id, "PENDING", "Pending");
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), []);
      assert.equal((await ok("GET", "/work_pools/prio")).active_slots, 2);
      await ok("PATCH", "/work_pools/prio", { concurrency_limit: 3 });
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), [lowLate.id]);
      // paused queue, paused pool
      await ok("PATCH", "/work_pools/prio/queues/default", { is_paused: true });
      assert.equal((await ok("GET", "/work_pools/prio/queues/default")).status, "PAUSED");
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), []);
      await ok("PATCH", "/work_pools/prio/queues/default", { is_paused: false });
      await ok("PATCH", "/work_pools/prio", { is_paused: true });
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), []);
      await ok("PATCH", "/work_pools/prio", { is_paused: false, concurrency_limit: null });
      assert.deepEqual(ids(await poll("prio", { scheduled_before: before })), [lowLate.id]);
      // a queue's runs by id (`/work_queues/{id}/get_runs`)
      const runs = await ok("POST", `/work_queues/${defaultQueue.id}/get_runs`, {
        scheduled_before: before,
      });
      assert.deepEqual(
        runs.map((r: Json) => r.id),
        [lowLate.id],
      );
    });

    it("keeps queue priorities 1, 2, 3… and refuses to delete the default queue", async () => {
      await pool("order");
      for (const name of ["a", "b", "c"]) await ok("POST", "/work_pools/order/queues", { name });
      await ok("PATCH", "/work_pools/order/queues/c", { priority: 1 });
      const names = async () =>
        (await ok("POST", "/work_pools/order/queues/filter", {})).map((q: Json) => [
          q.name,
          q.priority,
        ]);
      assert.deepEqual(await names(), [
        ["c", 1],
        ["default", 2],
        ["a", 3],
        ["b", 4],
      ]);
      assert.equal((await call("DELETE", "/work_pools/order/queues/a")).status, 204);
      assert.deepEqual(await names(), [
        ["c", 1],
        ["default", 2],
        ["b", 4],
      ]);
      const filtered = await ok("POST", "/work_pools/order/queues/filter", {
        work_queues: { name: { startswith_: ["de"] } },
      });
      assert.deepEqual(
        filtered.map((q: Json) => q.name),
        ["default"],
      );
      assert.deepEqual(await call("DELETE", "/work_pools/order/queues/default"), {
        status: 400,
        body: { detail: "Can't delete a pool's default queue." },
      });
      assert.equal((await call("POST", "/work_pools/order/queues", { name: "b" })).status, 409);
      assert.deepEqual(await call("GET", "/work_pools/order/queues/zzz"), {
        status: 404,
        body: { detail: "Work pool queue 'order/zzz' not found." },
      });
    });

    it("holds job variables to the pool's template: 422 naming the field", async () => {
      await pool("jobs");
      const flow = await flowNamed("jobs-flow");
      const bad = await call("POST", "/deployments/", {
        name: "bad",
        flow_id: flow.id,
        work_pool_name: "jobs",
        job_variables: { env: 1 },
      });
      assert.deepEqual(bad, {
        status: 422,
        body: {
          detail:
            "Error creating deployment: Validation failed for field 'env'. Failure reason: 1 is not of type 'object'",
        },
      });
      const d = await deploy("jobs", { job_variables: { env: { LOG: "1" } } });
      const patched = await call("PATCH", `/deployments/${d.id}`, {
        job_variables: { stream_output: "yes" },
      });
      assert.deepEqual(patched, {
        status: 422,
        body: {
          detail:
            "Error updating deployment: Validation failed for field 'stream_output'. Failure reason: 'yes' is not of type 'boolean'",
        },
      });
      const run = await call("POST", `/deployments/${d.id}/create_flow_run`, {
        job_variables: { working_dir: 3 },
      });
      assert.equal(run.status, 422);
      assert.match(
        run.body.detail,
        /^Error creating flow run: Validation failed for field 'working_dir'/,
      );
      // null for a variable with a default passes (Prefect's allow_none_with_default)
      await runOf(d.id, { job_variables: { command: null } });
      const unknown = await call("POST", "/deployments/", {
        name: "elsewhere",
        flow_id: flow.id,
        work_pool_name: "no-such-pool",
      });
      assert.deepEqual(unknown, {
        status: 404,
        body: { detail: 'Work pool "no-such-pool" not found.' },
      });
      // a queue named on a deployment is made in its pool
      const q = await deploy("jobs", { work_queue_name: "made-for-it" });
      const made = await ok("GET", "/work_pools/jobs/queues/made-for-it");
      assert.equal(q.work_queue_id, made.id);
    });

    it("refuses bad input in Prefect's words", async () => {
      assert.deepEqual(await call("POST", "/work_pools/", { name: "Prefect-managed" }), {
        status: 403,
        body: { detail: "Work pools starting with 'Prefect' are reserved for internal use." },
      });
      await pool("dup");
      assert.deepEqual(await call("POST", "/work_pools/", { name: "dup" }), {
        status: 409,
        body: { detail: "A work pool with this name already exists." },
      });
      const badDefault = await call("POST", "/work_pools/", {
        name: "bad-default",
        base_job_template: {
          job_configuration: {},
          variables: { type: "object", properties: { n: { type: "integer", default: "x" } } },
        },
      });
      assert.deepEqual(badDefault, {
        status: 422,
        body: {
          detail:
            "Validation failed for work pool's job variable defaults: Validation failed for field 'n'. Failure reason: 'x' is not of type 'integer'",
        },
      });
      assert.equal((await call("GET", "/work_pools/bad-default")).status, 404);
      for (const body of [
        { name: "" },
        { name: "x", concurrency_limit: -1 },
        { name: "x", unknown: 1 },
        { name: "x", base_job_template: [] },
      ]) {
        const res = await call("POST", "/work_pools/", body);
        assert.equal(res.status, 422, JSON.stringify(body));
        assert.equal(res.body.exception_message, "Invalid request received.");
      }
      assert.equal((await call("PATCH", "/work_pools/dup", { is_paused: "maybe" })).status, 422);
      assert.equal(
        (await call("POST", "/work_pools/dup/queues", { name: "q", priority: 0 })).status,
        422,
      );
      assert.equal((await call("PATCH", "/work_pools/nope", { is_paused: true })).status, 404);
      assert.equal((await call("DELETE", "/work_pools/nope")).status, 404);
      assert.equal(
        (await call("POST", "/work_pools/dup/get_scheduled_flow_runs", { limit: 201 })).status,
        422,
      );
      assert.equal((await call("GET", "/collections/views/nothing")).status, 404);
      assert.equal((await call("GET", "/work_queues/not-a-uuid")).status, 404);
      assert.deepEqual(await call("GET", "/work_queues/00000000-0000-4000-8000-000000000000"), {
        status: 404,
        body: { detail: "work queue not found" },
      });
    });

    it("lists, counts, filters and deletes pools", async () => {
      await pool("list-a");
      await pool("list-b", { type: "docker", base_job_template: {} });
      const all = await ok("POST", "/work_pools/filter", {});
      const names = all.map((p: Json) => p.name);
      assert.deepEqual(names, [...names].sort());
      const docker = await ok("POST", "/work_pools/filter", {
        work_pools: { type: { any_: ["docker"] } },
      });
      assert.deepEqual(
        docker.map((p: Json) => p.name),
        ["list-b"],
      );
      assert.equal(
        await ok("POST", "/work_pools/count", {
          work_pools: { name: { any_: ["list-a", "list-b"] } },
        }),
        2,
      );
      assert.equal((await ok("POST", "/work_pools/filter", { limit: 1, offset: 1 })).length, 1);
      const d = await deploy("list-a");
      assert.equal((await call("DELETE", "/work_pools/list-a")).status, 204);
      assert.equal((await call("GET", "/work_pools/list-a")).status, 404);
      const after = await ok("GET", `/deployments/${d.id}`);
      assert.equal(after.work_queue_id, null);
      assert.equal(after.work_pool_name, null);
    });

    it("serves /work_queues: the agent pool, by name, status", async () => {
      const q = await call("POST", "/work_queues/", { name: "legacy" });
      assert.equal(q.status, 201);
      assert.equal(q.body.work_pool_name, "default-agent-pool");
      assert.deepEqual(await ok("GET", "/work_queues/name/legacy"), q.body);
      assert.equal((await call("POST", "/work_queues/", { name: "legacy" })).status, 409);
      const agent = await ok("GET", "/work_pools/default-agent-pool");
      assert.equal(agent.type, "prefect-agent");
      assert.equal(agent.status, null);
      await ok("PATCH", `/work_queues/${q.body.id}`, { concurrency_limit: 4, description: "old" });
      const read = await ok("GET", `/work_queues/${q.body.id}`);
      assert.deepEqual(
        [read.concurrency_limit, read.description, read.active_slots],
        [4, "old", 0],
      );
      const status = await ok("GET", `/work_queues/${q.body.id}/status`);
      assert.deepEqual(status, {
        healthy: false,
        late_runs_count: 0,
        last_polled: null,
        health_check_policy: { maximum_late_runs: 0, maximum_seconds_since_last_polled: 60 },
      });
      // the UI's peek is not a poll; a worker's is
      await ok("POST", `/work_queues/${q.body.id}/get_runs`, {});
      assert.ok((await ok("GET", `/work_queues/${q.body.id}/status`)).healthy);
      const listed = await ok("POST", "/work_queues/filter", {
        work_queues: { name: { any_: ["legacy"] } },
      });
      assert.equal(listed.length, 1);
      assert.equal((await call("DELETE", `/work_queues/${q.body.id}`)).status, 204);
      assert.equal((await call("GET", `/work_queues/${q.body.id}`)).status, 404);
    });
  });
}

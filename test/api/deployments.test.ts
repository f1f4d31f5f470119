/**
 * Deployments through a real server on an ephemeral port, on both databases: the exchanges of
 * Prefect's client and CLI in the wire transcripts (serve-and-run, deploy-and-worker, schedules)
 * answered with Prefect's status and keys; upsert; parameters held to the deployment's schema (409
 * naming the field, no run created); schedules CRUD and bad input (422 naming the field, nothing
 * stored); what pausing, resuming and changing schedules do to the scheduled runs; filters; READY
 * while polled and NOT_READY 60 s after; late runs; deletion.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { scheduledRunIdempotencyKey } from "../../src/core/schedules/index.ts";
import { addSeconds, type Clock, nowIso } from "../../src/core/time.ts";
import { LateRuns } from "../../src/services/late-runs.ts";
import { Scheduler } from "../../src/services/scheduler.ts";
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

/** The keys of Prefect's `DeploymentResponse`, in its order (the transcripts). */
const DEPLOYMENT_KEYS = [
  "id",
  "created",
  "updated",
  "name",
  "version",
  "description",
  "flow_id",
  "paused",
  "schedules",
  "concurrency_limit",
  "global_concurrency_limit",
  "concurrency_options",
  "job_variables",
  "parameters",
  "tags",
  "labels",
  "work_queue_name",
  "work_queue_id",
  "last_polled",
  "parameter_openapi_schema",
  "path",
  "pull_steps",
  "entrypoint",
  "storage_document_id",
  "infrastructure_document_id",
  "created_by",
  "updated_by",
  "work_pool_name",
  "status",
  "enforce_parameter_schema",
];
const SCHEDULE_KEYS = [
  "id",
  "created",
  "updated",
  "deployment_id",
  "schedule",
  "active",
  "max_scheduled_runs",
  "parameters",
  "slug",
];

const SCHEMA = {
  title: "Parameters",
  type: "object",
  properties: {
    day: { title: "day", type: "string", position: 0 },
    full: { title: "full", type: "boolean", default: false, position: 1 },
  },
  required: ["day"],
};

for (const dialect of DIALECTS) {
  describe(`deployments over HTTP (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    const clock = new ShiftedClock();

    async function call(method: string, path: string, body?: unknown) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }
    const flowNamed = async (name: string) => (await call("POST", "/flows/", { name })).body;
    const deploy = async (body: Record<string, unknown>) => call("POST", "/deployments/", body);
    const runsOf = async (deploymentId: string, extra: Record<string, unknown> = {}) =>
      (
        await call("POST", "/flow_runs/filter", {
          flow_runs: { deployment_id: { any_: [deploymentId] }, ...extra },
          sort: "EXPECTED_START_TIME_ASC",
        })
      ).body as Json[];
    const scheduler = () => new Scheduler(app.core.ctx);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      const settings = loadSettings({
        PREFECT_HOME: tdb.home,
        // the loops are driven by the tests, one at a time
        PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
        PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
      });
      app = await createCheckedApp({ database: tdb.database, clock, settings });
      await app.listen({ port: 0, host: "127.0.0.1" });
      const address = app.server.address();
      assert.ok(address && typeof address === "object");
      base = `http://127.0.0.1:${address.port}`;
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("answers the serve-and-run transcript's exchanges as Prefect does", async () => {
      const missing = await call("GET", "/deployments/name/probe-served/probe-dep");
      assert.deepEqual(missing, { status: 404, body: { detail: "Deployment not found" } });
      const flow = await flowNamed("probe-served");
      const schema = {
        title: "Parameters",
        type: "object",
        properties: {
          name: { default: "world", position: 0, title: "name", type: "string" },
        },
      };
      // the request of Prefect's `flow.serve()`, as captured
      const created = await deploy({
        name: "probe-dep",
        flow_id: flow.id,
        paused: false,
        schedules: [],
        concurrency_limit: null,
        concurrency_options: null,
        enforce_parameter_schema: true,
        parameter_openapi_schema: schema,
        parameters: {},
        tags: [],
        labels: {},
        work_queue_name: null,
        storage_document_id: null,
        infrastructure_document_id: null,
        description: "None",
        path: ".",
        entrypoint: "served.py:served",
        job_variables: {},
        version: "54505cb898aafd12c1fbce64bcd9f613",
        version_info: { type: "prefect:simple", version: "54505cb898aafd12c1fbce64bcd9f613" },
      });
      assert.equal(created.status, 201);
      const d = created.body;
      assert.deepEqual(Object.keys(d), DEPLOYMENT_KEYS);
      assert.deepEqual(
        {
          labels: d.labels,
          status: d.status,
          last_polled: d.last_polled,
          pull_steps: d.pull_steps,
          work_queue_name: d.work_queue_name,
          created_by: d.created_by,
          concurrency_limit: d.concurrency_limit,
          enforce_parameter_schema: d.enforce_parameter_schema,
          description: d.description,
        },
        {
          labels: { "prefect.flow.id": flow.id },
          status: "NOT_READY",
          last_polled: null,
          pull_steps: [],
          work_queue_name: null,
          created_by: null,
          concurrency_limit: null,
          enforce_parameter_schema: true,
          description: "None",
        },
      );
      // the runner's poll (a space between date and time, as it sends it): none yet; READY after
      const poll = await call("POST", "/deployments/get_scheduled_flow_runs", {
        deployment_ids: [d.id],
        scheduled_before: "2026-11-22 02:01:05.010201+00:00",
      });
      assert.deepEqual(poll, { status: 200, body: [] });
      const read = (await call("GET", "/deployments/name/probe-served/probe-dep")).body;
      assert.equal(read.status, "READY");
      assert.ok(read.last_polled);
      // `prefect deployment run --param name=probe`
      const scheduledTime = nowIso();
      const run = await call("POST", `/deployments/${d.id}/create_flow_run`, {
        state: {
          type: "SCHEDULED",
          name: "Scheduled",
          message: null,
          state_details: { scheduled_time: scheduledTime, traceparent: null },
          data: null,
        },
        name: null,
        parameters: { name: "probe" },
        context: {},
        tags: [],
        idempotency_key: null,
        parent_task_run_id: null,
        job_variables: {},
        labels: {},
      });
      assert.equal(run.status, 201);
      assert.deepEqual(
        {
          deployment_id: run.body.deployment_id,
          deployment_version: run.body.deployment_version,
          parameters: run.body.parameters,
          labels: run.body.labels,
          state_type: run.body.state_type,
          expected_start_time: run.body.expected_start_time,
          auto_scheduled: run.body.auto_scheduled,
        },
        {
          deployment_id: d.id,
          deployment_version: "54505cb898aafd12c1fbce64bcd9f613",
          parameters: { name: "probe" },
          labels: { "prefect.flow.id": flow.id, "prefect.deployment.id": d.id },
          state_type: "SCHEDULED",
          expected_start_time: scheduledTime,
          auto_scheduled: false,
        },
      );
      const due = await call("POST", "/deployments/get_scheduled_flow_runs", {
        deployment_ids: [d.id],
        scheduled_before: addSeconds(nowIso(), 10),
      });
      assert.deepEqual(
        due.body.map((r: Json) => r.id),
        [run.body.id],
      );
      // the runner pauses what it served on shutdown
      assert.equal((await call("PATCH", `/deployments/${d.id}`, { paused: true })).status, 204);
      assert.equal((await call("GET", `/deployments/${d.id}`)).body.paused, true);
    });

    it("answers the deploy-and-worker transcript's create and listing, and upserts", async () => {
      // `prefect work-pool create probe-pool --type process` came first
      assert.equal(
        (await call("POST", "/work_pools/", { name: "probe-pool", type: "process" })).status,
        201,
      );
      const flow = await flowNamed("probe-flow");
      const body = {
        name: "probe-dep",
        flow_id: flow.id,
        paused: false,
        schedules: [
          {
            schedule: { cron: "0 3 * * *", timezone: null, day_or: true },
            active: true,
            max_scheduled_runs: null,
            parameters: {},
            slug: null,
            replaces: null,
          },
        ],
        concurrency_limit: null,
        concurrency_options: null,
        enforce_parameter_schema: true,
        parameter_openapi_schema: {
          title: "Parameters",
          type: "object",
          properties: { n: { default: 1, position: 0, title: "n", type: "integer" } },
        },
        parameters: { n: 2 },
        tags: [],
        labels: {},
        pull_steps: [
          { "prefect.deployments.steps.set_working_directory": { directory: "/home/user/probe" } },
        ],
        work_queue_name: null,
        work_pool_name: "probe-pool",
        storage_document_id: null,
        infrastructure_document_id: null,
        description: "None",
        path: null,
        entrypoint: "flows.py:probe_flow",
        job_variables: {},
        version: "4cc5151c5a21418c867a228925755e65",
        version_info: { type: "prefect:simple", version: "4cc5151c5a21418c867a228925755e65" },
      };
      const created = await deploy(body);
      assert.equal(created.status, 201);
      assert.equal(created.body.work_pool_name, "probe-pool");
      assert.equal(created.body.work_queue_name, "default");
      assert.equal(created.body.schedules.length, 1);
      assert.deepEqual(Object.keys(created.body.schedules[0]), SCHEDULE_KEYS);
      assert.deepEqual(created.body.schedules[0].schedule, {
        cron: "0 3 * * *",
        timezone: null,
        day_or: true,
      });
      // `prefect deployment ls`: the Python client's body, nulls for defaults
      const listed = await call("POST", "/deployments/filter", {
        flows: null,
        flow_runs: null,
        task_runs: null,
        deployments: null,
        work_pools: null,
        work_pool_queues: null,
        limit: null,
        offset: 0,
        sort: null,
      });
      assert.equal(listed.status, 200);
      assert.ok(listed.body.some((x: Json) => x.id === created.body.id));
      // deploying again updates the same deployment (200), replacing its schedules
      const again = await deploy({ ...body, schedules: [], version: "v2" });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, created.body.id);
      assert.equal(again.body.created, created.body.created);
      assert.equal(again.body.version, "v2");
      assert.deepEqual(again.body.schedules, []);
      // a flow run of the deployment from the worker's transcript: work queue and pool names
      const run = await call("POST", `/deployments/${created.body.id}/create_flow_run`, {
        parameters: { n: 3 },
      });
      assert.equal(run.status, 201);
      assert.equal(run.body.work_queue_name, "default");
      assert.equal(run.body.work_pool_name, "probe-pool");
      assert.deepEqual(run.body.parameters, { n: 3 });
    });

    it("holds run parameters to the schema: 409 naming the field, and no run", async () => {
      const flow = await flowNamed("etl");
      const d = (
        await deploy({
          name: "nightly",
          flow_id: flow.id,
          parameter_openapi_schema: SCHEMA,
          parameters: { full: true },
          tags: ["prod"],
        })
      ).body;
      const before = (await runsOf(d.id)).length;
      const bad = await call("POST", `/deployments/${d.id}/create_flow_run`, {
        parameters: { day: 5 },
      });
      assert.deepEqual(bad, {
        status: 409,
        body: {
          detail:
            "Error creating flow run: Validation failed for field 'day'. Failure reason: 5 is not of type 'string'",
        },
      });
      const missing = await call("POST", `/deployments/${d.id}/create_flow_run`, {});
      assert.deepEqual(missing, {
        status: 409,
        body: {
          detail:
            "Error creating flow run: Validation failed. Failure reason: 'day' is a required property",
        },
      });
      assert.equal((await runsOf(d.id)).length, before);
      // parameters merged over the deployment's defaults; tags joined
      const ok = await call("POST", `/deployments/${d.id}/create_flow_run`, {
        parameters: { day: "2026-12-01" },
        tags: ["manual"],
      });
      assert.equal(ok.status, 201);
      assert.deepEqual(ok.body.parameters, { full: true, day: "2026-12-01" });
      assert.deepEqual(ok.body.tags, ["prod", "manual"]);
      // the run may turn enforcement off, as the deployment may
      const loose = await call("POST", `/deployments/${d.id}/create_flow_run`, {
        parameters: { day: 5 },
        enforce_parameter_schema: false,
      });
      assert.equal(loose.status, 201);
      // PATCH checks new defaults too (required ones aside)
      const patch = await call("PATCH", `/deployments/${d.id}`, { parameters: { full: "yes" } });
      assert.equal(patch.status, 409);
      assert.match(
        patch.body.detail,
        /^Error updating deployment: Validation failed for field 'full'/,
      );
      // a deployment without a schema cannot enforce one
      const bare = (await deploy({ name: "bare", flow_id: flow.id })).body;
      const refused = await call("POST", `/deployments/${bare.id}/create_flow_run`, {});
      assert.equal(refused.status, 409);
      const unknown = await call(
        "POST",
        "/deployments/00000000-0000-4000-8000-000000000000/create_flow_run",
        {},
      );
      assert.deepEqual(unknown, { status: 404, body: { detail: "Deployment not found" } });
    });

    it("schedules: create, read, update, delete; bad cron, rrule or zone → 422 naming it", async () => {
      const flow = await flowNamed("sched");
      const d = (await deploy({ name: "d", flow_id: flow.id })).body;
      const path = `/deployments/${d.id}/schedules`;
      for (const [schedule, loc, pattern] of [
        [{ cron: "61 * * * *" }, "cron", /Invalid cron string/],
        [{ rrule: "FREQ=SOMETIMES" }, "rrule", /.+/],
        [{ interval: 600, timezone: "Mars/Olympus" }, "timezone", /Invalid timezone/],
        [{ interval: -5 }, "interval", /greater than 0/],
      ] as const) {
        const refused = await call("POST", path, [{ schedule }]);
        assert.equal(refused.status, 422, JSON.stringify(schedule));
        const detail = refused.body.exception_detail[0];
        assert.deepEqual(detail.loc, ["body", 0, "schedule", loc]);
        assert.match(detail.msg, pattern);
      }
      assert.deepEqual((await call("GET", path)).body, []);
      // `prefect deployment schedule create --interval 600`, as captured
      const anchor = "2026-12-07T02:39:43.548886Z";
      const created = await call("POST", path, [
        {
          schedule: { interval: 600, anchor_date: anchor, timezone: "UTC" },
          active: true,
          max_scheduled_runs: null,
          parameters: {},
          slug: null,
          replaces: null,
        },
      ]);
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body[0]), SCHEDULE_KEYS);
      assert.deepEqual(created.body[0].schedule, {
        interval: 600,
        anchor_date: anchor,
        timezone: "UTC",
      });
      const id = created.body[0].id;
      assert.equal((await call("PATCH", `${path}/${id}`, { active: false })).status, 204);
      assert.equal((await call("GET", path)).body[0].active, false);
      const badPatch = await call("PATCH", `${path}/${id}`, { schedule: { cron: "nope" } });
      assert.equal(badPatch.status, 422);
      assert.equal((await call("GET", path)).body[0].active, false);
      // slugs are unique within a deployment
      await call("POST", path, [{ schedule: { cron: "0 * * * *" }, slug: "hourly" }]);
      const twice = await call("POST", path, [{ schedule: { cron: "5 * * * *" }, slug: "hourly" }]);
      assert.deepEqual(twice, {
        status: 409,
        body: { detail: "Schedule slugs must be unique within a deployment." },
      });
      const tooMany = await call("POST", path, [
        { schedule: { cron: "0 * * * *" }, max_scheduled_runs: 51 },
      ]);
      assert.equal(tooMany.status, 422);
      assert.equal((await call("DELETE", `${path}/${id}`)).status, 204);
      assert.deepEqual(await call("DELETE", `${path}/${id}`), {
        status: 404,
        body: { detail: "Schedule not found." },
      });
      assert.deepEqual((await call("GET", path)).body.length, 1);
    });

    it("the scheduler makes Prefect's runs; pausing, schedule changes and resuming redo them", async () => {
      const flow = await flowNamed("scheduled-flow");
      const d = (
        await deploy({
          name: "every-ten",
          flow_id: flow.id,
          parameters: { a: 1, b: 1 },
          tags: ["prod"],
          enforce_parameter_schema: false,
          schedules: [{ schedule: { interval: 600 }, parameters: { b: 2 } }],
        })
      ).body;
      const result = await scheduler().runOnce();
      assert.ok(result && result.runsCreated >= 7);
      const runs = await runsOf(d.id);
      // a 10-minute interval: until an hour ahead (7 runs)
      assert.equal(runs.length, 7);
      const schedule = d.schedules[0];
      const first = runs[0];
      assert.equal(
        first.idempotency_key,
        scheduledRunIdempotencyKey(d.id, schedule.id, schedule.schedule, first.expected_start_time),
      );
      assert.deepEqual(
        {
          tags: first.tags,
          auto_scheduled: first.auto_scheduled,
          parameters: first.parameters,
          created_by: first.created_by,
          state_name: first.state.name,
          message: first.state.message,
        },
        {
          tags: ["auto-scheduled", "prod"],
          auto_scheduled: true,
          parameters: { a: 1, b: 2 },
          created_by: { id: schedule.id, type: "SCHEDULE", display_value: "IntervalSchedule" },
          state_name: "Scheduled",
          message: "Flow run scheduled",
        },
      );
      // another loop makes none
      await scheduler().runOnce();
      assert.equal((await runsOf(d.id)).length, 7);
      // pausing deletes them; the scheduler leaves a paused deployment alone
      assert.deepEqual(await call("POST", `/deployments/${d.id}/pause_deployment`), {
        status: 200,
        body: null,
      });
      assert.equal((await runsOf(d.id)).length, 0);
      await scheduler().runOnce();
      assert.equal((await runsOf(d.id)).length, 0);
      await call("POST", `/deployments/${d.id}/resume_deployment`);
      await scheduler().runOnce();
      assert.equal((await runsOf(d.id)).length, 7);
      // changing the schedule replaces the runs not started; a run in progress stays
      const manual = (
        await call("POST", `/deployments/${d.id}/create_flow_run`, { parameters: {} })
      ).body;
      await call("PATCH", `/deployments/${d.id}/schedules/${schedule.id}`, {
        schedule: { cron: "0 3 * * *" },
      });
      assert.deepEqual(
        (await runsOf(d.id)).map((r) => r.id),
        [manual.id],
      );
      await scheduler().runOnce();
      const daily = (await runsOf(d.id, { auto_scheduled: undefined })).filter(
        (r) => r.auto_scheduled,
      );
      assert.equal(daily.length, 3);
      assert.ok(daily.every((r) => r.expected_start_time.slice(11, 19) === "03:00:00"));
      // deleting the schedule deletes them too
      await call("DELETE", `/deployments/${d.id}/schedules/${schedule.id}`);
      assert.deepEqual(
        (await runsOf(d.id)).map((r) => r.id),
        [manual.id],
      );
    });

    it("filters deployments, and flow runs by their deployment", async () => {
      const flow = await flowNamed("filters-flow");
      const a = (
        await deploy({
          name: "alpha",
          flow_id: flow.id,
          tags: ["x", "y"],
          enforce_parameter_schema: false,
        })
      ).body;
      const b = (await deploy({ name: "beta", flow_id: flow.id, paused: true })).body;
      const ids = async (body: Record<string, unknown>) =>
        ((await call("POST", "/deployments/filter", body)).body as Json[]).map((x) => x.id);
      assert.deepEqual(await ids({ deployments: { name: { any_: ["alpha", "beta"] } } }), [
        a.id,
        b.id,
      ]);
      assert.deepEqual(
        await ids({ deployments: { name: { any_: ["alpha", "beta"] } }, sort: "NAME_DESC" }),
        [b.id, a.id],
      );
      assert.deepEqual(await ids({ deployments: { tags: { all_: ["x", "y"] } } }), [a.id]);
      assert.deepEqual(
        await ids({ deployments: { paused: { eq_: true }, id: { any_: [a.id, b.id] } } }),
        [b.id],
      );
      assert.deepEqual(
        await ids({ deployments: { flow_or_deployment_name: { like_: "FILTERS-fl" } } }),
        [a.id, b.id],
      );
      assert.deepEqual(await ids({ flows: { name: { any_: ["filters-flow"] } } }), [a.id, b.id]);
      const count = await call("POST", "/deployments/count", {
        flows: { name: { any_: ["filters-flow"] } },
      });
      assert.deepEqual(count, { status: 200, body: 2 });
      const page = await call("POST", "/deployments/paginate", {
        flows: { name: { any_: ["filters-flow"] } },
        limit: 1,
        page: 2,
      });
      assert.deepEqual(
        { ...page.body, results: page.body.results.map((x: Json) => x.id) },
        { results: [b.id], count: 2, limit: 1, pages: 2, page: 2 },
      );
      const run = (await call("POST", `/deployments/${a.id}/create_flow_run`, {})).body;
      const byDeployment = await call("POST", "/flow_runs/filter", {
        deployments: { name: { any_: ["alpha"] } },
        flows: { name: { any_: ["filters-flow"] } },
      });
      assert.deepEqual(
        byDeployment.body.map((r: Json) => r.id),
        [run.id],
      );
      const lonely = await flowNamed("lonely-flow");
      assert.deepEqual(
        (
          await call("POST", "/ui/flows/count-deployments", {
            flow_ids: [flow.id, lonely.id],
          })
        ).body,
        { [flow.id]: 2, [lonely.id]: 0 },
      );
      const flowNames = async (isNull: boolean) =>
        (
          await call("POST", "/flows/filter", {
            flows: {
              deployment: { is_null_: isNull },
              name: { any_: ["filters-flow", "lonely-flow"] },
            },
          })
        ).body.map((f: Json) => f.name);
      assert.deepEqual(await flowNames(false), ["filters-flow"]);
      assert.deepEqual(await flowNames(true), ["lonely-flow"]);
    });

    it("is READY while polled, NOT_READY 60 s after the last poll", async () => {
      const flow = await flowNamed("polled");
      const d = (await deploy({ name: "p", flow_id: flow.id })).body;
      await call("POST", "/deployments/get_scheduled_flow_runs", { deployment_ids: [d.id] });
      assert.equal((await call("GET", `/deployments/${d.id}`)).body.status, "READY");
      clock.offsetSeconds = 59;
      assert.equal((await call("GET", `/deployments/${d.id}`)).body.status, "READY");
      clock.offsetSeconds = 61;
      try {
        assert.equal((await call("GET", `/deployments/${d.id}`)).body.status, "NOT_READY");
      } finally {
        clock.offsetSeconds = 0;
      }
      assert.deepEqual(await call("GET", `/deployments/${d.id}/work_queue_check`), {
        status: 200,
        body: [],
      });
    });

    it("marks runs Late 15 s past their time, through Prefect's late-runs policy", async () => {
      const flow = await flowNamed("late-flow");
      const d = (await deploy({ name: "l", flow_id: flow.id, enforce_parameter_schema: false }))
        .body;
      const due = (await call("POST", `/deployments/${d.id}/create_flow_run`, {})).body;
      const later = (
        await call("POST", `/deployments/${d.id}/create_flow_run`, {
          state: {
            type: "SCHEDULED",
            state_details: { scheduled_time: addSeconds(nowIso(), 3600) },
          },
        })
      ).body;
      const lateRuns = new LateRuns(app.core.ctx);
      clock.offsetSeconds = 10;
      assert.ok(!(await lateRuns.runOnce())?.includes(due.id));
      clock.offsetSeconds = 20;
      try {
        const marked = await lateRuns.runOnce();
        assert.ok(marked?.includes(due.id));
        assert.ok(!marked?.includes(later.id));
      } finally {
        clock.offsetSeconds = 0;
      }
      const run = (await call("GET", `/flow_runs/${due.id}`)).body;
      assert.deepEqual([run.state_type, run.state_name], ["SCHEDULED", "Late"]);
      assert.equal(run.state.state_details.scheduled_time, due.expected_start_time);
    });

    it("deletes a deployment with its runs not started; its other runs stay", async () => {
      const flow = await flowNamed("doomed");
      const d = (await deploy({ name: "x", flow_id: flow.id, enforce_parameter_schema: false }))
        .body;
      const scheduled = (await call("POST", `/deployments/${d.id}/create_flow_run`, {})).body;
      const started = (
        await call("POST", `/deployments/${d.id}/create_flow_run`, {
          state: { type: "RUNNING" },
        })
      ).body;
      assert.equal((await call("DELETE", `/deployments/${d.id}`)).status, 204);
      assert.deepEqual(await call("GET", `/deployments/${d.id}`), {
        status: 404,
        body: { detail: "Deployment not found" },
      });
      assert.equal((await call("GET", `/flow_runs/${scheduled.id}`)).status, 404);
      const kept = (await call("GET", `/flow_runs/${started.id}`)).body;
      assert.equal(kept.deployment_id, null);
      assert.deepEqual(await call("DELETE", `/deployments/${d.id}`), {
        status: 404,
        body: { detail: "Deployment not found" },
      });
      assert.equal(
        (await call("POST", "/deployments/", { name: "orphan", flow_id: d.id })).status,
        404,
      );
    });
  });
}

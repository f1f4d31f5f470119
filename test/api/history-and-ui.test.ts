import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { assertDocumentedResponse } from "../helpers/responses.ts";

interface HistoryState {
  state_type: string;
  state_name: string;
  count_runs: number;
  sum_estimated_run_time: number;
  sum_estimated_lateness: number;
}
interface History {
  interval_start: string;
  interval_end: string;
  states: HistoryState[];
}

/** b − a in seconds, to the millisecond. */
const seconds = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 1000;
/** Counts per interval as `type/name×n`. */
const shape = (history: History[]) =>
  history.map((h) => h.states.map((s) => `${s.state_type}/${s.state_name}×${s.count_runs}`));

for (const dialect of DIALECTS) {
  describe(`${dialect}: history and UI routes`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    const request = async (method: "GET" | "POST", url: string, payload?: unknown) => {
      const res = await app.inject({ method, url: `/api${url}`, payload: payload as object });
      return { status: res.statusCode, body: res.body ? res.json() : null };
    };
    const post = (url: string, payload?: unknown) => request("POST", url, payload);
    const run: Record<string, string> = {};
    const task: Record<string, string> = {};
    let histFlow = "";
    let otherFlow = "";
    let idleFlow = "";

    const scheduled = (at: string, name?: string) => ({
      type: "SCHEDULED",
      ...(name ? { name } : {}),
      state_details: { scheduled_time: at },
    });
    const flowRun = async (key: string, flowId: string, state: object) => {
      const res = await post("/flow_runs/", { flow_id: flowId, name: `run-${key}`, state });
      assert.equal(res.status, 201);
      run[key] = res.body.id;
      return res.body.id as string;
    };
    // forced: a run scheduled in the future would be told to wait
    const setFlowRunState = async (id: string, type: string) =>
      assert.equal(
        (await post(`/flow_runs/${id}/set_state`, { state: { type }, force: true })).status,
        201,
      );
    const taskRun = async (key: string, flowRunId: string, state: object) => {
      const res = await post("/task_runs/", {
        flow_run_id: flowRunId,
        task_key: `task-${key}`,
        dynamic_key: "0",
        state,
      });
      assert.equal(res.status, 201);
      task[key] = res.body.id;
      return res.body.id as string;
    };

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      histFlow = (await post("/flows/", { name: "hist" })).body.id;
      otherFlow = (await post("/flows/", { name: "other" })).body.id;
      idleFlow = (await post("/flows/", { name: "idle" })).body.id;
      // 2030-01-01, hours 0..2: a, b in the first hour, c on the 01:00 boundary, d in the third
      await flowRun("a", histFlow, scheduled("2030-01-01T00:10:00Z"));
      await flowRun("b", histFlow, scheduled("2030-01-01T00:20:00Z"));
      await flowRun("c", histFlow, scheduled("2030-01-01T01:00:00Z", "Late"));
      const d = await flowRun("d", histFlow, scheduled("2030-01-01T02:30:00Z"));
      for (const type of ["PENDING", "RUNNING", "COMPLETED"]) await setFlowRunState(d, type);
      await flowRun("e", histFlow, scheduled("2030-01-01T03:00:00Z")); // == history_end: outside
      await flowRun("f", otherFlow, scheduled("2030-01-01T00:30:00Z"));
      // a run that started late and is still running
      const g = await flowRun("g", histFlow, scheduled("2020-01-01T00:00:30Z"));
      for (const type of ["PENDING", "RUNNING"]) await setFlowRunState(g, type);

      await taskRun("a1", run.a as string, scheduled("2030-01-01T00:05:00Z"));
      await taskRun("a2", run.a as string, scheduled("2030-01-01T01:05:00Z", "AwaitingRetry"));
      // b's only task run is the placeholder of a subflow run
      const parent = await taskRun("b1", run.b as string, { type: "PENDING" });
      const child = await post("/flow_runs/", {
        flow_id: histFlow,
        name: "child",
        parent_task_run_id: parent,
      });
      assert.equal(child.status, 201);
      // task runs that ran now: two completed, one failed
      for (const [key, final] of [
        ["d1", "COMPLETED"],
        ["d2", "COMPLETED"],
        ["d3", "FAILED"],
      ] as const) {
        const id = await taskRun(key, run.d as string, { type: "PENDING" });
        for (const type of ["RUNNING", final]) {
          const res = await post(`/task_runs/${id}/set_state`, { state: { type }, force: true });
          assert.equal(res.status, 201);
        }
      }
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    const window = {
      history_start: "2030-01-01T00:00:00Z",
      history_end: "2030-01-01T03:00:00Z",
      history_interval_seconds: 3600,
    };

    it("counts flow runs per interval and state by expected start time", async () => {
      const res = await post("/flow_runs/history", window);
      assert.equal(res.status, 200);
      assertDocumentedResponse(app, "POST /api/flow_runs/history", 200, res.body);
      const history = res.body as History[];
      assert.deepEqual(
        history.map((h) => [h.interval_start, h.interval_end]),
        [
          ["2030-01-01T00:00:00.000000Z", "2030-01-01T01:00:00.000000Z"],
          ["2030-01-01T01:00:00.000000Z", "2030-01-01T02:00:00.000000Z"],
          ["2030-01-01T02:00:00.000000Z", "2030-01-01T03:00:00.000000Z"],
        ],
      );
      assert.deepEqual(shape(history), [
        ["SCHEDULED/Scheduled×3"],
        ["SCHEDULED/Late×1"],
        ["COMPLETED/Completed×1"],
      ]);
      // runs expected in the future are not late; d's run time is its total run time
      const d = (await request("GET", `/flow_runs/${run.d}`)).body;
      const completed = history[2]?.states[0];
      assert.equal(completed?.sum_estimated_lateness, 0);
      assert.ok(
        Math.abs((completed?.sum_estimated_run_time ?? -1) - d.total_run_time) < 1e-6,
        "run time",
      );
      assert.equal(history[0]?.states[0]?.sum_estimated_run_time, 0);
    });

    it("applies the filters, an ISO interval, and sums lateness and the running stretch", async () => {
      const hist = await post("/flow_runs/history", {
        ...window,
        history_interval_seconds: "PT1H",
        flows: { name: { any_: ["hist"] } },
        flow_runs: { state: { type: { any_: ["SCHEDULED"] } } },
      });
      assert.equal(hist.status, 200);
      assert.deepEqual(shape(hist.body), [["SCHEDULED/Scheduled×2"], ["SCHEDULED/Late×1"], []]);

      const late = await post("/flow_runs/history", {
        history_start: "2020-01-01T00:00:00Z",
        history_end: "2020-01-01T00:01:00Z",
        history_interval_seconds: 60,
      });
      assert.deepEqual(shape(late.body), [["RUNNING/Running×1"]]);
      const g = (await request("GET", `/flow_runs/${run.g}`)).body;
      const state = late.body[0].states[0] as HistoryState;
      assert.ok(
        Math.abs(state.sum_estimated_lateness - seconds(g.expected_start_time, g.start_time)) <
          1e-3,
        "lateness",
      );
      assert.ok(state.sum_estimated_run_time > 0 && state.sum_estimated_run_time < 60, "run time");
    });

    it("counts task runs per interval and state", async () => {
      const res = await post("/task_runs/history", {
        ...window,
        flow_runs: { id: { any_: [run.a] } },
      });
      assert.equal(res.status, 200);
      assertDocumentedResponse(app, "POST /api/task_runs/history", 200, res.body);
      assert.deepEqual(shape(res.body), [
        ["SCHEDULED/Scheduled×1"],
        ["SCHEDULED/AwaitingRetry×1"],
        [],
      ]);
      const all = await post("/task_runs/history", window);
      assert.deepEqual(shape(all.body), [
        ["SCHEDULED/Scheduled×1"],
        ["SCHEDULED/AwaitingRetry×1"],
        [],
      ]);
    });

    it("answers 422 for bad bodies, short intervals and too many intervals", async () => {
      assert.equal((await post("/flow_runs/history", {})).status, 422);
      assert.equal(
        (await post("/flow_runs/history", { ...window, history_interval_seconds: "soon" })).status,
        422,
      );
      assert.equal(
        (await post("/task_runs/history", { ...window, history_start: "yesterday" })).status,
        422,
      );
      assert.equal(
        (await post("/flow_runs/history", { ...window, flow_runs: { nope: {} } })).status,
        422,
      );
      const short = await post("/flow_runs/history", { ...window, history_interval_seconds: 0.5 });
      assert.deepEqual(short, {
        status: 422,
        body: { detail: "History interval must not be less than 1 second." },
      });
      const day = { history_start: "2030-01-01T00:00:00Z", history_end: "2030-01-02T00:00:00Z" };
      const tooMany = await post("/task_runs/history", { ...day, history_interval_seconds: 60 });
      assert.equal(tooMany.status, 422);
      assert.match(tooMany.body.detail, /500 intervals/);
      const most = await post("/flow_runs/history", {
        ...day,
        history_interval_seconds: 86_400 / 500,
      });
      assert.equal(most.status, 200);
      assert.equal(most.body.length, 500);
      const none = await post("/flow_runs/history", {
        ...window,
        history_end: window.history_start,
      });
      assert.deepEqual(none.body, []);
    });

    it("serves the UI's flow helpers", async () => {
      const deployments = await post("/ui/flows/count-deployments", {
        flow_ids: [histFlow, otherFlow],
      });
      assert.deepEqual(deployments.body, { [histFlow]: 0, [otherFlow]: 0 });
      assertDocumentedResponse(app, "POST /api/ui/flows/count-deployments", 200, deployments.body);
      const next = await post("/ui/flows/next-runs", { flow_ids: [histFlow, idleFlow] });
      assert.equal(next.status, 200);
      assert.deepEqual(next.body, {
        [histFlow]: {
          id: run.a,
          flow_id: histFlow,
          name: "run-a",
          state_name: "Scheduled",
          state_type: "SCHEDULED",
          next_scheduled_start_time: "2030-01-01T00:10:00.000000Z",
        },
        [idleFlow]: null,
      });
      assertDocumentedResponse(app, "POST /api/ui/flows/next-runs", 200, next.body);
      assert.equal((await post("/ui/flows/next-runs", { flow_ids: ["nope"] })).status, 422);
    });

    it("serves the UI's flow-run helpers", async () => {
      const counts = await post("/ui/flow_runs/count-task-runs", {
        flow_run_ids: [run.a, run.b, run.d, run.f],
      });
      assert.deepEqual(counts.body, {
        [run.a as string]: 2,
        [run.b as string]: 0,
        [run.d as string]: 3,
        [run.f as string]: 0,
      });
      assertDocumentedResponse(app, "POST /api/ui/flow_runs/count-task-runs", 200, counts.body);
      assert.equal((await post("/ui/flow_runs/count-task-runs", {})).status, 422);
      const tooMany = Array.from({ length: 201 }, () => run.a);
      assert.equal(
        (await post("/ui/flow_runs/count-task-runs", { flow_run_ids: tooMany })).status,
        422,
      );

      const history = await post("/ui/flow_runs/history", {
        flows: { name: { any_: ["hist"] } },
        flow_runs: { parent_task_run_id: { is_null_: true } },
        sort: "EXPECTED_START_TIME_ASC",
      });
      assert.equal(history.status, 200);
      assertDocumentedResponse(app, "POST /api/ui/flow_runs/history", 200, history.body);
      assert.deepEqual(
        history.body.map((r: { id: string; state_type: string }) => [r.id, r.state_type]),
        [
          [run.g, "RUNNING"],
          [run.a, "SCHEDULED"],
          [run.b, "SCHEDULED"],
          [run.c, "SCHEDULED"],
          [run.d, "COMPLETED"],
          [run.e, "SCHEDULED"],
        ],
      );
      const a = history.body[1];
      assert.deepEqual(a, {
        id: run.a,
        state_type: "SCHEDULED",
        timestamp: "2030-01-01T00:10:00.000000Z",
        duration: 0,
        lateness: 0,
      });
      const g = (await request("GET", `/flow_runs/${run.g}`)).body;
      assert.equal(history.body[0].timestamp, g.start_time);
      assert.ok(
        Math.abs(history.body[0].lateness - seconds(g.expected_start_time, g.start_time)) < 1e-3,
        "lateness",
      );
      assert.equal((await post("/ui/flow_runs/history", { limit: 1001 })).status, 422);
    });

    it("serves the UI's task-run helpers", async () => {
      const counts = await post("/ui/task_runs/count", {});
      assert.deepEqual(counts.body, {
        COMPLETED: 2,
        PENDING: 1,
        RUNNING: 0,
        FAILED: 1,
        CANCELLED: 0,
        CRASHED: 0,
        PAUSED: 0,
        CANCELLING: 0,
        SCHEDULED: 2,
      });
      assertDocumentedResponse(app, "POST /api/ui/task_runs/count", 200, counts.body);
      const ofA = await post("/ui/task_runs/count", { flow_runs: { id: { any_: [run.a] } } });
      assert.equal(ofA.body.SCHEDULED, 2);
      assert.equal(ofA.body.COMPLETED, 0);

      const now = Date.now();
      const dashboard = await post("/ui/task_runs/dashboard/counts", {
        task_runs: {
          start_time: {
            after_: new Date(now - 10 * 60_000).toISOString(),
            before_: new Date(now + 60_000).toISOString(),
          },
        },
      });
      assert.equal(dashboard.status, 200);
      assert.equal(dashboard.body.length, 20);
      assertDocumentedResponse(app, "POST /api/ui/task_runs/dashboard/counts", 200, dashboard.body);
      const sum = (k: "completed" | "failed") =>
        dashboard.body.reduce((n: number, b: Record<string, number>) => n + (b[k] ?? 0), 0);
      assert.deepEqual([sum("completed"), sum("failed")], [2, 1]);
      assert.deepEqual(dashboard.body[0], { completed: 0, failed: 0 });
      const missing = await post("/ui/task_runs/dashboard/counts", { task_runs: {} });
      assert.deepEqual(missing, {
        status: 422,
        body: { detail: "task_runs.start_time.after_ is required" },
      });
      assert.equal((await post("/ui/task_runs/dashboard/counts", {})).status, 422);

      const ui = await request("GET", `/ui/task_runs/${task.a1}`);
      assert.equal(ui.status, 200);
      assertDocumentedResponse(app, "GET /api/ui/task_runs/:id", 200, ui.body);
      assert.equal(ui.body.id, task.a1);
      assert.equal(ui.body.flow_run_name, "run-a");
      assert.equal(ui.body.state.type, "SCHEDULED");
      const unknown = await request("GET", "/ui/task_runs/00000000-0000-4000-8000-000000000000");
      assert.equal(unknown.status, 404);
    });
  });
}

/**
 * Prefect's filter grammar on storage, on every dialect: seeded flows, flow runs, task runs and
 * logs with known values, and the exact ids each operator and combination returns. Bodies go
 * through the zod schemas first, as the REST API does.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FlowRun, TaskRun } from "../../src/core/runs.ts";
import type { StateType } from "../../src/core/state-types.ts";
import { nowIso } from "../../src/core/time.ts";
import * as flowRuns from "../../src/resources/flow-runs/queries.ts";
import * as flows from "../../src/resources/flows/queries.ts";
import * as logs from "../../src/resources/logs/queries.ts";
import * as states from "../../src/resources/states/queries.ts";
import * as taskRuns from "../../src/resources/task-runs/queries.ts";
import {
  FlowRunsCountBodySchema,
  FlowRunsFilterBodySchema,
  FlowsCountBodySchema,
  FlowsFilterBodySchema,
  LogsFilterBodySchema,
  TaskRunsCountBodySchema,
  TaskRunsFilterBodySchema,
} from "../../src/server/schemas/filters.ts";
import type { Database } from "../../src/storage/database.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { flowRunRecord, stateRecord, taskRunRecord } from "../helpers/records.ts";

/** Fixed, valid v4 ids that sort in numeric order. */
const id = (prefix: string, n: number) =>
  `${prefix}000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const R = [1, 2, 3, 4].map((n) => id("a0", n)) as [string, string, string, string];
const TR = [1, 2, 3, 4].map((n) => id("b0", n)) as [string, string, string, string];
const L = [1, 2, 3, 4].map((n) => id("c0", n)) as [string, string, string, string];
const CREATOR = id("d0", 1);
const day = (d: number, time = "00:00:00") => `2026-01-0${d}T${time}.000000Z`;

function flowRun(runId: string, flowId: string, over: Partial<FlowRun>): FlowRun {
  return flowRunRecord(flowId, { id: runId, ...over });
}

function taskRun(runId: string, flowRunId: string | null, over: Partial<TaskRun>): TaskRun {
  return taskRunRecord(flowRunId, { id: runId, task_key: `key-${runId}`, ...over });
}

function withState<T extends FlowRun | TaskRun>(run: T, type: StateType, name: string) {
  const state = stateRecord(type, name);
  return {
    run: { ...run, state_id: state.id, state_type: type, state_name: name, state },
    state,
  };
}

interface Seeded {
  F: [string, string, string];
}

async function seed(database: Database): Promise<Seeded> {
  const f1 = (await flows.createFlow(database, { name: "etl-daily", tags: ["prod", "nightly"] }))
    .flow.id;
  const f2 = (await flows.createFlow(database, { name: "etl-hourly", tags: ["prod"] })).flow.id;
  const f3 = (await flows.createFlow(database, { name: "report", tags: [] })).flow.id;

  const runs = [
    withState(
      flowRun(R[0], f1, {
        name: "alpha-run",
        tags: ["a", "b"],
        start_time: day(1),
        end_time: day(1, "01:00:00"),
        expected_start_time: day(1),
        work_queue_name: "q1",
        flow_version: "1",
        idempotency_key: "k1",
        created_by: { id: CREATOR, type: "DEPLOYMENT", display_value: "d" },
      }),
      "COMPLETED",
      "Completed",
    ),
    withState(
      flowRun(R[1], f1, {
        name: "beta-run",
        tags: ["b"],
        start_time: day(2),
        end_time: day(2, "00:30:00"),
        expected_start_time: day(2),
        flow_version: "2",
      }),
      "FAILED",
      "Failed",
    ),
    withState(
      flowRun(R[2], f2, {
        name: "gamma-run",
        expected_start_time: day(3),
        next_scheduled_start_time: day(3),
        flow_version: "1",
        idempotency_key: "k3",
      }),
      "SCHEDULED",
      "Late",
    ),
    withState(
      flowRun(R[3], f3, {
        name: "delta",
        tags: ["c"],
        start_time: day(4),
        expected_start_time: day(4),
        parent_task_run_id: TR[0],
      }),
      "RUNNING",
      "Running",
    ),
  ];
  for (const { run, state } of runs) {
    await flowRuns.insertFlowRun(database, database.db, run);
    await states.insertFlowRunState(database, database.db, run.id, state, nowIso());
  }

  const tasks = [
    withState(
      taskRun(TR[0], R[0], {
        name: "extract",
        tags: ["io", "slow"],
        start_time: day(1, "00:10:00"),
        end_time: day(1, "00:20:00"),
        expected_start_time: day(1, "00:10:00"),
      }),
      "COMPLETED",
      "Completed",
    ),
    withState(
      taskRun(TR[1], R[0], {
        name: "transform",
        tags: ["cpu"],
        start_time: day(1, "00:20:00"),
        expected_start_time: day(1, "00:20:00"),
      }),
      "FAILED",
      "Failed",
    ),
    withState(
      taskRun(TR[2], R[1], {
        name: "load",
        tags: ["io"],
        start_time: day(2, "00:05:00"),
        expected_start_time: day(2, "00:05:00"),
      }),
      "RUNNING",
      "Running",
    ),
    withState(
      taskRun(TR[3], null, { name: "orphan", expected_start_time: day(5) }),
      "PENDING",
      "Pending",
    ),
  ];
  await taskRuns.recordTaskRuns(
    database,
    tasks.map((t) => t.run),
    tasks.map((t) => [t.run.id, t.state] as const),
    nowIso(),
  );

  await logs.createLogs(
    database,
    [
      {
        id: L[0],
        name: "prefect.task_runs",
        level: 20,
        message: "extracting rows",
        timestamp: day(1, "00:10:01"),
        flow_run_id: R[0],
        task_run_id: TR[0],
      },
      {
        id: L[1],
        name: "prefect.flow_runs",
        level: 40,
        message: "Flow failed: connection timeout",
        timestamp: day(1, "00:30:00"),
        flow_run_id: R[0],
        task_run_id: null,
      },
      {
        id: L[2],
        name: "prefect.task_runs",
        level: 10,
        message: "debug detail",
        timestamp: day(2, "00:06:00"),
        flow_run_id: R[1],
        task_run_id: TR[2],
      },
      {
        id: L[3],
        name: "prefect.flow_runs",
        level: 30,
        message: "warning: retrying 100%",
        timestamp: day(2, "00:07:00"),
        flow_run_id: R[1],
        task_run_id: null,
      },
    ],
    nowIso(),
  );
  return { F: [f1, f2, f3] };
}

const sorted = (xs: string[]) => [...xs].sort();

for (const dialect of DIALECTS) {
  describe(`${dialect}: filter grammar`, () => {
    let t: TestDatabase;
    let F: Seeded["F"];
    before(async () => {
      t = await createTestDatabase(dialect);
      ({ F } = await seed(t.database));
    });
    after(async () => {
      await t.dispose();
    });

    const flowIds = async (body: unknown) =>
      (await flows.filterFlows(t.database, FlowsFilterBodySchema.parse(body))).map((f) => f.id);
    const runIds = async (body: unknown) =>
      (await flowRuns.filterFlowRuns(t.database, FlowRunsFilterBodySchema.parse(body))).map(
        (r) => r.id,
      );
    const taskIds = async (body: unknown) =>
      (await taskRuns.filterTaskRuns(t.database, TaskRunsFilterBodySchema.parse(body))).map(
        (r) => r.id,
      );
    const logIds = async (body: unknown) =>
      (await logs.filterLogs(t.database, LogsFilterBodySchema.parse(body))).map((l) => l.id);
    const fr = (flow_runs: unknown, extra: object = {}) =>
      runIds({ flow_runs, sort: "ID_DESC", ...extra }).then(sorted);
    const tr = (task_runs: unknown, extra: object = {}) =>
      taskIds({ task_runs, ...extra }).then(sorted);

    describe("flows", () => {
      it("name any_/like_ (case-insensitive), id not_any_, tags all_/is_null_", async () => {
        assert.deepEqual(await flowIds({ flows: { name: { like_: "ETL" } } }), [F[0], F[1]]);
        assert.deepEqual(await flowIds({ flows: { name: { any_: ["report"] } } }), [F[2]]);
        assert.deepEqual(await flowIds({ flows: { id: { not_any_: [F[0]] } } }), [F[1], F[2]]);
        assert.deepEqual(await flowIds({ flows: { tags: { all_: ["prod", "nightly"] } } }), [F[0]]);
        assert.deepEqual(await flowIds({ flows: { tags: { all_: ["prod"] } } }), [F[0], F[1]]);
        assert.deepEqual(await flowIds({ flows: { tags: { all_: [] } } }), F);
        assert.deepEqual(await flowIds({ flows: { tags: { is_null_: true } } }), [F[2]]);
        assert.deepEqual(await flowIds({ flows: { tags: { is_null_: false } } }), [F[0], F[1]]);
      });

      it("deployment is_null_, operator or_, nested flow-run and task-run filters", async () => {
        assert.deepEqual(await flowIds({ flows: { deployment: { is_null_: true } } }), F);
        assert.deepEqual(await flowIds({ flows: { deployment: { is_null_: false } } }), []);
        const or = { operator: "or_", name: { any_: ["report"] }, tags: { all_: ["nightly"] } };
        assert.deepEqual(await flowIds({ flows: or }), [F[0], F[2]]);
        assert.deepEqual(
          await flowIds({ flow_runs: { state: { type: { any_: ["SCHEDULED", "RUNNING"] } } } }),
          [F[1], F[2]],
        );
        assert.deepEqual(await flowIds({ task_runs: { name: { any_: ["load"] } } }), [F[0]]);
        assert.deepEqual(await flowIds({ flow_runs: {} }), F);
        assert.deepEqual(await flowIds({ task_runs: {} }), [F[0]]);
      });

      it("work pools and deployments: a present filter, even {}, needs a deployment (in a pool)", async () => {
        assert.deepEqual(await flowIds({ work_pools: null }), F);
        // Prefect: EXISTS deployment JOIN work_queue JOIN work_pool; these flows have no deployment
        assert.deepEqual(await flowIds({ work_pools: {} }), []);
        assert.deepEqual(await flowIds({ work_pools: { id: { any_: null } } }), []);
        // a deployments filter, even {}, needs a deployment (Prefect: EXISTS); these flows have none
        assert.deepEqual(await flowIds({ deployments: {}, work_pools: null }), []);
        assert.deepEqual(await flowIds({ deployments: { name: { any_: ["d"] } } }), []);
        assert.deepEqual(await flowIds({ work_pools: { name: { any_: ["p"] } } }), []);
      });

      it("sorts, limit/offset and counts", async () => {
        assert.deepEqual(await flowIds({}), F); // NAME_ASC
        assert.deepEqual(await flowIds({ sort: "NAME_DESC" }), [F[2], F[1], F[0]]);
        assert.deepEqual(await flowIds({ sort: "CREATED_DESC", limit: 2, offset: 1 }), [
          F[1],
          F[0],
        ]);
        const count = (body: unknown) =>
          flows.countFlows(t.database, FlowsCountBodySchema.parse(body));
        assert.equal(await count({}), 3);
        assert.equal(await count({ flows: { name: { like_: "etl" } } }), 2);
      });
    });

    describe("flow runs", () => {
      it("id any_/not_any_, name any_/like_", async () => {
        assert.deepEqual(await fr({ id: { any_: [R[0], R[1]] } }), [R[0], R[1]]);
        assert.deepEqual(await fr({ id: { not_any_: [R[0]] } }), [R[1], R[2], R[3]]);
        assert.deepEqual(await fr({ id: { any_: [] } }), []);
        assert.deepEqual(await fr({ name: { like_: "RUN" } }), [R[0], R[1], R[2]]);
        assert.deepEqual(await fr({ name: { any_: ["delta"] } }), [R[3]]);
      });

      it("tags any_/all_/is_null_", async () => {
        assert.deepEqual(await fr({ tags: { any_: ["a", "c"] } }), [R[0], R[3]]);
        assert.deepEqual(await fr({ tags: { all_: ["a", "b"] } }), [R[0]]);
        assert.deepEqual(await fr({ tags: { all_: ["b"] } }), [R[0], R[1]]);
        assert.deepEqual(await fr({ tags: { all_: ["b", "b"] } }), [R[0], R[1]]);
        assert.deepEqual(await fr({ tags: { any_: [] } }), []);
        assert.deepEqual(await fr({ tags: { is_null_: true } }), [R[2]]);
        assert.deepEqual(await fr({ tags: { is_null_: false } }), [R[0], R[1], R[3]]);
        assert.deepEqual(await fr({ tags: { operator: "or_", all_: ["c"], is_null_: true } }), [
          R[2],
          R[3],
        ]);
      });

      it("state type/name any_/not_any_, with operator or_", async () => {
        assert.deepEqual(await fr({ state: { type: { any_: ["COMPLETED", "FAILED"] } } }), [
          R[0],
          R[1],
        ]);
        assert.deepEqual(await fr({ state: { type: { not_any_: ["COMPLETED"] } } }), [
          R[1],
          R[2],
          R[3],
        ]);
        assert.deepEqual(await fr({ state: { name: { any_: ["Late"] } } }), [R[2]]);
        assert.deepEqual(await fr({ state: { name: { not_any_: ["Late", "Failed"] } } }), [
          R[0],
          R[3],
        ]);
        const or = { operator: "or_", type: { any_: ["RUNNING"] }, name: { any_: ["Failed"] } };
        assert.deepEqual(await fr({ state: or }), [R[1], R[3]]);
      });

      it("start_time (start or expected), end_time, expected and next scheduled times", async () => {
        assert.deepEqual(await fr({ start_time: { after_: day(2) } }), [R[1], R[2], R[3]]);
        assert.deepEqual(await fr({ start_time: { before_: "2026-01-01T12:00:00Z" } }), [R[0]]);
        assert.deepEqual(await fr({ start_time: { is_null_: true } }), [R[2]]);
        assert.deepEqual(await fr({ end_time: { before_: day(1, "23:00:00") } }), [R[0]]);
        assert.deepEqual(await fr({ end_time: { is_null_: true } }), [R[2], R[3]]);
        const inclusive = { after_: day(2), before_: "2026-01-03T00:00:00+00:00" };
        assert.deepEqual(await fr({ expected_start_time: inclusive }), [R[1], R[2]]);
        assert.deepEqual(await fr({ expected_start_time: { after_: "2026-01-03T00:00:00" } }), [
          R[2],
          R[3],
        ]);
        assert.deepEqual(
          await fr({ expected_start_time: { after_: "2026-01-03T01:00:00+01:00" } }),
          [R[2], R[3]],
        );
        assert.deepEqual(await fr({ next_scheduled_start_time: { before_: day(9) } }), [R[2]]);
      });

      it("work queue, flow version, parents, idempotency key, created_by", async () => {
        assert.deepEqual(await fr({ work_queue_name: { any_: ["q1"] } }), [R[0]]);
        assert.deepEqual(await fr({ work_queue_name: { is_null_: true } }), [R[1], R[2], R[3]]);
        assert.deepEqual(await fr({ flow_version: { any_: ["1"] } }), [R[0], R[2]]);
        assert.deepEqual(await fr({ deployment_id: { is_null_: false } }), []);
        assert.deepEqual(await fr({ parent_task_run_id: { any_: [TR[0]] } }), [R[3]]);
        assert.deepEqual(await fr({ parent_task_run_id: { is_null_: false } }), [R[3]]);
        assert.deepEqual(await fr({ parent_flow_run_id: { any_: [R[0]] } }), [R[3]]);
        assert.deepEqual(await fr({ parent_flow_run_id: { any_: [R[1]] } }), []);
        assert.deepEqual(await fr({ idempotency_key: { any_: ["k1", "k3"] } }), [R[0], R[2]]);
        assert.deepEqual(await fr({ idempotency_key: { not_any_: ["k1"] } }), [R[2]]);
        assert.deepEqual(await fr({ created_by: { type_: ["DEPLOYMENT"] } }), [R[0]]);
        assert.deepEqual(await fr({ created_by: { id_: [CREATOR] } }), [R[0]]);
        assert.deepEqual(await fr({ created_by: { is_null_: true } }), [R[1], R[2], R[3]]);
      });

      it("operator or_ across fields; empty sub-filters are TRUE", async () => {
        const or = { operator: "or_", name: { any_: ["delta"] }, tags: { all_: ["a"] } };
        assert.deepEqual(await fr(or), [R[0], R[3]]);
        assert.deepEqual(await fr({ operator: "or_", id: {}, name: { any_: ["delta"] } }), R);
        assert.deepEqual(await fr({}), R);
      });

      it("nested flows, task runs, ignored empty work pools, deployments needed", async () => {
        assert.deepEqual(await fr(null, { flows: { name: { any_: ["etl-daily"] } } }), [
          R[0],
          R[1],
        ]);
        assert.deepEqual(
          await fr(
            { state: { type: { any_: ["SCHEDULED"] } } },
            { flows: { tags: { all_: ["prod"] } } },
          ),
          [R[2]],
        );
        assert.deepEqual(await fr(null, { task_runs: { name: { any_: ["load"] } } }), [R[1]]);
        assert.deepEqual(await fr(null, { task_runs: {} }), [R[0], R[1]]);
        assert.deepEqual(await fr(null, { task_runs: { subflow_runs: { exists_: true } } }), [
          R[0],
        ]);
        assert.deepEqual(await fr(null, { work_pools: null, work_pool_queues: null }), R);
        // a work pool or queue filter, even {}, needs the run's queue: these runs have none
        assert.deepEqual(await fr(null, { work_pools: {} }), []);
        assert.deepEqual(await fr(null, { work_pool_queues: { name: { any_: null } } }), []);
        // a deployments filter, even {}, needs a deployment: these runs have none
        assert.deepEqual(await fr(null, { deployments: {} }), []);
        assert.deepEqual(await fr(null, { deployments: { id: { any_: [CREATOR] } } }), []);
      });

      it("sorts (nulls last on DESC, first on ASC), limit/offset, counts, states", async () => {
        assert.deepEqual(await runIds({}), [R[3], R[2], R[1], R[0]]); // ID_DESC
        assert.deepEqual(await runIds({ sort: "START_TIME_DESC" }), [R[3], R[2], R[1], R[0]]);
        assert.deepEqual(await runIds({ sort: "START_TIME_ASC" }), R);
        assert.deepEqual(await runIds({ sort: "END_TIME_DESC" }), [R[1], R[0], R[3], R[2]]);
        assert.deepEqual(await runIds({ sort: "EXPECTED_START_TIME_ASC" }), R);
        assert.deepEqual(await runIds({ sort: "NAME_DESC" }), [R[2], R[3], R[1], R[0]]);
        assert.deepEqual(await runIds({ sort: "NEXT_SCHEDULED_START_TIME_ASC" }), [
          R[0],
          R[1],
          R[3],
          R[2],
        ]);
        assert.deepEqual(await runIds({ sort: "ID_DESC", limit: 2, offset: 1 }), [R[2], R[1]]);
        assert.deepEqual(await runIds({ limit: 0 }), []);
        const count = (body: unknown) =>
          flowRuns.countFlowRuns(t.database, FlowRunsCountBodySchema.parse(body));
        assert.equal(await count({}), 4);
        assert.equal(await count({ flow_runs: { state: { type: { any_: ["FAILED"] } } } }), 1);
        assert.equal(await count({ flows: { name: { like_: "etl" } }, task_runs: {} }), 2);
        const [run] = await flowRuns.filterFlowRuns(
          t.database,
          FlowRunsFilterBodySchema.parse({ flow_runs: { id: { any_: [R[2]] } } }),
        );
        assert.equal(run?.state?.name, "Late");
        assert.equal(run?.state_type, "SCHEDULED");
        assert.deepEqual(run?.tags, []);
      });
    });

    describe("task runs", () => {
      it("unfiltered includes task runs without a flow run; flow_run_id {} excludes them", async () => {
        assert.deepEqual(await tr(null), TR);
        assert.deepEqual(await tr({ flow_run_id: {} }), [TR[0], TR[1], TR[2]]);
        assert.deepEqual(await tr({ flow_run_id: { is_null_: true } }), [TR[3]]);
        assert.deepEqual(await tr({ flow_run_id: { any_: [R[0]] } }), [TR[0], TR[1]]);
        assert.deepEqual(await tr({ flow_run_id: { any_: [R[0]], is_null_: true } }), [TR[3]]);
      });

      it("id, name like_, tags all_/is_null_, state type/name", async () => {
        assert.deepEqual(await tr({ id: { any_: [TR[1], TR[3]] } }), [TR[1], TR[3]]);
        assert.deepEqual(await tr({ name: { like_: "TRANS" } }), [TR[1]]);
        assert.deepEqual(await tr({ tags: { all_: ["io"] } }), [TR[0], TR[2]]);
        assert.deepEqual(await tr({ tags: { is_null_: true } }), [TR[3]]);
        assert.deepEqual(await tr({ state: { type: { any_: ["COMPLETED"] } } }), [TR[0]]);
        assert.deepEqual(await tr({ state: { name: { any_: ["Running"] } } }), [TR[2]]);
        const or = { operator: "or_", type: { any_: ["PENDING"] }, name: { any_: ["Failed"] } };
        assert.deepEqual(await tr({ state: or }), [TR[1], TR[3]]);
      });

      it("start/end/expected times and subflow_runs exists_", async () => {
        assert.deepEqual(await tr({ start_time: { after_: day(1, "00:15:00") } }), [TR[1], TR[2]]);
        assert.deepEqual(await tr({ start_time: { is_null_: true } }), [TR[3]]);
        assert.deepEqual(await tr({ end_time: { is_null_: false } }), [TR[0]]);
        assert.deepEqual(await tr({ expected_start_time: { before_: day(1, "00:15:00") } }), [
          TR[0],
        ]);
        assert.deepEqual(await tr({ subflow_runs: { exists_: true } }), [TR[0]]);
        assert.deepEqual(await tr({ subflow_runs: { exists_: false } }), [TR[1], TR[2], TR[3]]);
      });

      it("operator or_ and nested flow-run / flow filters (which require a flow run)", async () => {
        const or = { operator: "or_", name: { any_: ["load"] }, tags: { all_: ["cpu"] } };
        assert.deepEqual(await tr(or), [TR[1], TR[2]]);
        assert.deepEqual(await tr(null, { flow_runs: { name: { any_: ["beta-run"] } } }), [TR[2]]);
        assert.deepEqual(await tr(null, { flows: { name: { any_: ["etl-daily"] } } }), [
          TR[0],
          TR[1],
          TR[2],
        ]);
        assert.deepEqual(await tr(null, { flow_runs: {} }), [TR[0], TR[1], TR[2]]);
        assert.deepEqual(await tr(null, { deployments: {} }), []);
        assert.deepEqual(await tr(null, { deployments: { paused: { eq_: true } } }), []);
      });

      it("sorts, limit/offset, counts, states", async () => {
        assert.deepEqual(await taskIds({}), [TR[3], TR[2], TR[1], TR[0]]);
        assert.deepEqual(await taskIds({ sort: "NAME_ASC" }), [TR[0], TR[2], TR[3], TR[1]]);
        assert.deepEqual(await taskIds({ sort: "EXPECTED_START_TIME_DESC", limit: 2 }), [
          TR[3],
          TR[2],
        ]);
        assert.deepEqual(await taskIds({ sort: "END_TIME_DESC", offset: 1, limit: 1 }), [TR[3]]);
        const count = (body: unknown) =>
          taskRuns.countTaskRuns(t.database, TaskRunsCountBodySchema.parse(body));
        assert.equal(await count({}), 4);
        assert.equal(
          await count({ task_runs: { state: { type: { any_: ["FAILED", "RUNNING"] } } } }),
          2,
        );
        assert.equal(await count({ flow_runs: { id: { any_: [R[0]] } } }), 2);
        const [task] = await taskRuns.filterTaskRuns(
          t.database,
          TaskRunsFilterBodySchema.parse({ task_runs: { id: { any_: [TR[1]] } } }),
        );
        assert.equal(task?.state?.type, "FAILED");
        assert.deepEqual(task?.tags, ["cpu"]);
      });
    });

    describe("logs", () => {
      it("flow_run_id, task_run_id any_/is_null_, level ge_/le_, timestamp", async () => {
        assert.deepEqual(await logIds({}), L);
        assert.deepEqual(await logIds({ logs: { flow_run_id: { any_: [R[0]] } } }), [L[0], L[1]]);
        assert.deepEqual(await logIds({ logs: { task_run_id: { is_null_: true } } }), [L[1], L[3]]);
        assert.deepEqual(await logIds({ logs: { task_run_id: { any_: [TR[0]] } } }), [L[0]]);
        assert.deepEqual(await logIds({ logs: { level: { ge_: 30 } } }), [L[1], L[3]]);
        assert.deepEqual(await logIds({ logs: { level: { ge_: 20, le_: 30 } } }), [L[0], L[3]]);
        assert.deepEqual(await logIds({ logs: { timestamp: { after_: day(2) } } }), [L[2], L[3]]);
        assert.deepEqual(await logIds({ logs: { timestamp: { before_: day(1, "00:30:00") } } }), [
          L[0],
          L[1],
        ]);
      });

      it("text search, operator or_, sort and limit/offset", async () => {
        const text = async (query: string) => logIds({ logs: { text: { query } } });
        assert.deepEqual(await text("TIMEOUT"), [L[1]]);
        assert.deepEqual(await text('"connection timeout"'), [L[1]]);
        assert.deepEqual(await text("rows failed"), [L[0], L[1]]);
        assert.deepEqual(await text("prefect.flow_runs -warning"), [L[1]]);
        assert.deepEqual(await text("+debug"), [L[2]]);
        assert.deepEqual(await text("100%"), [L[3]]);
        assert.deepEqual(await text("_"), [L[0], L[1], L[2], L[3]]); // logger names
        const or = { operator: "or_", level: { ge_: 40 }, task_run_id: { any_: [TR[2]] } };
        assert.deepEqual(await logIds({ logs: or }), [L[1], L[2]]);
        assert.deepEqual(await logIds({ sort: "TIMESTAMP_DESC" }), [L[3], L[2], L[1], L[0]]);
        assert.deepEqual(await logIds({ sort: "TIMESTAMP_DESC", limit: 2, offset: 1 }), [
          L[2],
          L[1],
        ]);
      });
    });
  });
}

describe("filter body validation", () => {
  const rejects = (schema: { safeParse(v: unknown): { success: boolean } }, body: unknown) =>
    assert.equal(schema.safeParse(body).success, false, JSON.stringify(body));

  it("applies Prefect's defaults", () => {
    const runs = FlowRunsFilterBodySchema.parse({});
    assert.equal(runs.sort, "ID_DESC");
    assert.equal(runs.limit, 200);
    assert.equal(runs.offset, 0);
    assert.equal(FlowRunsFilterBodySchema.parse({ limit: null }).limit, 200);
    assert.equal(FlowsFilterBodySchema.parse({}).sort, "NAME_ASC");
    assert.equal(TaskRunsFilterBodySchema.parse({}).sort, "ID_DESC");
    assert.equal(LogsFilterBodySchema.parse({}).sort, "TIMESTAMP_ASC");
    const parsed = TaskRunsFilterBodySchema.parse({ task_runs: { flow_run_id: {} } });
    assert.equal(parsed.task_runs?.operator, "and_");
    assert.equal(parsed.task_runs?.flow_run_id?.is_null_, false);
    // unknown top-level body keys are ignored, as FastAPI does
    assert.equal(FlowRunsFilterBodySchema.safeParse({ whatever: 1 }).success, true);
  });

  it("rejects unknown enum values", () => {
    rejects(FlowRunsFilterBodySchema, { sort: "BOGUS" });
    rejects(FlowsFilterBodySchema, { sort: "ID_DESC" });
    rejects(TaskRunsFilterBodySchema, { sort: "START_TIME_DESC" });
    rejects(LogsFilterBodySchema, { sort: "LEVEL_ASC" });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { state: { type: { any_: ["DONE"] } } } });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { operator: "xor_" } });
  });

  it("rejects extra fields inside filter objects", () => {
    rejects(FlowRunsFilterBodySchema, { flow_runs: { nme: {} } });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { name: { like: "x" } } });
    rejects(FlowsFilterBodySchema, { flows: { tags: { any_: ["x"] } } });
    rejects(TaskRunsFilterBodySchema, { task_runs: { id: { not_any_: [TR[0]] } } });
    rejects(LogsFilterBodySchema, { logs: { level: { gt_: 1 } } });
    rejects(FlowRunsFilterBodySchema, { deployments: { bogus: {} } });
    rejects(FlowRunsFilterBodySchema, { deployments: { id: { bogus_: 1 } } });
    rejects(FlowRunsFilterBodySchema, { work_pools: { name: { like_: "x" } } });
    rejects(FlowRunsFilterBodySchema, { work_pool_queues: { name: { eq_: "x" } } });
  });

  it("types the criteria of deployments, work pools and work queues as Prefect does", () => {
    rejects(FlowRunsFilterBodySchema, { deployments: { id: { any_: "notalist" } } });
    rejects(FlowRunsFilterBodySchema, { deployments: { id: { any_: ["not-a-uuid"] } } });
    rejects(FlowRunsFilterBodySchema, { deployments: { paused: { eq_: "yes" } } });
    rejects(FlowRunsFilterBodySchema, { deployments: { tags: { all_: "a" } } });
    rejects(FlowRunsFilterBodySchema, { deployments: { concurrency_limit: { ge_: 1.5 } } });
    rejects(FlowRunsFilterBodySchema, { work_pools: { type: { any_: [1] } } });
    rejects(FlowRunsFilterBodySchema, { work_pool_queues: { name: { startswith_: "a" } } });
    const ok = FlowRunsFilterBodySchema.safeParse({
      deployments: {
        id: { any_: [TR[0]], not_any_: null },
        name: { any_: ["d"], like_: "d" },
        flow_or_deployment_name: { like_: "x" },
        paused: { eq_: false },
        tags: { operator: "or_", all_: ["a"], any_: ["b"], is_null_: false },
        work_queue_name: { any_: ["default"] },
        concurrency_limit: { ge_: 1, le_: 2, is_null_: false },
      },
      work_pools: { id: { any_: [TR[0]] }, name: { any_: ["p"] }, type: { any_: ["process"] } },
      work_pool_queues: { id: { any_: [TR[0]] }, name: { any_: ["q"], startswith_: ["q"] } },
    });
    assert.ok(ok.success, ok.error?.message);
  });

  it("rejects wrong types and out-of-range numbers", () => {
    rejects(FlowRunsFilterBodySchema, { limit: "10" });
    rejects(FlowRunsFilterBodySchema, { limit: 201 });
    rejects(FlowRunsFilterBodySchema, { limit: -1 });
    rejects(FlowRunsFilterBodySchema, { offset: -1 });
    rejects(FlowRunsFilterBodySchema, { offset: 1.5 });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { id: { any_: "x" } } });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { id: { any_: ["not-a-uuid"] } } });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { start_time: { after_: "yesterday" } } });
    rejects(FlowRunsFilterBodySchema, { flow_runs: { tags: { is_null_: "yes" } } });
    rejects(FlowRunsFilterBodySchema, { flow_runs: [] });
    rejects(LogsFilterBodySchema, { logs: { level: { ge_: 1.5 } } });
    rejects(LogsFilterBodySchema, { logs: { text: { query: "x".repeat(201) } } });
    rejects(LogsFilterBodySchema, { logs: { text: {} } });
  });
});

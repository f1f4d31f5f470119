/**
 * The storage contract, run on every dialect: what the orchestration core, the engine and the CLI
 * rely on from the queries written once with Kysely.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { uuid7 } from "../../src/core/ids.ts";
import type { FlowRun, TaskRun } from "../../src/core/runs.ts";
import { emptyStateDetails, type StateRecord } from "../../src/core/state.ts";
import type { StateType } from "../../src/core/state-types.ts";
import { nowIso } from "../../src/core/time.ts";
import { deleteFlowRun } from "../../src/resources/flow-runs/model.ts";
import * as flowRuns from "../../src/resources/flow-runs/queries.ts";
import * as flows from "../../src/resources/flows/queries.ts";
import * as logs from "../../src/resources/logs/queries.ts";
import * as states from "../../src/resources/states/queries.ts";
import { recordTaskRunTransitions } from "../../src/resources/task-runs/model.ts";
import * as taskRuns from "../../src/resources/task-runs/queries.ts";
import { MIGRATIONS } from "../../src/storage/migrations/index.ts";
import { openDatabase } from "../../src/storage/open-database.ts";
import { ctxOf } from "../helpers/context.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import {
  flowRunRecord as baseFlowRun,
  taskRunRecord as baseTaskRun,
  stateRecord,
} from "../helpers/records.ts";

function state(
  type: StateRecord["type"],
  name: string,
  details: Partial<StateRecord["state_details"]> = {},
): StateRecord {
  return stateRecord(type, name, { state_details: { ...emptyStateDetails(), ...details } });
}

function flowRunRecord(flowId: string): FlowRun {
  return baseFlowRun(flowId, {
    name: "quiet-otter",
    flow_version: "1",
    parameters: { n: 1, nested: { list: [1, "two", null] } },
    tags: ["a", "b"],
    labels: { team: "x" },
    auto_scheduled: true,
    expected_start_time: nowIso(),
  });
}

function taskRunRecord(flowRunId: string, key: string): TaskRun {
  return baseTaskRun(flowRunId, {
    name: `t-${key}`,
    task_key: "t",
    dynamic_key: key,
    task_inputs: { x: [{ input_type: "task_run", id: uuid7() }] },
    expected_start_time: nowIso(),
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: storage contract`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await t.dispose();
    });

    it("creates a flow once per name and returns the existing one after", async () => {
      const a = await flows.createFlow(t.database, { name: "etl", tags: ["x"] });
      const b = await flows.createFlow(t.database, { name: "etl" });
      assert.equal(a.created, true);
      assert.equal(b.created, false);
      assert.equal(b.flow.id, a.flow.id);
      assert.deepEqual((await flows.readFlowByName(t.database, "etl"))?.tags, ["x"]);
    });

    it("round-trips JSON, booleans and microsecond timestamps unchanged", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "round-trip" });
      const run = flowRunRecord(flow.id);
      run.start_time = "2026-11-22T01:33:24.057243Z";
      await flowRuns.insertFlowRun(t.database, t.database.db, run);
      const back = await flowRuns.readFlowRun(t.database, run.id);
      assert.ok(back);
      assert.deepEqual(back.parameters, run.parameters);
      assert.deepEqual(back.tags, ["a", "b"]);
      assert.deepEqual(back.labels, { team: "x" });
      assert.equal(back.auto_scheduled, true);
      assert.equal(back.start_time, "2026-11-22T01:33:24.057243Z");
      assert.equal(back.created, run.created);
      assert.deepEqual(back.empirical_policy, run.empirical_policy);
    });

    it("a batch a constraint refuses is recorded by the recorder's rules: missing flow run skipped, taken natural key reused, a run without flow run kept", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "fallback" });
      const fr = flowRunRecord(flow.id);
      await flowRuns.insertFlowRun(t.database, t.database.db, fr);
      const stored = taskRunRecord(fr.id, "taken");
      // a run as a client reports it: its state fields those of the state it entered
      const entering = (run: TaskRun, st: StateRecord) => ({
        run: {
          ...run,
          state_id: st.id,
          state_type: st.type,
          state_name: st.name,
          state_timestamp: st.timestamp,
        },
        state: st,
      });
      const first = state("PENDING", "Pending", { task_run_id: stored.id, flow_run_id: fr.id });
      await recordTaskRunTransitions(ctxOf(t.database), [entering(stored, first)]);
      // the same natural key under another id, a run of a flow run that does not exist, and a
      // run without a flow run, in one batch
      const again = { ...taskRunRecord(fr.id, "taken"), run_count: 1 };
      const later = state("RUNNING", "Running", { task_run_id: again.id, flow_run_id: fr.id });
      const ghostFlowRun = "00000000-0000-4000-8000-00000000abcd";
      const orphan = taskRunRecord(ghostFlowRun, "orphan");
      const orphanState = state("PENDING", "Pending", { task_run_id: orphan.id });
      const alone = { ...taskRunRecord(fr.id, "alone"), flow_run_id: null };
      const aloneState = state("PENDING", "Pending", { task_run_id: alone.id });
      const summary = await recordTaskRunTransitions(ctxOf(t.database), [
        entering(again, later),
        entering(orphan, orphanState),
        entering(alone, aloneState),
      ]);
      assert.deepEqual(summary, { recorded: 2, skipped: 1 });
      const taken = await taskRuns.readTaskRun(t.database, stored.id);
      assert.equal(taken?.state_type, "RUNNING", "recorded under the stored run's id");
      assert.equal(await taskRuns.readTaskRun(t.database, again.id), null);
      assert.equal(await taskRuns.readTaskRun(t.database, orphan.id), null);
      assert.equal((await taskRuns.readTaskRun(t.database, alone.id))?.state_type, "PENDING");
      assert.equal(again.id !== stored.id, true, "the caller's run is left as it was");
    });

    it("records task-run transitions in bulk: one row per run with its latest snapshot, every state", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "bulk" });
      const fr = flowRunRecord(flow.id);
      await flowRuns.insertFlowRun(t.database, t.database.db, fr);
      const runs = Array.from({ length: 1200 }, (_, i) => taskRunRecord(fr.id, String(i)));
      const transitions = runs.flatMap((r) => {
        const pending = state("PENDING", "Pending", { task_run_id: r.id, flow_run_id: fr.id });
        const running = state("RUNNING", "Running", { task_run_id: r.id, flow_run_id: fr.id });
        return [
          {
            run: {
              ...r,
              state_id: pending.id,
              state_type: "PENDING" as const,
              state_name: "Pending",
            },
            state: pending,
          },
          {
            run: {
              ...r,
              state_id: running.id,
              state_type: "RUNNING" as const,
              state_name: "Running",
              run_count: 1,
            },
            state: running,
          },
        ];
      });
      await recordTaskRunTransitions(ctxOf(t.database), transitions);
      // a later batch completes half of them
      const done = runs.slice(0, 600).map((r) => {
        const completed = state("COMPLETED", "Completed", {
          task_run_id: r.id,
          flow_run_id: fr.id,
        });
        return {
          run: {
            ...r,
            state_id: completed.id,
            state_type: "COMPLETED" as const,
            state_name: "Completed",
            run_count: 1,
            end_time: completed.timestamp,
          },
          state: completed,
        };
      });
      await recordTaskRunTransitions(ctxOf(t.database), done);
      const ofRun = (types?: StateType[]) =>
        taskRuns.countTaskRuns(t.database, {
          task_runs: {
            flow_run_id: { any_: [fr.id] },
            ...(types ? { state: { type: { any_: types } } } : {}),
          },
        });
      assert.equal(await ofRun(), 1200);
      assert.equal(await ofRun(["COMPLETED"]), 600);
      assert.equal(await ofRun(["RUNNING"]), 600);
      const first = runs[0];
      assert.ok(first);
      const history = await states.readTaskRunStates(t.database, first.id);
      assert.deepEqual(
        history.map((s) => s.name),
        ["Pending", "Running", "Completed"],
      );
      assert.equal(history[2]?.state_details.task_run_id, first.id);
      assert.equal(history[2]?.state_details.pause_reschedule, false);
      const stored = await taskRuns.readTaskRun(t.database, first.id);
      assert.equal(stored?.state?.name, "Completed");
      assert.deepEqual(stored?.task_inputs, first.task_inputs);
      // re-sending the same batch is harmless (no duplicate states)
      await recordTaskRunTransitions(ctxOf(t.database), done.slice(0, 10));
      assert.equal((await states.readTaskRunStates(t.database, first.id)).length, 3);
    });

    it("replaces a recorded task run only with a later snapshot, whatever the order they come in", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "out-of-order" });
      const fr = flowRunRecord(flow.id);
      await flowRuns.insertFlowRun(t.database, t.database.db, fr);
      const r = taskRunRecord(fr.id, "0");
      const snapshot = (type: "RUNNING" | "COMPLETED", name: string) => {
        const s = state(type, name, { task_run_id: r.id, flow_run_id: fr.id });
        const run = {
          ...r,
          state_id: s.id,
          state_type: type,
          state_name: name,
          state_timestamp: s.timestamp,
        };
        return { run, state: s };
      };
      const running = snapshot("RUNNING", "Running");
      const completed = snapshot("COMPLETED", "Completed");
      // the later snapshot is written first; the earlier one then adds its state, nothing more
      await recordTaskRunTransitions(ctxOf(t.database), [completed]);
      await recordTaskRunTransitions(ctxOf(t.database), [running]);
      // the write itself holds to it too, when handed the older snapshot directly
      await taskRuns.recordTaskRuns(t.database, [running.run], [], nowIso());
      const stored = await taskRuns.readTaskRun(t.database, r.id);
      assert.equal(stored?.state_type, "COMPLETED");
      assert.equal(stored?.state?.id, completed.state.id);
      assert.deepEqual(
        (await states.readTaskRunStates(t.database, r.id)).map((s) => s.name),
        ["Running", "Completed"],
      );
    });

    it("bulk inserts keep every value exactly: quotes, backslashes, control characters, emoji, NULL-like text", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "awkward" });
      const fr = flowRunRecord(flow.id);
      await flowRuns.insertFlowRun(t.database, t.database.db, fr);
      const awkward = [
        'say "hi"',
        "back\\slash \\n not a newline",
        "line\nbreak\ttab\u0001bell",
        "emoji 🦆 and é",
        "NULL",
        "null",
        "",
        "{braces,commas}",
        "  spaced  ",
      ];
      const runs = awkward.map((name, i) => ({
        ...taskRunRecord(fr.id, `k${i}`),
        name,
        tags: [name, "same"],
        task_inputs: { [name]: [] },
      }));
      const batch = runs.map((run, i) => {
        const s = state("COMPLETED", "Completed", { task_run_id: run.id, flow_run_id: fr.id });
        s.message = i % 2 === 0 ? (awkward[i] ?? null) : null;
        s.data = { value: awkward[i] ?? null };
        return { run: { ...run, state_id: s.id, state_type: "COMPLETED" as const }, state: s };
      });
      // a batch this size is one statement; the same values again in a batch big enough to split
      const filler = Array.from({ length: 1100 }, (_, i) => taskRunRecord(fr.id, `f${i}`)).map(
        (run) => {
          const a = state("PENDING", "Pending", { task_run_id: run.id, flow_run_id: fr.id });
          const b = state("RUNNING", "Running", { task_run_id: run.id, flow_run_id: fr.id });
          return [
            { run: { ...run, state_id: a.id }, state: a },
            { run: { ...run, state_id: b.id, state_type: "RUNNING" as const }, state: b },
          ];
        },
      );
      const again = batch.map(({ run, state: s }) => ({
        run: { ...run, id: uuid7(), dynamic_key: `again-${run.dynamic_key}` },
        state: { ...s, id: uuid7() },
      }));
      for (const entry of again) entry.state.state_details.task_run_id = entry.run.id;
      await recordTaskRunTransitions(ctxOf(t.database), batch);
      await recordTaskRunTransitions(ctxOf(t.database), [...filler.flat(), ...again]);
      for (const [i, { run, state: s }] of [...batch, ...again].entries()) {
        const name = awkward[i % awkward.length] ?? "";
        const stored = await taskRuns.readTaskRun(t.database, run.id);
        assert.equal(stored?.name, name);
        assert.deepEqual(stored?.tags, [name, "same"]);
        assert.deepEqual(stored?.task_inputs, { [name]: [] });
        const [history] = await states.readTaskRunStates(t.database, run.id);
        assert.equal(history?.message, s.message);
        assert.deepEqual(history?.data, { value: name });
      }
    });

    it("stores logs in bulk and reads them in time order, filtered by level", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "logging" });
      const fr = flowRunRecord(flow.id);
      await flowRuns.insertFlowRun(t.database, t.database.db, fr);
      const records = Array.from({ length: 5000 }, (_, i) => ({
        name: "prefect.flow_runs",
        level: i % 2 ? 20 : 40,
        message: `line ${i}`,
        timestamp: nowIso(),
        flow_run_id: fr.id,
        task_run_id: null,
      }));
      await logs.createLogs(t.database, records, nowIso());
      const errors = await logs.filterLogs(t.database, {
        logs: { flow_run_id: { any_: [fr.id] }, level: { ge_: 40 } },
        sort: "TIMESTAMP_ASC",
        limit: 3,
        offset: 0,
      });
      assert.deepEqual(
        errors.map((l) => l.message),
        ["line 0", "line 2", "line 4"],
      );
      const last = await logs.filterLogs(t.database, {
        logs: { flow_run_id: { any_: [fr.id] } },
        sort: "TIMESTAMP_DESC",
        limit: 1,
        offset: 0,
      });
      assert.equal(last[0]?.message, "line 4999");
    });

    it("deletes a flow run with its task runs, states and logs", async () => {
      const { flow } = await flows.createFlow(t.database, { name: "deleting" });
      const fr = flowRunRecord(flow.id);
      await flowRuns.insertFlowRun(t.database, t.database.db, fr);
      const tr = taskRunRecord(fr.id, "0");
      await recordTaskRunTransitions(ctxOf(t.database), [
        { run: tr, state: state("PENDING", "Pending") },
      ]);
      await logs.createLogs(
        t.database,
        [
          {
            name: "x",
            level: 20,
            message: "m",
            timestamp: nowIso(),
            flow_run_id: fr.id,
            task_run_id: tr.id,
          },
        ],
        nowIso(),
      );
      assert.equal(await flowRuns.deleteFlowRun(t.database, fr.id), true);
      assert.equal(await flowRuns.readFlowRun(t.database, fr.id), null);
      assert.equal(await taskRuns.readTaskRun(t.database, tr.id), null);
      const left = await logs.filterLogs(t.database, {
        logs: { flow_run_id: { any_: [fr.id] } },
        sort: "TIMESTAMP_ASC",
        limit: 200,
        offset: 0,
      });
      assert.equal(left.length, 0);
      assert.equal(await flowRuns.deleteFlowRun(t.database, fr.id), false);
      await assert.rejects(() => deleteFlowRun(ctxOf(t.database), fr.id), {
        code: "ERR_OBJECT_NOT_FOUND",
        message: "Flow run not found",
      });
    });

    it("migrates idempotently: opening the database again applies nothing", async () => {
      const again = await openDatabase({ url: t.url });
      const rows = await again.db.selectFrom("prefect_ts_migration").select("id").execute();
      assert.deepEqual(
        rows.map((r) => r.id),
        MIGRATIONS.map((m) => m.id),
      );
      await again.close();
    });
  });
}

describe("schema parity", () => {
  it("gives SQLite and PostgreSQL the same tables and columns", async () => {
    if (DIALECTS.length < 2) return;
    const sqlite = await createTestDatabase("sqlite");
    const pg = await createTestDatabase("postgres");
    try {
      const liteRows = await sql<{ t: string; c: string }>`
        SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`.execute(
        sqlite.database.db,
      );
      const pgRows = await sql<{ t: string; c: string }>`
        SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'`.execute(
        pg.database.db,
      );
      const shape = (rows: { t: string; c: string }[]) => rows.map((r) => `${r.t}.${r.c}`).sort();
      assert.deepEqual(shape(liteRows.rows), shape(pgRows.rows));
    } finally {
      await sqlite.dispose();
      await pg.dispose();
    }
  });
});

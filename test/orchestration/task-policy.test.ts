/** CoreTaskPolicy, BackgroundTaskPolicy and MinimalTaskPolicy cases (orchestration-cases.md §T, §B, §C, §N). */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { TaskRun } from "../../src/core/runs.ts";
import type { StateCreate } from "../../src/core/state.ts";
import { StateType } from "../../src/core/state-types.ts";
import { secondsBetween } from "../../src/core/time.ts";
import { deleteFlowRun } from "../../src/resources/flow-runs/queries.ts";
import {
  createTaskRun,
  readTaskRun,
  setTaskRunState,
} from "../../src/resources/task-runs/model.ts";
import { ctxOf } from "../helpers/context.ts";
import { assertOutcome, type Expect, st } from "./cases.ts";
import {
  describeOnEachDialect,
  flowRunIn,
  inSeconds,
  type TaskRunFields,
  TestClock,
  taskRunIn,
} from "./helpers.ts";

const { SCHEDULED, PENDING, RUNNING, PAUSED, CANCELLING, COMPLETED, FAILED, CANCELLED, CRASHED } =
  StateType;
const TERMINAL = [COMPLETED, FAILED, CANCELLED, CRASHED] as const;
const PERSISTED = { type: "reference", storage_key: "abc" };
const near = (a: string | null | undefined, b: string, tolerance = 3) =>
  assert.ok(a && Math.abs(secondsBetween(a, b)) < tolerance, `${a} ≈ ${b}`);

interface TaskCase {
  id: string;
  /** The parent flow run's state (default RUNNING); "autonomous" = no flow run; null = no state. */
  flow?: StateCreate | null | "autonomous";
  flowRunCount?: number;
  initial: StateCreate | null;
  run?: TaskRunFields;
  proposed: StateCreate;
  force?: boolean;
  /** Evaluate against the clock frozen at load time (for scheduled-time waits). */
  frozen?: boolean;
  expect: Expect<TaskRun>;
}

/** Frozen when the module loaded, as the scheduled times of the table were computed then. */
const FROZEN = new TestClock();

type Check = Expect<TaskRun>["check"];
const accept = (type?: StateType, name?: string, check?: Check) =>
  ({ status: "ACCEPT", written: true, type, name, check }) as const;
const rejectCur = (check?: Check) => ({ status: "REJECT", written: false, check }) as const;
const abortCur = (check?: Check) => ({ status: "ABORT", written: false, check }) as const;
const rejectTo = (type: StateType, name?: string, check?: Check) =>
  ({ status: "REJECT", written: true, type, name, check }) as const;
const waitFor = (seconds: number) =>
  ({
    status: "WAIT",
    written: false,
    check: (_r, o) => {
      const d = o.result.details;
      assert.equal(d.type, "wait_details");
      assert.ok(Math.abs((d as { delay_seconds: number }).delay_seconds - seconds) <= 1);
    },
  }) as Expect<TaskRun>;
const retryAt =
  (seconds: number, tolerance = 1.5): Check =>
  (run) =>
    near(run.state?.state_details.scheduled_time, inSeconds(seconds), tolerance);
const deferred = (type: StateType, name?: string, details = {}) =>
  st(type, name, { deferred: true, ...details });

const CASES: TaskCase[] = [
  ...TERMINAL.flatMap((from) =>
    [CRASHED, CANCELLING, PAUSED].map(
      (to): TaskCase => ({
        id: `T4 ${from}→${to}`,
        initial: st(from),
        proposed: st(to),
        expect: abortCur(),
      }),
    ),
  ),
  ...[RUNNING, PENDING, SCHEDULED, FAILED, COMPLETED].map(
    (to): TaskCase => ({
      id: `T5 →${to}`,
      initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
      proposed: st(to),
      expect: rejectCur(),
    }),
  ),
  ...[null, { type: "unpersisted" }].map(
    (data): TaskCase => ({
      id: `T6 data ${JSON.stringify(data)}`,
      initial: st(COMPLETED, undefined, {}, { data }),
      run: { run_count: 3 },
      proposed: st(RUNNING),
      expect: accept(RUNNING, undefined, (run) => {
        assert.equal(run.run_count, 1);
        assert.equal(run.end_time, null);
      }),
    }),
  ),
  {
    id: "T7",
    flowRunCount: 4,
    initial: st(FAILED),
    run: { run_count: 2, flow_run_run_count: 2 },
    proposed: st(RUNNING),
    expect: accept(RUNNING, "Retrying", (run) => {
      assert.equal(run.run_count, 1);
      assert.equal(run.flow_run_run_count, 4);
    }),
  },
  {
    id: "T8",
    flowRunCount: 3,
    initial: st(FAILED),
    run: { run_count: 5, flow_run_run_count: 3, empirical_policy: { retries: 1 } },
    proposed: st(RUNNING),
    expect: accept(RUNNING, "Running", (run) => assert.equal(run.run_count, 1)),
  },
  ...[COMPLETED, FAILED].map(
    (to): TaskCase => ({
      id: `T9 →${to}`,
      initial: st(FAILED),
      run: { run_count: 2 },
      proposed: st(to),
      expect: accept(to, undefined, (run) => assert.equal(run.run_count, 2)),
    }),
  ),
  {
    id: "T10",
    flow: st(PENDING),
    initial: st(FAILED),
    run: { run_count: 2 },
    proposed: st(RUNNING),
    expect: abortCur((run) => assert.equal(run.run_count, 2)),
  },
  { id: "T11", initial: st(PENDING), proposed: st(RUNNING), expect: accept(RUNNING) },
  {
    id: "T12",
    flow: st(PAUSED, "Paused", {
      pause_timeout: "2031-01-01T00:00:00.000000Z",
      pause_reschedule: true,
    }),
    initial: st(PENDING),
    proposed: st(RUNNING),
    expect: rejectTo(PAUSED, "NotReady", (run) => {
      assert.equal(run.state?.state_details.pause_timeout, "2031-01-01T00:00:00.000000Z");
      assert.equal(run.state?.state_details.pause_reschedule, true);
    }),
  },
  ...[
    st(SCHEDULED),
    st(PENDING),
    st(CANCELLING),
    st(COMPLETED),
    st(FAILED),
    st(CANCELLED),
    st(CRASHED),
    null,
  ].map(
    (flow): TaskCase => ({
      id: `T13 flow ${flow?.type ?? "without state"}`,
      flow,
      initial: st(PENDING),
      proposed: st(RUNNING),
      expect: abortCur((run) => assert.equal(run.state_type, PENDING)),
    }),
  ),
  {
    id: "T14",
    flow: "autonomous",
    initial: st(PENDING),
    proposed: st(RUNNING),
    expect: accept(RUNNING, undefined, (run) => {
      assert.equal(run.run_count, 1);
      assert.equal(run.flow_run_id, null);
      assert.equal(run.state?.state_details.flow_run_id, null);
    }),
  },
  {
    id: "T25",
    initial: st(SCHEDULED, undefined, { scheduled_time: "2020-02-02T00:00:00.000000Z" }),
    proposed: st(PENDING),
    expect: accept(PENDING, undefined, (run) =>
      assert.equal(run.state?.state_details.scheduled_time, "2020-02-02T00:00:00.000000Z"),
    ),
  },
  {
    id: "T26",
    initial: st(SCHEDULED, "AwaitingRetry", { scheduled_time: inSeconds(10) }),
    proposed: st(RUNNING),
    frozen: true,
    expect: waitFor(10),
  },
  ...[null, 10].map(
    (delay): TaskCase => ({
      id: `T27 retry_delay ${delay}`,
      initial: st(RUNNING),
      run: { run_count: 2, empirical_policy: { retries: 2, retry_delay: delay } },
      proposed: st(FAILED, undefined, {}, { message: "m", data: PERSISTED }),
      expect: rejectTo(SCHEDULED, "AwaitingRetry", (run, o, prev) => {
        retryAt(delay ?? 0)?.(run, o, prev);
        assert.equal(run.state?.message, "m");
        assert.deepEqual(run.state?.data, PERSISTED);
      }),
    }),
  ),
  ...[1, 2, 3, 4, 5].map(
    (r): TaskCase => ({
      id: `T28 run_count ${r}`,
      initial: st(RUNNING),
      run: { run_count: r, empirical_policy: { retries: 5, retry_delay: [2, 3, 5, 7, 11] } },
      proposed: st(FAILED),
      expect: rejectTo(SCHEDULED, "AwaitingRetry", retryAt([2, 3, 5, 7, 11][r - 1] ?? 0, 0.9)),
    }),
  ),
  {
    id: "T29",
    initial: st(RUNNING),
    run: { run_count: 6, empirical_policy: { retries: 6, retry_delay: [2, 3, 5, 7] } },
    proposed: st(FAILED),
    expect: rejectTo(SCHEDULED, "AwaitingRetry", retryAt(7, 0.9)),
  },
  {
    id: "T30 jitter",
    initial: st(RUNNING),
    run: {
      run_count: 1,
      empirical_policy: { retries: 1, retry_delay: 10, retry_jitter_factor: 0.3 },
    },
    proposed: st(FAILED),
    expect: rejectTo(SCHEDULED, "AwaitingRetry", (run) => {
      const gap = secondsBetween(inSeconds(0), run.state?.state_details.scheduled_time ?? "");
      assert.ok(gap > 6.5 && gap < 13.1, `gap ${gap}`);
    }),
  },
  {
    id: "T30 factor without delay",
    initial: st(RUNNING),
    run: {
      run_count: 1,
      empirical_policy: { retries: 1, retry_delay: null, retry_jitter_factor: 0.3 },
    },
    proposed: st(FAILED),
    expect: rejectTo(SCHEDULED, "AwaitingRetry", retryAt(0)),
  },
  {
    id: "T31 retries exhausted",
    initial: st(RUNNING),
    run: { run_count: 3, empirical_policy: { retries: 2 } },
    proposed: st(FAILED),
    expect: accept(FAILED),
  },
  {
    id: "T31 retriable false",
    initial: st(RUNNING),
    run: { run_count: 1, empirical_policy: { retries: 2 } },
    proposed: st(FAILED, undefined, { retriable: false }),
    expect: accept(FAILED),
  },
  {
    id: "T31 retriable true",
    initial: st(RUNNING),
    run: { run_count: 1, empirical_policy: { retries: 2 } },
    proposed: st(FAILED, undefined, { retriable: true }),
    expect: rejectTo(SCHEDULED, "AwaitingRetry"),
  },
  {
    id: "T32",
    initial: st(SCHEDULED, "AwaitingRetry", { scheduled_time: inSeconds(-1) }),
    run: { run_count: 1 },
    proposed: st(RUNNING),
    expect: accept(RUNNING, "Retrying"),
  },
  ...[st(SCHEDULED), st(PENDING), st(RUNNING)].map(
    (initial): TaskCase => ({
      id: `T33 ${initial.type}`,
      initial,
      run: { run_count: 1 },
      proposed: st(RUNNING),
      expect: accept(RUNNING, "Rerunning"),
    }),
  ),
  ...[st(SCHEDULED), st(PENDING)].map(
    (initial): TaskCase => ({
      id: `T34 ${initial.type}`,
      initial,
      proposed: st(RUNNING),
      expect: accept(RUNNING, "Running"),
    }),
  ),
  {
    id: "T35 PENDING",
    initial: st(PENDING, "Test State"),
    proposed: st(PENDING, "Test State"),
    expect: accept(PENDING, "Test State"),
  },
  ...[st(PENDING), st(SCHEDULED), st(RUNNING)].map(
    (initial): TaskCase => ({
      id: `T36 ${initial.type}`,
      flowRunCount: 42,
      initial,
      run: { flow_run_run_count: 1 },
      proposed: st(RUNNING),
      expect: accept(RUNNING, undefined, (run) => assert.equal(run.flow_run_run_count, 42)),
    }),
  ),
  {
    id: "T40",
    initial: st(RUNNING),
    proposed: st(COMPLETED, undefined, { cache_key: "x".repeat(5000) }),
    expect: rejectTo(COMPLETED, "Completed"),
  },
  ...[PENDING, RUNNING, CANCELLING, CANCELLED].flatMap((from) =>
    [false, true].map(
      (force): TaskCase => ({
        id: `B3 ${from}${force ? " (force)" : ""}`,
        initial: st(from),
        proposed: deferred(PENDING),
        force,
        expect: abortCur(),
      }),
    ),
  ),
  ...[PENDING, RUNNING, CANCELLING, CANCELLED].map(
    (to): TaskCase => ({
      id: `B4 ∅→${to}`,
      flow: "autonomous",
      initial: null,
      proposed: deferred(to),
      expect: accept(to),
    }),
  ),
  {
    id: "B5",
    flow: "autonomous",
    initial: st(SCHEDULED, undefined, {
      scheduled_time: "2020-03-03T00:00:00.000000Z",
      task_parameters_id: "P",
    }),
    proposed: deferred(PENDING),
    expect: accept(PENDING, undefined, (run) => {
      assert.equal(run.state?.state_details.scheduled_time, "2020-03-03T00:00:00.000000Z");
      assert.equal(run.state?.state_details.task_parameters_id, "P");
    }),
  },
  {
    id: "B6",
    flow: "autonomous",
    initial: st(PENDING, undefined, { task_parameters_id: "P" }),
    run: { run_count: 1 },
    proposed: deferred(RUNNING),
    expect: accept(RUNNING, "Rerunning", (run) =>
      assert.equal(run.state?.state_details.task_parameters_id, "P"),
    ),
  },
  {
    id: "B6 (flow not running is not checked)",
    flow: st(PENDING),
    initial: st(PENDING),
    proposed: deferred(RUNNING),
    expect: accept(RUNNING, "Running"),
  },
  {
    id: "B7",
    flow: "autonomous",
    initial: st(SCHEDULED, undefined, { scheduled_time: inSeconds(60) }),
    proposed: deferred(RUNNING),
    frozen: true,
    expect: waitFor(60),
  },
  {
    id: "B8",
    flow: "autonomous",
    initial: st(RUNNING),
    run: { run_count: 1, empirical_policy: { retries: 1 } },
    proposed: deferred(FAILED),
    expect: rejectTo(SCHEDULED, "AwaitingRetry", (run) =>
      assert.equal(run.state?.state_details.deferred, false),
    ),
  },
  {
    id: "N6",
    initial: st(RUNNING),
    run: { run_count: 1, empirical_policy: { retries: 1 } },
    proposed: st(FAILED),
    force: true,
    expect: accept(FAILED),
  },
];

describeOnEachDialect("task policies", (t) => {
  async function flowFor(c: Pick<TaskCase, "flow" | "flowRunCount">): Promise<string | null> {
    if (c.flow === "autonomous") return null;
    const flow = c.flow === undefined ? st(RUNNING) : c.flow;
    return (await flowRunIn(t.database, flow, { run_count: c.flowRunCount ?? 1 })).id;
  }

  for (const c of CASES) {
    void it(`${c.id}: ${c.initial?.name ?? c.initial?.type ?? "∅"} → ${c.proposed.name ?? c.proposed.type}`, async () => {
      const flowRunId = await flowFor(c);
      const run = await taskRunIn(t.database, flowRunId, c.initial, c.run);
      const ctx = c.frozen ? ctxOf(t.database, FROZEN) : t.ctx;
      const outcome = await setTaskRunState(ctx, run.id, c.proposed, { force: c.force });
      assertOutcome(outcome, c.expect, run, await readTaskRun(t.ctx, run.id));
    });
  }

  async function completeWithKey(key: string, data: unknown, expiration: string | null) {
    const flowRunId = await flowFor({});
    const run = await taskRunIn(t.database, flowRunId, st(RUNNING));
    const done = await setTaskRunState(
      t.ctx,
      run.id,
      st(COMPLETED, undefined, { cache_key: key, cache_expiration: expiration }, { data }),
    );
    assert.equal(done.result.status, "ACCEPT");
    return done.result.state;
  }
  async function runWithKey(key: string, extra = {}) {
    const flowRunId = await flowFor({});
    const run = await taskRunIn(t.database, flowRunId, st(PENDING));
    const outcome = await setTaskRunState(
      t.ctx,
      run.id,
      st(RUNNING, undefined, { cache_key: key, ...extra }),
    );
    return { run, outcome, after: await readTaskRun(t.ctx, run.id) };
  }

  void it("T38/T1: a completed state with a cache key is served as Cached", async () => {
    const cached = await completeWithKey("K1", { type: "reference", v: 1 }, inSeconds(3600));
    const { run, outcome, after } = await runWithKey("K1");
    assertOutcome(outcome, rejectTo(COMPLETED, "Cached"), run, after);
    assert.deepEqual(outcome.result.state?.data, { type: "reference", v: 1 });
    assert.notEqual(outcome.result.state?.id, cached?.id);
    assert.equal(outcome.result.state?.state_details.task_run_id, run.id);
    assert.equal(outcome.result.state?.state_details.flow_run_id, run.flow_run_id);
    assert.equal(after.run_count, 0);
    assert.equal(after.start_time, after.state?.timestamp);
    assert.equal(after.end_time, after.state?.timestamp);
  });

  void it("T1: an entry without expiration is live", async () => {
    await completeWithKey("K-forever", PERSISTED, null);
    assert.equal((await runWithKey("K-forever")).outcome.result.state?.name, "Cached");
  });

  void it("T2: expired entries and refresh_cache do not hit", async () => {
    await completeWithKey("K2", PERSISTED, inSeconds(-10));
    assert.equal((await runWithKey("K2")).outcome.result.status, "ACCEPT");
    await completeWithKey("K2b", PERSISTED, null);
    const refreshed = await runWithKey("K2b", { refresh_cache: true });
    assert.equal(refreshed.outcome.result.status, "ACCEPT");
    assert.equal(refreshed.outcome.result.state?.type, RUNNING);
  });

  void it("T3: the newest live entry wins", async () => {
    await completeWithKey("K3", { type: "reference", v: "old" }, null);
    await completeWithKey("K3", { type: "reference", v: "new" }, null);
    assert.deepEqual((await runWithKey("K3")).outcome.result.state?.data, {
      type: "reference",
      v: "new",
    });
  });

  void it("T39: non-COMPLETED states and cache hits insert no entry; T40: over-long keys neither", async () => {
    for (const type of [
      SCHEDULED,
      PENDING,
      RUNNING,
      FAILED,
      CANCELLED,
      CRASHED,
      PAUSED,
      CANCELLING,
    ]) {
      const flowRunId = await flowFor({});
      const run = await taskRunIn(t.database, flowRunId, st(RUNNING));
      await setTaskRunState(t.ctx, run.id, st(type, undefined, { cache_key: "K39" }), {
        force: true,
      });
    }
    assert.equal((await runWithKey("K39")).outcome.result.status, "ACCEPT");
    const long = "y".repeat(5000);
    await completeWithKeyRejected(long);
    assert.equal((await runWithKey(long)).outcome.result.status, "ACCEPT");
    await completeWithKey("K39b", PERSISTED, null);
    await runWithKey("K39b");
    const entries = await t.database.db
      .selectFrom("task_run_state_cache")
      .select("id")
      .where("cache_key", "=", "K39b")
      .execute();
    assert.equal(entries.length, 1);
  });
  async function completeWithKeyRejected(key: string) {
    const run = await taskRunIn(t.database, await flowFor({}), st(RUNNING));
    const o = await setTaskRunState(t.ctx, run.id, st(COMPLETED, undefined, { cache_key: key }));
    assert.equal(o.result.status, "REJECT");
    assert.equal(o.written, true);
  }

  void it("B9: background tasks hit the cache too", async () => {
    await completeWithKey("K-bg", PERSISTED, null);
    const run = await taskRunIn(t.database, null, st(PENDING));
    const o = await setTaskRunState(
      t.ctx,
      run.id,
      deferred(RUNNING, undefined, { cache_key: "K-bg" }),
    );
    assert.equal(o.result.status, "REJECT");
    assert.equal(o.result.state?.name, "Cached");
  });

  void it("T35: RUNNING twice is accepted and renamed Rerunning", async () => {
    const run = await taskRunIn(t.database, await flowFor({}), st(PENDING));
    await setTaskRunState(t.ctx, run.id, st(RUNNING, "Test State"));
    const second = await setTaskRunState(t.ctx, run.id, st(RUNNING, "Test State"));
    assert.equal(second.result.status, "ACCEPT");
    assert.equal(second.result.state?.name, "Rerunning");
    assert.equal((await readTaskRun(t.ctx, run.id)).run_count, 2);
  });

  void it("T37: deleting the flow run removes its task runs → not found", async () => {
    const flowRunId = await flowFor({});
    const run = await taskRunIn(t.database, flowRunId, st(PENDING));
    if (flowRunId) assert.equal(await deleteFlowRun(t.database, flowRunId), true);
    await assert.rejects(setTaskRunState(t.ctx, run.id, st(RUNNING)), {
      code: "ERR_OBJECT_NOT_FOUND",
      message: "Task run not found",
    });
  });

  void it("N7: creation forces the initial state (RUNNING counts a run; default Pending)", async () => {
    const flowRunId = await flowFor({});
    const { taskRun } = await createTaskRun(t.ctx, {
      flow_run_id: flowRunId,
      task_key: "n7",
      dynamic_key: "0",
      state: st(RUNNING),
    });
    assert.equal(taskRun.run_count, 1);
    assert.equal(taskRun.start_time, taskRun.state?.timestamp);
    const plain = await createTaskRun(t.ctx, {
      flow_run_id: flowRunId,
      task_key: "n7",
      dynamic_key: "1",
    });
    assert.equal(plain.taskRun.state?.type, PENDING);
    assert.equal(plain.taskRun.state?.state_details.task_run_id, plain.taskRun.id);
  });
});

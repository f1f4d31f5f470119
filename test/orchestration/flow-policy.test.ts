/** CoreFlowPolicy, MinimalFlowPolicy and MarkLateRunsPolicy cases (orchestration-cases.md §F, §N). */
import assert from "node:assert/strict";
import { it } from "node:test";
import { resolveEventFilter } from "../../src/core/event-filter.ts";
import type { FlowRun } from "../../src/core/runs.ts";
import type { StateCreate } from "../../src/core/state.ts";
import { StateType } from "../../src/core/state-types.ts";
import { type Clock, secondsBetween } from "../../src/core/time.ts";
import type { TransitionOutcome } from "../../src/orchestration/apply.ts";
import { MarkLateRunsPolicy } from "../../src/orchestration/policies.ts";
import { readEvents } from "../../src/resources/events/queries.ts";
import {
  readFlowRun,
  type SetFlowRunStateOptions,
  setFlowRunState,
} from "../../src/resources/flow-runs/model.ts";
import { createServerCore } from "../../src/services/composition.ts";
import { ctxOf, publishedEvents } from "../helpers/context.ts";
import { assertOutcome, type Expect, st } from "./cases.ts";
import {
  describeOnEachDialect,
  type FlowRunFields,
  flowRunIn,
  inSeconds,
  TestClock,
} from "./helpers.ts";

const { SCHEDULED, PENDING, RUNNING, PAUSED, CANCELLING, COMPLETED, FAILED, CANCELLED, CRASHED } =
  StateType;
const TERMINAL = [COMPLETED, FAILED, CANCELLED, CRASHED] as const;
const DEPLOYMENT = "0f0f0f0f-0000-4000-8000-000000000001";
const PERSISTED = { type: "reference", storage_key: "abc" };
/** Frozen when the module loaded, as the scheduled times of the table were computed then. */
const FROZEN = new TestClock();
const near = (a: string | null | undefined, b: string, tolerance = 5) =>
  assert.ok(a && Math.abs(secondsBetween(a, b)) < tolerance, `${a} ≈ ${b}`);

interface FlowCase {
  id: string;
  initial: StateCreate | null;
  run?: FlowRunFields;
  proposed: StateCreate;
  options?: SetFlowRunStateOptions;
  /** The app clock the transition is evaluated with (default: the system clock). */
  clock?: Clock;
  expect: Expect<FlowRun>;
}

const accept = (type?: StateType, name?: string, check?: Expect<FlowRun>["check"]) =>
  ({ status: "ACCEPT", written: true, type, name, check }) as const;
const rejectCur = (check?: Expect<FlowRun>["check"]) =>
  ({ status: "REJECT", written: false, check }) as const;
const abortCur = (check?: Expect<FlowRun>["check"]) =>
  ({ status: "ABORT", written: false, check }) as const;
const rejectTo = (type: StateType, name?: string, check?: Expect<FlowRun>["check"]) =>
  ({ status: "REJECT", written: true, type, name, check }) as const;

const pausedPolicy = { pause_keys: ["k0"], resuming: true, retry_type: "in_process" as const };

const CASES: FlowCase[] = [
  {
    id: "F1",
    initial: st(PENDING, "Pending", { deployment_concurrency_lease_id: "L" }),
    proposed: st(PENDING, "Submitting", { deployment_concurrency_lease_id: null }),
    expect: accept(PENDING, "Submitting", (run) =>
      assert.equal(run.state?.state_details.deployment_concurrency_lease_id, "L"),
    ),
  },
  {
    id: "F1 (own lease kept)",
    initial: st(PENDING, "Pending", { deployment_concurrency_lease_id: "L" }),
    proposed: st(PENDING, "Submitting", { deployment_concurrency_lease_id: "M" }),
    expect: accept(PENDING, "Submitting", (run) =>
      assert.equal(run.state?.state_details.deployment_concurrency_lease_id, "M"),
    ),
  },
  {
    id: "F2",
    initial: st(PENDING, undefined, { transition_id: "X" }),
    proposed: st(PENDING, "Test State", { transition_id: "X" }),
    expect: rejectCur(),
  },
  {
    id: "F3",
    initial: st(PENDING, "Pending", { transition_id: "X" }),
    proposed: st(RUNNING, undefined, { transition_id: "Y" }),
    expect: accept(RUNNING),
  },
  {
    id: "F3 (no ids)",
    initial: st(PENDING),
    proposed: st(RUNNING, undefined, { transition_id: "Y" }),
    expect: accept(RUNNING),
  },
  ...TERMINAL.flatMap((from) =>
    [CRASHED, CANCELLING, PAUSED].map(
      (to): FlowCase => ({
        id: `F4 ${from}→${to}`,
        initial: st(from),
        proposed: st(to),
        expect: abortCur(),
      }),
    ),
  ),
  ...[RUNNING, PENDING, SCHEDULED].flatMap((to) =>
    [null, DEPLOYMENT].map(
      (deployment): FlowCase => ({
        id: `F5 COMPLETED(persisted)→${to}${deployment ? " (deployment)" : ""}`,
        initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
        run: { deployment_id: deployment },
        proposed: st(to),
        expect: rejectCur(),
      }),
    ),
  ),
  ...[null, { type: "unpersisted" }].map(
    (data): FlowCase => ({
      id: `F6 data ${JSON.stringify(data)}`,
      initial: st(COMPLETED, undefined, {}, { data }),
      run: { empirical_policy: pausedPolicy, run_count: 1 },
      proposed: st(RUNNING),
      expect: accept(RUNNING, undefined, (run) => {
        assert.deepEqual(run.empirical_policy.pause_keys, []);
        assert.equal(run.empirical_policy.resuming, false);
        assert.equal(run.empirical_policy.retry_type, null);
        assert.equal(run.end_time, null);
        assert.equal(run.run_count, 2);
      }),
    }),
  ),
  ...[undefined, 1].map(
    (data): FlowCase => ({
      id: `F7 data ${JSON.stringify(data)}`,
      initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
      proposed: st(COMPLETED, undefined, {}, { data }),
      expect: rejectCur((run) => assert.deepEqual(run.state?.data, PERSISTED)),
    }),
  ),
  {
    id: "F8",
    initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
    proposed: st(COMPLETED, undefined, {}, { data: { type: "reference", storage_key: "new" } }),
    expect: accept(COMPLETED, undefined, (run, _o, prev) =>
      assert.equal(run.end_time, prev.end_time),
    ),
  },
  ...[1, [1, 2]].map(
    (data): FlowCase => ({
      id: `F8 scalar/list ${JSON.stringify(data)}`,
      initial: st(COMPLETED, undefined, {}, { data }),
      proposed: st(COMPLETED),
      expect: accept(COMPLETED),
    }),
  ),
  {
    id: "F9",
    initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
    proposed: st(FAILED),
    expect: accept(FAILED),
  },
  {
    id: "F10",
    initial: st(FAILED),
    run: { run_count: 2 },
    proposed: st(SCHEDULED, "AwaitingRetry"),
    expect: abortCur((run) => assert.equal(run.run_count, 2)),
  },
  ...["AwaitingRetry", "FooBar"].map(
    (name): FlowCase => ({
      id: `F11 ${name}`,
      initial: st(FAILED),
      run: {
        deployment_id: DEPLOYMENT,
        run_count: 3,
        empirical_policy: { retries: 2, pause_keys: ["k"] },
      },
      proposed: st(SCHEDULED, name),
      expect: accept(SCHEDULED, name, (run) => {
        assert.equal(run.run_count, 3);
        assert.equal(run.empirical_policy.retry_type, "reschedule");
        assert.deepEqual(run.empirical_policy.pause_keys, []);
        assert.equal(run.end_time, null);
      }),
    }),
  ),
  {
    id: "F12",
    initial: st(FAILED),
    run: { run_count: 1, empirical_policy: { retry_type: "in_process" } },
    proposed: st(RUNNING),
    expect: accept(RUNNING, undefined, (run) => {
      assert.equal(run.empirical_policy.retry_type, null);
      assert.equal(run.run_count, 2);
    }),
  },
  {
    id: "F13",
    initial: st(CANCELLED),
    run: { empirical_policy: pausedPolicy },
    proposed: st(PENDING),
    expect: abortCur((run) =>
      assert.deepEqual(run.empirical_policy, { ...run.empirical_policy, ...pausedPolicy }),
    ),
  },
  ...[COMPLETED, FAILED, CRASHED, RUNNING, PENDING, SCHEDULED, PAUSED, CANCELLING].map(
    (to): FlowCase => ({
      id: `${[COMPLETED, FAILED, CRASHED].includes(to as "FAILED") ? "F14" : "F15"} CANCELLING→${to}`,
      initial: st(CANCELLING),
      proposed: st(to),
      expect: rejectCur((run) => assert.equal(run.state_type, CANCELLING)),
    }),
  ),
  {
    id: "F16",
    initial: st(CANCELLING),
    proposed: st(CANCELLED),
    expect: accept(CANCELLED, undefined, (run) => assert.equal(run.end_time, run.state?.timestamp)),
  },
  {
    id: "F16 (CANCELLED→RUNNING)",
    initial: st(CANCELLED),
    proposed: st(RUNNING),
    expect: accept(RUNNING),
  },
  {
    id: "F17",
    initial: st(SCHEDULED, "Scheduled", { scheduled_time: inSeconds(60) }),
    proposed: st(CANCELLING),
    expect: rejectTo(CANCELLED, "Cancelled", (run) => {
      assert.equal(run.start_time, run.state?.timestamp);
      assert.equal(run.end_time, run.state?.timestamp);
      assert.equal(run.next_scheduled_start_time, null);
    }),
  },
  {
    id: "F18 AwaitingRetry with pid",
    initial: st(SCHEDULED, "AwaitingRetry"),
    run: { infrastructure_pid: "123" },
    proposed: st(CANCELLING),
    expect: accept(CANCELLING),
  },
  ...[RUNNING, PENDING].map(
    (from): FlowCase => ({
      id: `F18 ${from}`,
      initial: st(from),
      proposed: st(CANCELLING),
      expect: accept(CANCELLING),
    }),
  ),
  ...[null, "123"].map(
    (pid): FlowCase => ({
      id: `F19 pid ${pid}`,
      initial: st(SCHEDULED, "Resuming"),
      run: { infrastructure_pid: pid },
      proposed: st(CANCELLING),
      expect: rejectTo(CANCELLED),
    }),
  ),
  ...[null, DEPLOYMENT].map(
    (deployment): FlowCase => ({
      id: `F20 deployment ${deployment}`,
      initial: st(PAUSED, "Suspended", { pause_reschedule: true }),
      run: { deployment_id: deployment },
      proposed: st(CANCELLING),
      expect: rejectTo(CANCELLED),
    }),
  ),
  {
    id: "F21",
    initial: st(PAUSED, "Paused"),
    proposed: st(CANCELLING),
    expect: rejectCur((run) => assert.equal(run.state_name, "Paused")),
  },
  ...["Pending", "Test State"].map(
    (name): FlowCase => ({
      id: `F22 ${name}`,
      initial: st(PENDING, name),
      proposed: st(PENDING, name),
      expect: abortCur(),
    }),
  ),
  { id: "F23", initial: st(RUNNING), proposed: st(PENDING), expect: abortCur() },
  {
    id: "F24",
    initial: st(PENDING, "Pending", {
      scheduled_time: "2030-01-01T00:00:00.000000Z",
      deployment_concurrency_lease_id: "L",
    }),
    proposed: st(PENDING, "Submitting"),
    expect: accept(PENDING, "Submitting", (run) => {
      assert.equal(run.state?.state_details.scheduled_time, "2030-01-01T00:00:00.000000Z");
      assert.equal(run.state?.state_details.deployment_concurrency_lease_id, "L");
    }),
  },
  {
    id: "F24 Submitting→InfrastructurePending",
    initial: st(PENDING, "Submitting"),
    proposed: st(PENDING, "InfrastructurePending"),
    expect: accept(PENDING, "InfrastructurePending"),
  },
  ...["Submitting", "InfrastructurePending"].map(
    (name): FlowCase => ({
      id: `F25 ${name}`,
      initial: st(PENDING, name),
      proposed: st(PENDING, "Pending"),
      expect: abortCur(),
    }),
  ),
  {
    id: "F29 (no deployment: lease copied, no validation)",
    initial: st(PENDING, "Pending", { deployment_concurrency_lease_id: "L" }),
    proposed: st(RUNNING),
    expect: accept(RUNNING, undefined, (run) =>
      assert.equal(run.state?.state_details.deployment_concurrency_lease_id, "L"),
    ),
  },
  {
    id: "F34 (no deployment: not enforced)",
    initial: st(SCHEDULED),
    proposed: st(PENDING),
    expect: accept(PENDING, undefined, (run) =>
      assert.equal(run.state?.state_details.deployment_concurrency_lease_id, null),
    ),
  },
  ...[RUNNING, PENDING].map(
    (from): FlowCase => ({
      id: `F43 ${from}`,
      initial: st(from),
      proposed: st(SCHEDULED, "Late"),
      expect: rejectCur(),
    }),
  ),
  {
    id: "F44",
    initial: st(SCHEDULED),
    proposed: st(SCHEDULED, "Late"),
    expect: accept(SCHEDULED, "Late"),
  },
  {
    id: "F44 (LR)",
    initial: st(SCHEDULED),
    proposed: st(SCHEDULED, "Late"),
    options: { policy: MarkLateRunsPolicy },
    expect: accept(SCHEDULED, "Late"),
  },
  {
    id: "F45",
    initial: st(SCHEDULED, "Late"),
    proposed: st(SCHEDULED, "Late"),
    expect: rejectCur(),
  },
  {
    id: "F45 (LR)",
    initial: st(SCHEDULED, "Late"),
    proposed: st(SCHEDULED, "Late"),
    options: { policy: MarkLateRunsPolicy },
    expect: rejectCur(),
  },
  {
    id: "F46",
    initial: st(RUNNING),
    proposed: st(PAUSED, undefined, { pause_key: "k", pause_timeout: inSeconds(1000) }),
    expect: accept(PAUSED, undefined, (run) =>
      assert.deepEqual(run.empirical_policy.pause_keys, ["k"]),
    ),
  },
  {
    id: "F47",
    initial: st(RUNNING),
    run: { empirical_policy: { pause_keys: ["k"] } },
    proposed: st(PAUSED, undefined, { pause_key: "k" }),
    expect: rejectCur((run) => assert.equal(run.state_type, RUNNING)),
  },
  {
    id: "F48",
    initial: st(RUNNING),
    run: { empirical_policy: { pause_keys: ["a"] } },
    proposed: st(PAUSED),
    expect: accept(PAUSED, undefined, (run) =>
      assert.equal(run.empirical_policy.pause_keys.length, 2),
    ),
  },
  ...[SCHEDULED, PENDING, PAUSED].map(
    (from): FlowCase => ({
      id: `F49 ${from}`,
      initial: st(from),
      proposed: st(PAUSED),
      expect: rejectCur(),
    }),
  ),
  {
    id: "F49 ∅",
    initial: null,
    proposed: st(PAUSED),
    expect: abortCur((_run, outcome) => assert.equal(outcome.result.state, null)),
  },
  {
    id: "F50 no deployment",
    initial: st(RUNNING),
    proposed: st(PAUSED, "Suspended", { pause_reschedule: true }),
    expect: abortCur(),
  },
  {
    id: "F50 subflow",
    initial: st(RUNNING),
    run: { deployment_id: DEPLOYMENT, parent_task_run_id: "0f0f0f0f-0000-4000-8000-0000000000aa" },
    proposed: st(PAUSED, "Suspended", { pause_reschedule: true }),
    expect: abortCur(),
  },
  {
    id: "F51",
    initial: st(RUNNING),
    run: { deployment_id: DEPLOYMENT },
    proposed: st(PAUSED, "Suspended", { pause_reschedule: true }),
    expect: accept(PAUSED, "Suspended"),
  },
  ...[inSeconds(600), null].flatMap((timeout) =>
    [null, DEPLOYMENT].map(
      (deployment): FlowCase => ({
        id: `F52 timeout ${timeout ? "future" : "null"} deployment ${deployment}`,
        initial: st(PAUSED, "Paused", { pause_timeout: timeout }),
        run: { deployment_id: deployment, run_count: 1 },
        proposed: st(RUNNING),
        expect: accept(RUNNING, undefined, (run) => {
          assert.equal(run.empirical_policy.resuming, true);
          assert.equal(run.run_count, 2);
        }),
      }),
    ),
  ),
  {
    id: "F53 PENDING",
    initial: st(PAUSED),
    proposed: st(PENDING),
    expect: rejectCur((run) => assert.equal(run.empirical_policy.resuming, true)),
  },
  {
    id: "F53 PAUSED",
    initial: st(PAUSED),
    proposed: st(PAUSED),
    expect: rejectCur((run) => assert.equal(run.empirical_policy.resuming, false)),
  },
  ...[RUNNING, SCHEDULED, COMPLETED].map(
    (to): FlowCase => ({
      id: `F54 ${to}`,
      initial: st(PAUSED, "Suspended", { pause_reschedule: true }),
      proposed: st(to),
      expect: rejectCur(),
    }),
  ),
  ...[RUNNING, SCHEDULED, COMPLETED].map(
    (to): FlowCase => ({
      id: `F55 ${to}`,
      initial: st(PAUSED, "Paused", { pause_timeout: inSeconds(-300) }),
      run: { deployment_id: DEPLOYMENT },
      proposed: st(to),
      expect: rejectTo(FAILED),
    }),
  ),
  ...[COMPLETED, FAILED, CRASHED, CANCELLED].map(
    (to): FlowCase => ({
      id: `F57 ${to}`,
      initial: st(PAUSED, "Paused", { pause_timeout: inSeconds(600) }),
      proposed: st(to),
      expect: accept(to),
    }),
  ),
  {
    id: "F58",
    initial: st(SCHEDULED, undefined, { scheduled_time: "2020-01-01T00:00:00.000000Z" }),
    proposed: st(PENDING),
    expect: accept(PENDING, undefined, (run) =>
      assert.equal(run.state?.state_details.scheduled_time, "2020-01-01T00:00:00.000000Z"),
    ),
  },
  {
    id: "F58 (own time kept)",
    initial: st(SCHEDULED, undefined, { scheduled_time: "2020-01-01T00:00:00.000000Z" }),
    proposed: st(PENDING, undefined, { scheduled_time: "2021-01-01T00:00:00.000000Z" }),
    expect: accept(PENDING, undefined, (run) =>
      assert.equal(run.state?.state_details.scheduled_time, "2021-01-01T00:00:00.000000Z"),
    ),
  },
  {
    id: "F59",
    clock: FROZEN,
    initial: st(SCHEDULED, undefined, { scheduled_time: inSeconds(300) }),
    proposed: st(RUNNING),
    expect: {
      status: "WAIT",
      written: false,
      check: (_r, o) => assert.ok(waitSeconds(o) >= 298 && waitSeconds(o) <= 300),
    },
  },
  {
    id: "F60",
    clock: FROZEN,
    initial: st(PENDING, undefined, { scheduled_time: inSeconds(86400) }),
    proposed: st(RUNNING),
    expect: {
      status: "WAIT",
      written: false,
      check: (_r, o) => assert.ok(Math.abs(waitSeconds(o) - 86400) <= 2),
    },
  },
  ...[
    ["SCHEDULED past", st(SCHEDULED, undefined, { scheduled_time: inSeconds(-60) })],
    ["SCHEDULED +0.2 s", st(SCHEDULED, undefined, { scheduled_time: inSeconds(0.2) })],
    ["PENDING past", st(PENDING, undefined, { scheduled_time: inSeconds(-60) })],
    ["PENDING no time", st(PENDING)],
  ].map(
    ([label, initial]): FlowCase => ({
      id: `F61 ${label}`,
      initial: initial as StateCreate,
      proposed: st(RUNNING),
      expect: accept(RUNNING),
    }),
  ),
  ...TERMINAL.map(
    (to): FlowCase => ({
      id: `F62 ${to}`,
      initial: st(SCHEDULED, undefined, { scheduled_time: inSeconds(300) }),
      proposed: st(to),
      expect: accept(to),
    }),
  ),
  {
    id: "F63",
    initial: st(SCHEDULED, undefined, { scheduled_time: inSeconds(30 * 86400) }),
    proposed: st(RUNNING),
    options: { force: true },
    expect: accept(RUNNING),
  },
  ...[10, null].map(
    (delay): FlowCase => ({
      id: `F64 retry_delay ${delay}`,
      initial: st(RUNNING, undefined, {}, { timestamp: inSeconds(-42) }),
      run: {
        run_count: 1,
        empirical_policy: { retries: 1, retry_delay: delay, pause_keys: ["k"], resuming: true },
      },
      proposed: st(FAILED, undefined, {}, { message: "m", data: { type: "reference", k: 1 } }),
      expect: rejectTo(SCHEDULED, "AwaitingRetry", (run) => {
        near(run.state?.state_details.scheduled_time, inSeconds(delay ?? 0));
        assert.equal(run.state?.message, "m");
        assert.deepEqual(run.state?.data, { type: "reference", k: 1 });
        assert.equal(run.empirical_policy.retry_type, "in_process");
        assert.deepEqual(run.empirical_policy.pause_keys, []);
        assert.equal(run.empirical_policy.resuming, false);
        // the case's Running timestamp is taken when the case list is built: allow for a slow run
        assert.ok(run.total_run_time >= 42 && run.total_run_time < 42 + 600);
      }),
    }),
  ),
  ...[
    ["retries 1, run_count 2", 1, 2],
    ["retries null", null, 1],
  ].map(
    ([label, retries, runCount]): FlowCase => ({
      id: `F65 ${label}`,
      initial: st(RUNNING),
      run: {
        run_count: runCount as number,
        empirical_policy: { retries: retries as number | null, retry_type: "in_process" },
      },
      proposed: st(FAILED),
      expect: accept(FAILED, undefined, (run) =>
        assert.equal(run.empirical_policy.retry_type, null),
      ),
    }),
  ),
  {
    id: "N1 no data",
    initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
    proposed: st(COMPLETED),
    options: { force: true },
    expect: rejectCur(),
  },
  {
    id: "N1 scalar",
    initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
    proposed: st(COMPLETED, undefined, {}, { data: 1 }),
    options: { force: true },
    expect: rejectCur(),
  },
  {
    id: "N2",
    initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
    proposed: st(COMPLETED, undefined, {}, { data: { type: "reference", storage_key: "n" } }),
    options: { force: true },
    expect: accept(COMPLETED),
  },
  {
    id: "N2 (list → no data)",
    initial: st(COMPLETED, undefined, {}, { data: [1] }),
    proposed: st(COMPLETED),
    options: { force: true },
    expect: accept(COMPLETED),
  },
  {
    id: "N3",
    initial: st(SCHEDULED),
    proposed: st(CANCELLING),
    options: { force: true },
    expect: rejectTo(CANCELLED),
  },
  ...[CRASHED, RUNNING, PENDING].map(
    (to): FlowCase => ({
      id: `N5 ${to}`,
      initial: st(COMPLETED, undefined, {}, { data: PERSISTED }),
      proposed: st(to),
      options: { force: true },
      expect: accept(to, undefined, (run) => {
        if (to !== CRASHED) assert.equal(run.end_time, null);
      }),
    }),
  ),
  {
    id: "N8",
    initial: st(SCHEDULED, "Scheduled", { scheduled_time: inSeconds(-20) }),
    proposed: st(SCHEDULED, "Late"),
    options: { policy: MarkLateRunsPolicy },
    expect: accept(SCHEDULED, "Late"),
  },
  {
    id: "N10 (no deployment)",
    initial: st(SCHEDULED),
    proposed: st(SCHEDULED, "Late"),
    options: { policy: MarkLateRunsPolicy },
    expect: accept(SCHEDULED, "Late"),
  },
];

function waitSeconds(outcome: TransitionOutcome): number {
  const d = outcome.result.details;
  assert.equal(d.type, "wait_details");
  return d.type === "wait_details" ? d.delay_seconds : Number.NaN;
}

describeOnEachDialect("flow policies", (t) => {
  for (const c of CASES) {
    void it(`${c.id}: ${c.initial?.name ?? c.initial?.type ?? "∅"} → ${c.proposed.name ?? c.proposed.type}`, async () => {
      const run = await flowRunIn(t.database, c.initial, c.run);
      const ctx = c.clock ? ctxOf(t.database, c.clock) : t.ctx;
      const outcome = await setFlowRunState(ctx, run.id, c.proposed, c.options);
      assertOutcome(outcome, c.expect, run, await readFlowRun(t.ctx, run.id));
    });
  }

  void it("F56: a suspended run resumes through Scheduled/Resuming without counting a run", async () => {
    const { database, ctx } = t;
    const run = await flowRunIn(database, st(PAUSED, "Suspended", { pause_reschedule: true }), {
      deployment_id: DEPLOYMENT,
      run_count: 1,
    });
    const now = inSeconds(0);
    const resumed = await setFlowRunState(
      ctx,
      run.id,
      st(SCHEDULED, "Resuming", { scheduled_time: now }),
    );
    assert.equal(resumed.result.status, "ACCEPT");
    let current = await readFlowRun(ctx, run.id);
    assert.equal(current.empirical_policy.resuming, true);
    assert.equal(current.next_scheduled_start_time, now);
    assert.equal((await setFlowRunState(ctx, run.id, st(PENDING))).result.status, "ACCEPT");
    assert.equal((await setFlowRunState(ctx, run.id, st(RUNNING))).result.status, "ACCEPT");
    current = await readFlowRun(ctx, run.id);
    assert.equal(current.run_count, 1);
    assert.equal(current.empirical_policy.resuming, false);
  });

  void it("F66: AwaitingRetry waits until its time, then runs keeping the proposed name", async () => {
    const { database } = t;
    const clock = new TestClock();
    const ctx = ctxOf(database, clock);
    const run = await flowRunIn(
      database,
      st(SCHEDULED, "AwaitingRetry", { scheduled_time: inSeconds(30) }),
      { run_count: 1 },
    );
    const waiting = await setFlowRunState(ctx, run.id, st(RUNNING));
    assert.equal(waiting.result.status, "WAIT");
    assert.ok(Math.abs(waitSeconds(waiting) - 30) <= 1);
    clock.advance(31);
    const running = await setFlowRunState(ctx, run.id, st(RUNNING));
    assert.equal(running.result.status, "ACCEPT");
    assert.equal(running.result.state?.name, "Running");
    assert.equal((await readFlowRun(ctx, run.id)).run_count, 2);
  });

  void it("F67/F68/F69/N4: events for written states only, stored with them, published after commit", async () => {
    const { database } = t;
    const core = createServerCore({ database });
    const { ctx } = core;
    const events = publishedEvents(core);
    // created through the suite's own context: its creation event is not published on `core`
    const run = await flowRunIn(database, st(PENDING), {
      tags: ["a"],
      empirical_policy: { retries: 1 },
    });
    const running = await setFlowRunState(ctx, run.id, st(RUNNING));
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e?.event, "prefect.flow-run.Running");
    assert.equal(e?.id, running.result.state?.id);
    assert.equal(e?.follows, run.state?.id);
    assert.equal(e?.resource["prefect.resource.id"], `prefect.flow-run.${run.id}`);
    assert.equal(e?.resource["prefect.state-type"], "RUNNING");
    assert.equal(e?.resource["prefect.run-count"], "1");
    assert.ok(e?.related.some((r) => r["prefect.resource.id"] === `prefect.flow.${run.flow_id}`));
    assert.ok(e?.related.some((r) => r["prefect.resource.id"] === "prefect.tag.a"));
    // F69: WAIT / ABORT / null REJECT emit nothing
    const pending = await setFlowRunState(ctx, run.id, st(PENDING));
    const late = await setFlowRunState(ctx, run.id, st(SCHEDULED, "Late"));
    assert.equal(pending.written, false);
    assert.equal(late.written, false);
    assert.equal(events.length, 1);
    // F68: the substituted state names the event
    await setFlowRunState(ctx, run.id, st(FAILED));
    assert.equal(events.length, 2);
    assert.equal(events[1]?.event, "prefect.flow-run.AwaitingRetry");
    // N4: forced FAILED with retries left is written as is, and emits
    await setFlowRunState(ctx, run.id, st(RUNNING), { force: true });
    assert.equal(events.length, 3);
    assert.equal(events[2]?.event, "prefect.flow-run.Running");
    const forced = await setFlowRunState(ctx, run.id, st(FAILED), { force: true });
    assert.equal(forced.result.status, "ACCEPT");
    assert.equal(forced.result.state?.type, FAILED);
    assert.equal(events.length, 4);
    assert.equal(events[3]?.event, "prefect.flow-run.Failed");
    // a written state whose write then fails (its id is taken: ABORT) is rolled back with its
    // event: nothing is published, nothing stored
    const aborted = await setFlowRunState(
      ctx,
      run.id,
      { type: RUNNING, id: run.state?.id ?? "" },
      { force: true },
    );
    assert.equal(aborted.result.status, "ABORT");
    assert.equal(aborted.written, false);
    assert.equal(events.length, 4);
    // the events published are the ones stored, after the creation event of the run
    const stored = await readEvents(
      database,
      resolveEventFilter(
        {
          occurred: { since: "1970-01-01T00:00:00Z", until: "9999-12-31T00:00:00Z" },
          resource: { id: [`prefect.flow-run.${run.id}`], distinct: false },
          order: "ASC",
        },
        ctx.clock.nowIso(),
      ),
      100,
    );
    assert.deepEqual(
      stored.map((s) => [s.id, s.event]),
      [[run.state?.id, "prefect.flow-run.Pending"], ...events.map((p) => [p.id, p.event])],
    );
    assert.deepEqual(stored.slice(1), events);
    await core.close();
  });

  void it("unknown flow run id → ObjectNotFoundError", async () => {
    const id = "0f0f0f0f-0000-4000-8000-00000000dead";
    await assert.rejects(setFlowRunState(t.ctx, id, st(RUNNING)), {
      code: "ERR_OBJECT_NOT_FOUND",
      message: "Flow run not found",
    });
  });
});

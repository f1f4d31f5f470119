/** Global bookkeeping transforms (orchestration-cases.md §G), on every policy. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { StateType } from "../../src/core/state-types.ts";
import { addSeconds, secondsBetween } from "../../src/core/time.ts";
import {
  createFlowRun,
  readFlowRun,
  setFlowRunState,
} from "../../src/resources/flow-runs/model.ts";
import { readFlowRunStates } from "../../src/resources/states/queries.ts";
import { readTaskRun, setTaskRunState } from "../../src/resources/task-runs/model.ts";
import { ctxOf } from "../helpers/context.ts";
import { st } from "./cases.ts";
import {
  describeOnEachDialect,
  flowRunIn,
  inSeconds,
  newFlowId,
  TestClock,
  taskRunIn,
} from "./helpers.ts";

const { SCHEDULED, PENDING, RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED, CRASHED } = StateType;

describeOnEachDialect("global transforms", (t) => {
  void it("G1: a first SCHEDULED state sets the run's state and schedule fields", async () => {
    const when = "2030-05-05T05:05:05.123456Z";
    const { flowRun: run } = await createFlowRun(t.ctx, {
      flow_id: await newFlowId(t.database),
      state: st(SCHEDULED, undefined, { scheduled_time: when }),
    });
    assert.equal(run.state_type, SCHEDULED);
    assert.equal(run.state_name, "Scheduled");
    assert.equal(run.state_timestamp, run.state?.timestamp);
    assert.equal(run.expected_start_time, when);
    assert.equal(run.next_scheduled_start_time, when);
    assert.equal(run.start_time, null);
    assert.equal(run.run_count, 0);
    const stored = await readFlowRun(t.ctx, run.id);
    assert.equal(stored.expected_start_time, when);
  });

  for (const type of [PENDING, RUNNING, COMPLETED]) {
    void it(`G2: a first ${type} state sets expected_start_time to its timestamp`, async () => {
      const { flowRun: run } = await createFlowRun(t.ctx, {
        flow_id: await newFlowId(t.database),
        state: st(type),
      });
      assert.equal(run.expected_start_time, run.state?.timestamp);
      if (type === RUNNING) assert.equal(run.run_count, 1); // N7
    });
  }

  void it("G3: leaving SCHEDULED clears next_scheduled_start_time; SCHEDULED → SCHEDULED replaces it", async () => {
    const t1 = "2030-01-01T00:00:00.000000Z";
    const t2 = "2030-01-02T00:00:00.000000Z";
    const a = await flowRunIn(t.database, st(SCHEDULED, undefined, { scheduled_time: t1 }));
    await setFlowRunState(t.ctx, a.id, st(PENDING));
    let run = await readFlowRun(t.ctx, a.id);
    assert.equal(run.next_scheduled_start_time, null);
    assert.equal(run.expected_start_time, t1);
    const b = await flowRunIn(t.database, st(SCHEDULED, undefined, { scheduled_time: t1 }));
    await setFlowRunState(t.ctx, b.id, st(SCHEDULED, "Late", { scheduled_time: t2 }));
    run = await readFlowRun(t.ctx, b.id);
    assert.equal(run.next_scheduled_start_time, t2);
    assert.equal(run.expected_start_time, t1);
  });

  for (const runCount of [0, 41]) {
    void it(`G4: PENDING → RUNNING sets start_time and counts a run (from ${runCount})`, async () => {
      const flow = await flowRunIn(t.database, st(PENDING), { run_count: runCount });
      const o = await setFlowRunState(t.ctx, flow.id, st(RUNNING));
      const run = await readFlowRun(t.ctx, flow.id);
      assert.equal(run.start_time, o.result.state?.timestamp);
      assert.equal(run.run_count, runCount + 1);
      const task = await taskRunIn(t.database, flow.id, st(PENDING), { run_count: runCount });
      const to = await setTaskRunState(t.ctx, task.id, st(RUNNING));
      const tr = await readTaskRun(t.ctx, task.id);
      assert.equal(tr.start_time, to.result.state?.timestamp);
      assert.equal(tr.run_count, runCount + 1);
    });
  }

  void it("G5: a later RUNNING keeps start_time and counts a run", async () => {
    const start = "2020-01-01T00:00:00.000000Z";
    const flow = await flowRunIn(
      t.database,
      st(SCHEDULED, "AwaitingRetry", { scheduled_time: inSeconds(-1) }),
      {
        start_time: start,
        run_count: 1,
      },
    );
    await setFlowRunState(t.ctx, flow.id, st(RUNNING));
    const run = await readFlowRun(t.ctx, flow.id);
    assert.equal(run.start_time, start);
    assert.equal(run.run_count, 2);
  });

  for (const [label, proposal] of [
    ["COMPLETED", st(COMPLETED)],
    ["AwaitingRetry", st(FAILED)],
    ["PAUSED", st(PAUSED)],
    ["RUNNING", st(RUNNING)],
  ] as const) {
    void it(`G6: RUNNING at a → ${label} at a+42 s adds 42 s of run time`, async () => {
      const a = inSeconds(-100);
      const flow = await flowRunIn(t.database, st(RUNNING, undefined, {}, { timestamp: a }), {
        run_count: 1,
        empirical_policy: { retries: 3 },
      });
      const clock = new TestClock(addSeconds(a, 42)); // substituted states are stamped "now"
      await setFlowRunState(ctxOf(t.database, clock), flow.id, {
        ...proposal,
        timestamp: addSeconds(a, 42),
      });
      const run = await readFlowRun(t.ctx, flow.id);
      if (label === "AwaitingRetry") assert.equal(run.state_name, "AwaitingRetry");
      assert.ok(Math.abs(run.total_run_time - 42) < 0.001, `total_run_time ${run.total_run_time}`);
    });
  }

  void it("G7: PENDING → COMPLETED sets end_time (and start_time), no run time", async () => {
    const flow = await flowRunIn(t.database, st(PENDING));
    const o = await setFlowRunState(t.ctx, flow.id, st(COMPLETED));
    const run = await readFlowRun(t.ctx, flow.id);
    assert.equal(run.total_run_time, 0);
    assert.equal(run.end_time, o.result.state?.timestamp);
    assert.equal(run.start_time, o.result.state?.timestamp);
  });

  for (const type of [COMPLETED, FAILED, CANCELLED, CRASHED]) {
    void it(`G8: ${type} → RUNNING clears end_time`, async () => {
      const flow = await flowRunIn(t.database, st(type));
      assert.ok(flow.end_time);
      await setFlowRunState(t.ctx, flow.id, st(RUNNING), { force: true });
      assert.equal((await readFlowRun(t.ctx, flow.id)).end_time, null);
    });
  }

  void it("G9: final → final keeps end_time", async () => {
    const flow = await flowRunIn(t.database, st(COMPLETED));
    await setFlowRunState(t.ctx, flow.id, st(FAILED));
    assert.equal((await readFlowRun(t.ctx, flow.id)).end_time, flow.end_time);
  });

  for (const [from, to] of [
    [PAUSED, RUNNING],
    [PENDING, RUNNING],
    [RUNNING, COMPLETED],
    [RUNNING, FAILED],
  ] as const) {
    void it(`G10: resuming ${from} → ${to} keeps run_count and clears the flag`, async () => {
      const flow = await flowRunIn(t.database, st(from), {
        run_count: 42,
        empirical_policy: { resuming: true },
      });
      const o = await setFlowRunState(t.ctx, flow.id, st(to));
      assert.equal(o.result.status, "ACCEPT");
      const run = await readFlowRun(t.ctx, flow.id);
      assert.equal(run.run_count, 42);
      // PAUSED → RUNNING: HandleResumingPausedFlows sets the flag again after the transforms
      assert.equal(run.empirical_policy.resuming, from === PAUSED);
    });
  }

  void it("G11: task states carry the task's own ids, whatever the client sent", async () => {
    const other = "0f0f0f0f-0000-4000-8000-0000000000ff";
    const flow = await flowRunIn(t.database, st(RUNNING));
    const task = await taskRunIn(t.database, flow.id, st(PENDING));
    const o = await setTaskRunState(
      t.ctx,
      task.id,
      st(RUNNING, undefined, { task_run_id: other, flow_run_id: other }),
    );
    assert.equal(o.result.state?.state_details.task_run_id, task.id);
    assert.equal(o.result.state?.state_details.flow_run_id, flow.id);
    const auto = await taskRunIn(t.database, null, st(PENDING));
    const ao = await setTaskRunState(
      t.ctx,
      auto.id,
      st(RUNNING, undefined, { flow_run_id: other }),
      {
        force: true,
      },
    );
    assert.equal(ao.result.state?.state_details.flow_run_id, null);
  });

  void it("G12/G13/G14: a subflow's states name its parent task, which follows the subflow", async () => {
    const parent = await flowRunIn(t.database, st(RUNNING));
    const parentTask = await taskRunIn(t.database, parent.id, st(PENDING));
    const { flowRun: sub } = await createFlowRun(t.ctx, {
      flow_id: await newFlowId(t.database),
      parent_task_run_id: parentTask.id,
    });
    assert.equal(sub.state?.state_details.task_run_id, parentTask.id);
    assert.equal(sub.state?.state_details.flow_run_id, sub.id);
    const running = await setFlowRunState(t.ctx, sub.id, st(RUNNING));
    let task = await readTaskRun(t.ctx, parentTask.id);
    assert.equal(task.state_type, RUNNING);
    assert.equal(task.run_count, 1);
    assert.ok(task.start_time);
    assert.equal(task.state?.state_details.child_flow_run_id, sub.id);
    assert.notEqual(task.state?.id, running.result.state?.id);
    await setFlowRunState(t.ctx, sub.id, st(FAILED, undefined, {}, { message: "boom" }));
    task = await readTaskRun(t.ctx, parentTask.id);
    assert.equal(task.state_type, FAILED);
    assert.equal(task.state?.message, "boom");
    assert.ok(task.end_time);
  });

  void it("G15: nullified transitions change nothing, on the run or the parent task", async () => {
    const parent = await flowRunIn(t.database, st(RUNNING));
    const parentTask = await taskRunIn(t.database, parent.id, st(PENDING));
    const { flowRun: sub } = await createFlowRun(t.ctx, {
      flow_id: await newFlowId(t.database),
      parent_task_run_id: parentTask.id,
      state: st(SCHEDULED, undefined, { scheduled_time: inSeconds(300) }),
    });
    const taskBefore = await readTaskRun(t.ctx, parentTask.id);
    const runBefore = await readFlowRun(t.ctx, sub.id);
    const waited = await setFlowRunState(t.ctx, sub.id, st(RUNNING)); // WAIT
    const aborted = await setFlowRunState(t.ctx, sub.id, st(PAUSED)); // null REJECT
    assert.equal(waited.result.status, "WAIT");
    assert.equal(aborted.result.status, "REJECT");
    assert.deepEqual(await readFlowRun(t.ctx, sub.id), runBefore);
    assert.deepEqual(await readTaskRun(t.ctx, parentTask.id), taskBefore);
  });

  void it("G16: a taken timestamp moves forward by 1 µs until unique", async () => {
    const ts = "2030-01-01T00:00:00.000000Z";
    const flow = await flowRunIn(t.database, st(PENDING, undefined, {}, { timestamp: ts }));
    await setFlowRunState(t.ctx, flow.id, st(PENDING, "Submitting", {}, { timestamp: ts }));
    const o = await setFlowRunState(t.ctx, flow.id, st(RUNNING, undefined, {}, { timestamp: ts }));
    assert.equal(o.result.state?.timestamp, "2030-01-01T00:00:00.000002Z");
    assert.equal((await readFlowRun(t.ctx, flow.id)).state_timestamp, o.result.state?.timestamp);
    const stamps = (await readFlowRunStates(t.database, flow.id)).map((s) => s.timestamp);
    assert.equal(new Set(stamps).size, 3);
    assert.ok(secondsBetween(ts, stamps[2] ?? ts) > 0);
  });
});

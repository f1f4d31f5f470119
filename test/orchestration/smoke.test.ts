import assert from "node:assert/strict";
import { it } from "node:test";
import {
  createFlowRun,
  readFlowRun,
  setFlowRunState,
} from "../../src/resources/flow-runs/model.ts";
import { readFlowRunStates } from "../../src/resources/states/queries.ts";
import {
  createTaskRun,
  readTaskRun,
  setTaskRunState,
} from "../../src/resources/task-runs/model.ts";
import { describeOnEachDialect, newFlowId } from "./helpers.ts";

describeOnEachDialect("engine happy path", (t) => {
  void it("creates, runs and completes a flow run with a task run", async () => {
    const { database, ctx } = t;
    const flowId = await newFlowId(database);
    const { flowRun: run, created: flowRunCreated } = await createFlowRun(ctx, { flow_id: flowId });
    assert.equal(flowRunCreated, true);
    assert.equal(run.state?.type, "PENDING");
    assert.equal(run.labels["prefect.flow.id"], flowId);
    const running = await setFlowRunState(ctx, run.id, { type: "RUNNING" });
    assert.equal(running.result.status, "ACCEPT");
    assert.equal(running.written, true);
    const { taskRun, created } = await createTaskRun(ctx, {
      flow_run_id: run.id,
      task_key: "k",
      dynamic_key: "0",
    });
    assert.equal(created, true);
    const again = await createTaskRun(ctx, {
      flow_run_id: run.id,
      task_key: "k",
      dynamic_key: "0",
    });
    assert.equal(again.created, false);
    assert.equal(again.taskRun.id, taskRun.id);
    const tr = await setTaskRunState(ctx, taskRun.id, { type: "RUNNING" });
    assert.equal(tr.result.status, "ACCEPT");
    const tc = await setTaskRunState(ctx, taskRun.id, { type: "COMPLETED" });
    assert.equal(tc.result.status, "ACCEPT");
    const task = await readTaskRun(ctx, taskRun.id);
    assert.equal(task.state_type, "COMPLETED");
    assert.equal(task.run_count, 1);
    assert.equal(task.flow_run_run_count, 1);
    const done = await setFlowRunState(ctx, run.id, { type: "COMPLETED" });
    assert.equal(done.result.status, "ACCEPT");
    const final = await readFlowRun(ctx, run.id);
    assert.equal(final.state_type, "COMPLETED");
    assert.equal(final.run_count, 1);
    assert.ok(final.end_time);
    assert.equal((await readFlowRunStates(database, run.id)).length, 3);
  });
});

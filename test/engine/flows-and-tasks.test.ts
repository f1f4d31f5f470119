import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { getRuntime } from "../../src/engine/process-runtime.ts";
import {
  Completed,
  Failed,
  flow,
  getRunContext,
  getRunLogger,
  ParameterValidationError,
  runtime,
  type State,
  task,
} from "../../src/index.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: flows and tasks run embedded`, () => {
    let h: SdkHarness;
    before(async () => {
      h = await sdkHarness(dialect);
    });
    after(async () => {
      await h.close();
    });

    it("records a flow run and its task runs with their state histories and logs", async () => {
      const add = task({ name: "add" }, async (a: number, b: number) => a + b);
      let flowRunId = "";
      const sum = flow({ name: "sum" }, async (n: number) => {
        flowRunId = getRunContext()?.flowRun?.id ?? "";
        let x = 0;
        for (let i = 0; i < n; i++) x = await add(x, i);
        return x;
      });
      assert.equal(await sum(5), 10);
      const run = await h.client.readFlowRun(flowRunId);
      assert.equal(run.state_type, "COMPLETED");
      assert.equal(run.run_count, 1);
      assert.deepEqual(run.parameters, { n: 5 });
      assert.ok(run.start_time && run.end_time && run.end_time >= run.start_time);
      const states = await h.client.readFlowRunStates(flowRunId);
      assert.deepEqual(
        states.map((s) => s.name),
        ["Pending", "Running", "Completed"],
      );
      const taskRuns = await h.client.readTaskRuns({
        flowRunIds: [flowRunId],
        sort: "EXPECTED_START_TIME_ASC",
      });
      assert.equal(taskRuns.length, 5);
      for (const t of taskRuns) {
        assert.equal(t.state_type, "COMPLETED");
        assert.equal(t.run_count, 1);
        assert.equal(t.flow_run_run_count, 1);
        assert.match(t.name, /^add-[0-9a-f]{3}$/);
        assert.ok(t.start_time && t.end_time);
        assert.deepEqual(Object.keys(t.task_inputs), ["a", "b"]);
      }
      const first = taskRuns[0];
      assert.ok(first);
      const tStates = await h.client.readTaskRunStates(first.id);
      assert.deepEqual(
        tStates.map((s) => s.type),
        ["PENDING", "RUNNING", "COMPLETED"],
      );
      assert.ok(tStates.every((s) => s.state_details.task_run_id === first.id));
      const logs = await h.client.readLogs({ flowRunId });
      const messages = logs.map((l) => l.message);
      assert.ok(messages.includes(`Beginning flow run '${run.name}' for flow 'sum'`));
      assert.equal(messages.filter((m) => m === "Finished in state Completed()").length, 6);
    });

    it("retries a failing task and records AwaitingRetry and Retrying", async () => {
      let calls = 0;
      const flaky = task({ name: "flaky", retries: 3, retryDelaySeconds: 0 }, async () => {
        calls++;
        if (calls < 3) throw new Error("not yet");
        return "ok";
      });
      let id = "";
      const f = flow({ name: "retrying" }, async () => {
        const state = await flaky.callWithState();
        id = state.stateDetails.task_run_id ?? "";
        return state;
      });
      assert.equal(await f(), "ok");
      const run = await h.client.readTaskRun(id);
      assert.equal(run.run_count, 3);
      assert.equal(run.state_name, "Completed");
      const names = (await h.client.readTaskRunStates(id)).map((s) => s.name);
      assert.deepEqual(names, [
        "Pending",
        "Running",
        "AwaitingRetry",
        "Retrying",
        "AwaitingRetry",
        "Retrying",
        "Completed",
      ]);
    });

    it("fails the task when retries are exhausted or the condition says no, and the flow with it", async () => {
      const boom = task({ name: "boom", retries: 1 }, async () => {
        throw new TypeError("bad input");
      });
      const never = task({ name: "never", retries: 5, retryConditionFn: () => false }, async () => {
        throw new Error("fatal");
      });
      const f = flow({ name: "failing" }, async () => {
        const s = await never.callWithState();
        assert.equal(s.name, "Failed");
        await boom();
      });
      const state = await f.callWithState();
      assert.equal(state.type, "FAILED");
      await assert.rejects(() => state.result(), TypeError);
      const runs = await h.client.readTaskRuns({
        flowRunIds: [state.stateDetails.flow_run_id ?? ""],
      });
      const byName = Object.fromEntries(runs.map((r) => [r.name.split("-")[0], r]));
      assert.equal(byName.boom?.run_count, 2);
      assert.equal(byName.never?.run_count, 1);
      assert.match(byName.boom?.state?.message ?? "", /TypeError: bad input/);
      await assert.rejects(() => f(), /bad input/);
    });

    it("ends a task TimedOut after timeoutSeconds, and a flow too", async () => {
      const slow = task(
        { name: "slow", timeoutSeconds: 0.05 },
        () => new Promise<void>(() => undefined),
      );
      const f = flow({ name: "timeouts" }, async () => ({ taskState: await slow.callWithState() }));
      const { taskState } = (await f()) as { taskState: State };
      assert.equal(taskState.type, "FAILED");
      assert.equal(taskState.name, "TimedOut");
      assert.match(taskState.message ?? "", /exceeded timeout of 0.05 second/);
      const stuck = flow(
        { name: "stuck", timeoutSeconds: 0.05 },
        () => new Promise<void>(() => undefined),
      );
      const s = await stuck.callWithState();
      assert.equal(s.name, "TimedOut");
      const run = await h.client.readFlowRun(s.stateDetails.flow_run_id ?? "");
      assert.equal(run.state_name, "TimedOut");
    });

    it("runs hooks for the state entered", async () => {
      const seen: string[] = [];
      const t = task(
        {
          name: "hooked",
          onCompletion: [(_t, run, state) => void seen.push(`task ${state.name} ${run.name}`)],
          onRunning: [() => void seen.push("task running")],
        },
        async () => 1,
      );
      const f = flow(
        {
          name: "hooks",
          onFailure: [(fl, _run, state) => void seen.push(`flow ${fl.name} ${state.name}`)],
          onRunning: [() => void seen.push("flow running")],
          onCompletion: [() => void seen.push("flow completed")],
        },
        async () => {
          await t();
          throw new Error("x");
        },
      );
      await assert.rejects(() => f());
      assert.equal(seen[0], "flow running");
      assert.equal(seen[1], "task running");
      assert.match(seen[2] ?? "", /^task Completed hooked-/);
      assert.equal(seen[3], "flow hooks Failed");
      assert.equal(seen.length, 4);
    });

    it("links a subflow to its parent through a parent task run", async () => {
      const inner = task({ name: "inner-task" }, async () => "i");
      const child = flow({ name: "child" }, async () => {
        await inner();
        return runtime.flowRun.id;
      });
      let parentId = "";
      const parent = flow({ name: "parent" }, async () => {
        parentId = runtime.flowRun.id ?? "";
        return child();
      });
      const childId = (await parent()) as string;
      const childRun = await h.client.readFlowRun(childId);
      assert.ok(childRun.parent_task_run_id);
      const parentTask = await h.client.readTaskRun(childRun.parent_task_run_id);
      assert.equal(parentTask.flow_run_id, parentId);
      assert.equal(parentTask.state_type, "COMPLETED");
      assert.equal(parentTask.run_count, 1);
      const parentTaskStates = await h.client.readTaskRunStates(parentTask.id);
      assert.ok(parentTaskStates.some((s) => s.state_details.child_flow_run_id === childId));
      const childTasks = await h.client.readTaskRuns({ flowRunIds: [childId] });
      assert.equal(childTasks.length, 1);
    });

    it("sets the final state from a returned State and returns states when asked", async () => {
      const f = flow({ name: "returns-state" }, async () => Failed({ message: "chose to fail" }));
      const s = await f.callWithState();
      assert.equal(s.type, "FAILED");
      assert.equal(s.message, "chose to fail");
      const g = flow({ name: "returns-completed", returnState: true }, async () =>
        Completed({ data: 7, name: "Skipped" }),
      );
      const sg = (await g()) as unknown as State;
      assert.equal(sg.name, "Skipped");
      assert.equal(await sg.result(), 7);
    });

    it("validates parameters against a schema: invalid ones fail the run, naming the field", async () => {
      const f = flow(
        {
          name: "validated",
          params: z.object({ urls: z.array(z.string().url()), n: z.number().int() }),
        },
        async ({ urls, n }) => urls.length + n,
      );
      assert.equal(await f({ urls: ["https://a.example"], n: 1 }), 2);
      const err = await f({ urls: ["not a url"], n: 1.5 }).catch((e: unknown) => e);
      assert.ok(err instanceof ParameterValidationError);
      assert.match(err.message, /urls\.0/);
      assert.match(err.message, /\bn\b/);
      const runs = await h.client.readFlowRuns({
        flowNames: ["validated"],
        sort: "EXPECTED_START_TIME_DESC",
      });
      assert.equal(runs.length, 2);
      const failed = runs.find((r) => r.state_type === "FAILED");
      assert.match(failed?.state?.message ?? "", /urls\.0/);
      const flowRecord = await h.client.readFlowByName("validated");
      const schema = flowRecord.parameter_openapi_schema as { properties: Record<string, unknown> };
      assert.deepEqual(Object.keys(schema.properties).sort(), ["n", "urls"]);
    });

    it("retries a failed flow run through the orchestration core", async () => {
      let attempts = 0;
      const f = flow({ name: "flow-retries", retries: 1, retryDelaySeconds: 0 }, async () => {
        attempts++;
        if (attempts === 1) throw new Error("first attempt fails");
        return runtime.flowRun.runCount;
      });
      const s = await f.callWithState();
      assert.equal(s.type, "COMPLETED");
      assert.equal(await s.result(), 2);
      const run = await h.client.readFlowRun(s.stateDetails.flow_run_id ?? "");
      assert.equal(run.run_count, 2);
      const names = (await h.client.readFlowRunStates(run.id)).map((x) => x.name);
      assert.deepEqual(names, ["Pending", "Running", "AwaitingRetry", "Running", "Completed"]);
    });

    it("captures console.log as run logs with logPrints, for that run only", async () => {
      const t = task({ name: "printer" }, async () => console.log("from the task"));
      const f = flow({ name: "prints", logPrints: true }, async () => {
        console.log("hello from the flow", { a: 1 });
        await t();
        getRunLogger().warning("careful");
        return runtime.flowRun.id;
      });
      const id = (await f()) as string;
      const logs = await h.client.readLogs({ flowRunId: id });
      const byMessage = new Map(logs.map((l) => [l.message, l]));
      assert.equal(byMessage.get('hello from the flow {"a":1}')?.level, 20);
      assert.ok(byMessage.get("from the task")?.task_run_id);
      assert.equal(byMessage.get("careful")?.level, 30);
      const quiet = flow({ name: "no-prints" }, async () => {
        console.log("not captured");
        return runtime.flowRun.id;
      });
      const qid = (await quiet()) as string;
      const qlogs = await h.client.readLogs({ flowRunId: qid });
      assert.ok(!qlogs.some((l) => l.message === "not captured"));
    });

    it("exposes the run context inside flows and tasks", async () => {
      const t = task({ name: "ctx-task", tags: ["x"] }, async (v: number) => ({
        value: v,
        flow: getRunContext()?.flowRun?.id,
        task: runtime.taskRun.id,
        taskName: runtime.taskRun.taskName,
        params: runtime.taskRun.parameters,
        tags: runtime.taskRun.tags,
      }));
      const f = flow({ name: "ctx" }, async () => ({ id: runtime.flowRun.id, inner: await t(3) }));
      const out = (await f()) as { id: string; inner: Record<string, unknown> };
      assert.equal(out.inner.flow, out.id);
      assert.equal(out.inner.taskName, "ctx-task");
      assert.deepEqual(out.inner.params, { v: 3 });
      assert.deepEqual(out.inner.tags, ["x"]);
      assert.equal(getRunContext(), null);
    });

    it("records a task called outside any flow with no flow run", async () => {
      const lonely = task({ name: "lonely" }, async () => runtime.taskRun.id);
      const id = (await lonely()) as string;
      await (await getRuntime()).recorder.flush();
      const run = await h.client.readTaskRun(id);
      assert.equal(run.flow_run_id, null);
      assert.equal(run.state_type, "COMPLETED");
    });
  });
}

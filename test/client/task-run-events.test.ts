/**
 * The task-run events the client sends: their text is exactly the event serialised, whatever of
 * it was serialised once and reused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uuid7 } from "../../src/core/ids.ts";
import { emptyStateDetails, type StateRecord } from "../../src/core/state.ts";
import {
  type FlowRunOfTask,
  taskRunEvent,
  taskRunEventText,
} from "../../src/core/task-run-events.ts";
import { stateRecord, taskRunRecord } from "../helpers/records.ts";

function state(type: StateRecord["type"], name: string, message: string | null = null) {
  return stateRecord(type, name, {
    message,
    state_details: { ...emptyStateDetails(), cache_key: type === "COMPLETED" ? "k" : null },
  });
}

describe("task-run event text", () => {
  it("is the event serialised, for every kind of run, parent and tags, again and again", () => {
    const flowRunId = uuid7();
    const parents: (FlowRunOfTask | undefined)[] = [
      undefined,
      { name: "quiet-otter", flowId: uuid7(), flowName: "etl" },
      { name: 'say "hi"', flowId: uuid7(), flowName: null },
    ];
    for (const parent of parents) {
      for (const tags of [[], ["etl"], ["a", 'b"c', "é"]]) {
        const run = taskRunRecord(flowRunId, {
          name: "t-1",
          task_key: "t",
          dynamic_key: "1",
          tags,
          task_inputs: { x: [{ input_type: "task_run", id: uuid7() }] },
        });
        const pending = state("PENDING", "Pending");
        const running = state("RUNNING", "Running");
        const done = state("COMPLETED", "Completed", "all\nfine");
        for (const [s, previous] of [
          [pending, null],
          [running, pending],
          [done, running],
          [done, running],
        ] as const) {
          const text = taskRunEventText(run, s, previous, parent);
          assert.equal(text, JSON.stringify(taskRunEvent(run, s, previous, parent)));
          assert.deepEqual(JSON.parse(text).related.length, (parent ? 2 : 1) + tags.length);
        }
      }
    }
  });
});

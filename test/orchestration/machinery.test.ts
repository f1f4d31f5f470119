/** Rule machinery on a real database (orchestration-cases.md §M, plus policy selection §C2). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StateType } from "../../src/core/state-types.ts";
import type { FlowOrchestrationContext } from "../../src/orchestration/context.ts";
import {
  BackgroundTaskPolicy,
  CoreTaskPolicy,
  MinimalTaskPolicy,
} from "../../src/orchestration/policies.ts";
import { ALL_STATES, type OrchestrationRule } from "../../src/orchestration/rule.ts";
import { readFlowRun, setFlowRunState } from "../../src/resources/flow-runs/model.ts";
import { readFlowRunStates } from "../../src/resources/states/queries.ts";
import { selectTaskPolicy } from "../../src/resources/task-runs/model.ts";
import { st } from "./cases.ts";
import { describeOnEachDialect, flowRunIn } from "./helpers.ts";

const { PENDING, RUNNING } = StateType;

void describe("policy selection", () => {
  void it("C2: deferred → Background (even forced); force → Minimal; else Core", () => {
    assert.equal(
      selectTaskPolicy(st(RUNNING, undefined, { deferred: true }), true),
      BackgroundTaskPolicy,
    );
    assert.equal(selectTaskPolicy(st(RUNNING), true), MinimalTaskPolicy);
    assert.equal(selectTaskPolicy(st(RUNNING), false), CoreTaskPolicy);
  });
});

describeOnEachDialect("orchestration machinery", (t) => {
  void it("M3: an error in a rule re-raises, cleans up, and rolls everything back", async () => {
    const cleaned: string[] = [];
    const mutate: OrchestrationRule<FlowOrchestrationContext> = {
      name: "Mutate",
      fromStates: ALL_STATES,
      toStates: ALL_STATES,
      before: ({ ctx }) => {
        ctx.run.empirical_policy.pause_keys.push("x");
      },
      cleanup: () => {
        cleaned.push("Mutate");
      },
    };
    const boom: OrchestrationRule<FlowOrchestrationContext> = {
      name: "Boom",
      fromStates: ALL_STATES,
      toStates: ALL_STATES,
      before: () => {
        throw new Error("kaput");
      },
    };
    const run = await flowRunIn(t.database, st(PENDING));
    await assert.rejects(
      setFlowRunState(t.ctx, run.id, st(RUNNING), { policy: [mutate, boom] }),
      /kaput/,
    );
    assert.deepEqual(cleaned, ["Mutate"]);
    const after = await readFlowRun(t.ctx, run.id);
    assert.deepEqual(after, run);
    assert.equal((await readFlowRunStates(t.database, run.id)).length, 1);
  });

  void it("M3: a null reject of a run without a state is an error", async () => {
    const run = await flowRunIn(t.database, null);
    const reject: OrchestrationRule<FlowOrchestrationContext> = {
      name: "Reject",
      fromStates: ALL_STATES,
      toStates: ALL_STATES,
      before: (tr) => tr.reject(null, "no"),
    };
    await assert.rejects(setFlowRunState(t.ctx, run.id, st(RUNNING), { policy: [reject] }));
    assert.equal((await readFlowRun(t.ctx, run.id)).state, null);
  });

  void it("M4: a non-retryable database error while writing answers ABORT with no state", async () => {
    const run = await flowRunIn(t.database, st(PENDING));
    const taken = run.state?.id ?? "";
    const o = await setFlowRunState(t.ctx, run.id, { type: RUNNING, id: taken });
    assert.equal(o.result.status, "ABORT");
    assert.equal(o.result.state, null);
    assert.equal(o.written, false);
    assert.match(
      o.result.details.type === "abort_details" ? (o.result.details.reason ?? "") : "",
      /Error validating state/,
    );
    const after = await readFlowRun(t.ctx, run.id);
    assert.equal(after.state_type, PENDING);
    assert.equal(after.run_count, 0);
  });
});

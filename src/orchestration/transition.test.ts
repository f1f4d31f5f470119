import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultTaskRunPolicy, emptyRunTimes, type TaskRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { systemClock } from "../core/time.ts";
import { createTaskContext, type TaskOrchestrationContext } from "./context.ts";
import {
  ALL_STATES,
  type OrchestrationRule,
  type PolicyEntry,
  type RuleTransition,
} from "./rule.ts";
import { buildState } from "./states.ts";
import { compileTransitionRules, runTransition } from "./transition.ts";

type Ctx = TaskOrchestrationContext;
const { PENDING, RUNNING, SCHEDULED, COMPLETED } = StateType;

function context(initial: StateType | null, proposed: StateType): Ctx {
  const now = systemClock.nowIso();
  const run: TaskRun = {
    id: "t",
    created: now,
    updated: now,
    name: "t",
    flow_run_id: null,
    task_key: "k",
    dynamic_key: "0",
    cache_key: null,
    cache_expiration: null,
    task_version: null,
    empirical_policy: defaultTaskRunPolicy(),
    tags: [],
    labels: {},
    task_inputs: {},
    flow_run_run_count: 0,
    ...emptyRunTimes(),
    state_type: initial,
    state: initial ? buildState({ type: initial }, now) : null,
  };
  return createTaskContext({
    run,
    proposedState: buildState({ type: proposed }, now),
    clock: systemClock,
    deps: {
      readFlowRun: async () => null,
      readCachedState: async () => null,
      insertCacheEntry: async () => undefined,
    },
  });
}

/** A rule recording which of its hooks ran into `log`. */
function recorder(
  name: string,
  log: string[],
  before?: OrchestrationRule<Ctx>["before"],
  to = ALL_STATES,
): OrchestrationRule<Ctx> {
  return {
    name,
    fromStates: ALL_STATES,
    toStates: to,
    async before(t) {
      log.push(`${name}.before`);
      await before?.(t);
    },
    after: () => {
      log.push(`${name}.after`);
    },
    cleanup: () => {
      log.push(`${name}.cleanup`);
    },
  };
}

async function run(ctx: Ctx, policy: PolicyEntry<Ctx>[], log: string[] = []) {
  await runTransition(ctx, policy, [], (c) => {
    log.push("validate");
    c.validatedState = c.proposedState ?? c.initialState;
  });
  return log;
}

void describe("transition machinery", () => {
  void it("M1: compiles only the rules whose FROM/TO contain the pair; transforms always", () => {
    const only: OrchestrationRule<Ctx> = {
      name: "x",
      fromStates: [SCHEDULED],
      toStates: [PENDING],
    };
    const transform = { name: "u", universal: true as const };
    assert.deepEqual(compileTransitionRules([only, transform], SCHEDULED, RUNNING), [transform]);
    assert.deepEqual(compileTransitionRules([only], SCHEDULED, PENDING), [only]);
  });

  void it("enters in order, exits in reverse, after-hooks when nothing changed", async () => {
    const log = await run(
      context(PENDING, RUNNING),
      [recorder("a", []), recorder("b", [])].map((r) => r),
    );
    assert.deepEqual(log, ["validate"]);
    const l2: string[] = [];
    await run(context(PENDING, RUNNING), [recorder("a", l2), recorder("b", l2)], l2);
    assert.deepEqual(l2, ["a.before", "b.before", "validate", "b.after", "a.after"]);
  });

  void it("M2: a later rule's delay fizzles earlier rules (cleanup) and invalidates later ones", async () => {
    const log: string[] = [];
    const ctx = context(PENDING, RUNNING);
    await run(
      ctx,
      [
        recorder("first", log, undefined, [RUNNING]),
        recorder("delayer", log, (t) => t.delay(5, "later"), [RUNNING]),
        recorder("third", log),
      ],
      log,
    );
    // the delayer's own target (None) left its TO_STATES: no hook for it
    assert.deepEqual(log, ["first.before", "delayer.before", "validate", "first.cleanup"]);
    assert.equal(ctx.status, "WAIT");
    assert.deepEqual(ctx.details, { type: "wait_details", delay_seconds: 5, reason: "later" });
  });

  void it("a rule whose TO_STATES include None still runs its after-hook after its own null reject", async () => {
    const log: string[] = [];
    await run(context(PENDING, RUNNING), [recorder("r", log, (t) => t.reject(null, "no"))], log);
    assert.deepEqual(log, ["r.before", "validate", "r.after"]);
  });

  void it("rejecting with a state moves the rule's target; earlier rules fizzle", async () => {
    const log: string[] = [];
    const ctx = context(PENDING, RUNNING);
    await run(
      ctx,
      [
        recorder("early", log, undefined, [RUNNING]),
        recorder("sub", log, (t) =>
          t.reject(buildState({ type: COMPLETED }, t.ctx.clock.nowIso()), "c"),
        ),
      ],
      log,
    );
    assert.deepEqual(log, ["early.before", "sub.before", "validate", "sub.after", "early.cleanup"]);
    assert.equal(ctx.validatedState?.type, COMPLETED);
    assert.equal(ctx.status, "REJECT");
  });

  void it("mutators: last writer wins; rename changes nothing else", async () => {
    const ctx = context(PENDING, RUNNING);
    const log: string[] = [];
    await run(
      ctx,
      [
        recorder("a", log, (t) => {
          t.rename("Renamed");
          t.abort("first");
          t.delay(3, "second");
        }),
      ],
      log,
    );
    assert.equal(ctx.status, "WAIT");
    assert.equal(ctx.proposedState, null);
    const renamed = context(PENDING, RUNNING);
    await run(renamed, [recorder("b", [], (t) => t.rename("Renamed")), recorder("c", [])]);
    assert.equal(renamed.validatedState?.name, "Renamed");
    assert.equal(renamed.status, "ACCEPT");
  });

  void it("M3: an error in a before-hook aborts, cleans up entered rules and skips transform afters", async () => {
    const log: string[] = [];
    const ctx = context(PENDING, RUNNING);
    const transform = {
      name: "u",
      universal: true as const,
      after: () => {
        log.push("u.after");
      },
    };
    await run(
      ctx,
      [
        transform,
        recorder("ok", log),
        recorder("boom", log, () => {
          throw new Error("kaput");
        }),
        recorder("never", log),
      ],
      log,
    );
    assert.deepEqual(log, ["ok.before", "boom.before", "validate", "boom.cleanup", "ok.cleanup"]);
    assert.equal(ctx.status, "ABORT");
    assert.match(ctx.orchestrationError?.message ?? "", /kaput/);
  });

  void it("M3: a null reject of a run without a state is an error", async () => {
    const ctx = context(null, RUNNING);
    await run(ctx, [recorder("r", [], (t) => t.reject(null, "no"))]);
    assert.ok(ctx.orchestrationError);
    assert.equal(ctx.status, "ABORT");
  });

  void it("mutators after validation are refused", async () => {
    let saved: { abort(reason: string): void } | undefined;
    const ctx = context(PENDING, RUNNING);
    await run(ctx, [
      {
        name: "stash",
        fromStates: ALL_STATES,
        toStates: ALL_STATES,
        before: (t: RuleTransition<Ctx>) => {
          saved = t;
        },
        after: () => {
          assert.throws(() => saved?.abort("late"), /after validation/);
        },
      },
    ]);
    assert.equal(ctx.status, "ACCEPT");
  });
});

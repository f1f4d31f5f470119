/**
 * Concurrent state proposals on one run are serialised. Against a server listening on a real port
 * (the requests truly run at once, on several database connections on PostgreSQL), the same
 * proposal raced many times at each of several runs is answered as if the proposals had come one
 * after another: the first is accepted, each later one meets the state the first wrote, and the
 * run's state history records the transition once.
 *
 * What Prefect answers a repeat sent one after another (the first test checks it, so that the
 * races have a baseline):
 * - flow runs (CoreFlowPolicy): PENDING again → ABORT (PreventPendingTransitions); RUNNING or
 *   COMPLETED again → ACCEPT, unless it is the same proposal resent (same `transition_id`) →
 *   REJECT (PreventDuplicateTransitions). The RUNNING and COMPLETED races therefore resend one
 *   proposal, as a client retrying a request does.
 * - task runs: CoreTaskPolicy has neither rule, so a repeated PENDING or RUNNING is accepted
 *   (T35). A deferred PENDING runs under BackgroundTaskPolicy, which has PreventPendingTransitions
 *   → ABORT; repeated RUNNINGs are all accepted one after another — the first named Running, each
 *   later one Rerunning, `run_count` counting every one (none lost); a COMPLETED after a COMPLETED
 *   that persisted its result → REJECT (HandleTaskTerminalStateTransitions).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { jsonApi, type Reply } from "../helpers/json-api.ts";

/** The race of the issue it guards against (977 of 1,000 PENDING proposals accepted on PostgreSQL). */
const WIDE = { runs: 20, proposals: 50 };
/** The other races: enough runs to keep every pooled connection busy, several proposals each. */
const NARROW = { runs: 10, proposals: 25 };
type Size = typeof WIDE;
/** A result the run persisted (any object whose `type` is not `unpersisted`). */
const PERSISTED = { type: "reference", storage_key: "/results/race" };

interface State {
  id: string;
  type: string;
  name: string;
  timestamp: string;
}
interface Outcome {
  status: string;
  state: State | null;
  details: { type: string; reason?: string };
}
interface Run {
  id: string;
  state: State;
  run_count: number;
}

type Kind = "flow_runs" | "task_runs";

/** `201 ACCEPT`, `200 ABORT`, …: how an answer to a proposal is tallied. */
const tally = (r: Reply<Outcome>) => `${r.status} ${r.body.status}`;

function count(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: concurrent state proposals on one run are serialised`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    let flowId: string;

    const { post, get } = jsonApi(() => base);

    async function createFlowRun(state: object): Promise<Run> {
      const res = await post<Run>("/flow_runs/", { flow_id: flowId, state });
      assert.equal(res.status, 201);
      return res.body;
    }
    async function createTaskRun(flowRunId: string, key: number, state: object): Promise<Run> {
      const res = await post<Run>("/task_runs/", {
        flow_run_id: flowRunId,
        task_key: "raced-task",
        dynamic_key: String(key),
        state,
      });
      assert.equal(res.status, 201);
      return res.body;
    }
    /** `size.runs` task runs in `state`, in one RUNNING flow run (their RUNNING is not refused). */
    async function createTaskRuns(size: Size, state: object): Promise<Run[]> {
      const parent = await createFlowRun({ type: "RUNNING" });
      const runs: Run[] = [];
      for (let i = 0; i < size.runs; i++) runs.push(await createTaskRun(parent.id, i, state));
      return runs;
    }
    async function createFlowRuns(size: Size, state: object): Promise<Run[]> {
      const runs: Run[] = [];
      for (let i = 0; i < size.runs; i++) runs.push(await createFlowRun(state));
      return runs;
    }

    const readRun = (kind: Kind, id: string) => get<Run>(`/${kind}/${id}`);
    /** Each run's history is exactly `types`, its second state the accepted proposal's. */
    async function assertHistories(
      kind: Kind,
      runs: Run[],
      accepted: (State | null | undefined)[],
      types: [string, string],
    ): Promise<void> {
      for (const [i, run] of runs.entries()) {
        const states = await history(kind, run.id);
        assert.deepEqual(
          states.map((s) => s.type),
          types,
        );
        assert.equal(states[1]?.id, accepted[i]?.id);
      }
    }
    const history = (kind: Kind, id: string) =>
      kind === "flow_runs"
        ? get<State[]>(`/flow_run_states/?flow_run_id=${id}`)
        : get<State[]>(`/task_run_states/?task_run_id=${id}`);

    /**
     * `proposals` proposals of `state(run)` at every run, all sent at once; the answers per run,
     * in the order of `runs`.
     */
    async function race(
      kind: Kind,
      runs: Run[],
      proposals: number,
      state: (run: Run) => object,
    ): Promise<Reply<Outcome>[][]> {
      const sent = runs.map((run) =>
        Array.from({ length: proposals }, () =>
          post<Outcome>(`/${kind}/${run.id}/set_state`, { state: state(run) }),
        ),
      );
      return Promise.all(sent.map((replies) => Promise.all(replies)));
    }

    /**
     * One proposal per run accepted (201), every other answered `loser` (200) with the state the
     * accepted one wrote, which is the run's state now. Returns the accepted states, per run.
     */
    async function assertOneAcceptedPerRun(
      kind: Kind,
      runs: Run[],
      replies: Reply<Outcome>[][],
      loser: "ABORT" | "REJECT",
    ): Promise<State[]> {
      const proposals = replies[0]?.length ?? 0;
      assert.deepEqual(count(replies.flat().map(tally)), {
        "201 ACCEPT": runs.length,
        [`200 ${loser}`]: runs.length * (proposals - 1),
      });
      const accepted: State[] = [];
      for (const [i, run] of runs.entries()) {
        const perRun = replies[i] ?? [];
        const winners = perRun.filter((r) => r.status === 201);
        assert.equal(
          winners.length,
          1,
          `run ${run.id}: ${JSON.stringify(count(perRun.map(tally)))}`,
        );
        const won = winners[0]?.body.state;
        assert.ok(won);
        for (const r of perRun) assert.equal(r.body.state?.id, won.id, "a loser saw another state");
        assert.equal((await readRun(kind, run.id)).state.id, won.id);
        accepted.push(won);
      }
      return accepted;
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
      flowId = (await post<{ id: string }>("/flows/", { name: "raced-flow" })).body.id;
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("refuses the repeats raced below when they come one after another", async () => {
      const propose = async (kind: Kind, id: string, state: object) => {
        const res = await post<Outcome>(`/${kind}/${id}/set_state`, { state });
        return tally(res);
      };
      const flowRun = (await createFlowRun({ type: "SCHEDULED" })).id;
      const transition = { transition_id: randomUUID() };
      const completed = { transition_id: randomUUID() };
      assert.deepEqual(
        [
          await propose("flow_runs", flowRun, { type: "PENDING" }),
          await propose("flow_runs", flowRun, { type: "PENDING" }),
          await propose("flow_runs", flowRun, { type: "RUNNING", state_details: transition }),
          await propose("flow_runs", flowRun, { type: "RUNNING", state_details: transition }),
          await propose("flow_runs", flowRun, { type: "RUNNING" }),
          await propose("flow_runs", flowRun, {
            type: "COMPLETED",
            data: PERSISTED,
            state_details: completed,
          }),
          await propose("flow_runs", flowRun, {
            type: "COMPLETED",
            data: PERSISTED,
            state_details: completed,
          }),
          await propose("flow_runs", flowRun, { type: "COMPLETED", data: PERSISTED }),
        ],
        [
          "201 ACCEPT",
          "200 ABORT",
          "201 ACCEPT",
          "200 REJECT",
          "201 ACCEPT",
          "201 ACCEPT",
          "200 REJECT",
          "201 ACCEPT",
        ],
      );
      const parent = await createFlowRun({ type: "RUNNING" });
      const taskRun = await createTaskRun(parent.id, 0, { type: "SCHEDULED" });
      const deferred = { type: "PENDING", state_details: { deferred: true } };
      const completedTask = { type: "COMPLETED", data: PERSISTED };
      assert.deepEqual(
        [
          await propose("task_runs", taskRun.id, { type: "PENDING" }),
          await propose("task_runs", taskRun.id, { type: "PENDING" }),
          await propose("task_runs", taskRun.id, deferred),
          await propose("task_runs", taskRun.id, { type: "RUNNING" }),
          await propose("task_runs", taskRun.id, { type: "RUNNING" }),
          await propose("task_runs", taskRun.id, completedTask),
          await propose("task_runs", taskRun.id, completedTask),
        ],
        [
          "201 ACCEPT",
          "201 ACCEPT",
          "200 ABORT",
          "201 ACCEPT",
          "201 ACCEPT",
          "201 ACCEPT",
          "200 REJECT",
        ],
      );
    });

    describe("flow runs", () => {
      it("PENDING raced at SCHEDULED runs: one accept per run, one PENDING in its history", async () => {
        const runs = await createFlowRuns(WIDE, { type: "SCHEDULED" });
        const replies = await race("flow_runs", runs, WIDE.proposals, () => ({ type: "PENDING" }));
        const accepted = await assertOneAcceptedPerRun("flow_runs", runs, replies, "ABORT");
        await assertHistories("flow_runs", runs, accepted, ["SCHEDULED", "PENDING"]);
      });

      it("one RUNNING proposal resent at PENDING runs: one accept per run, run_count 1", async () => {
        const runs = await createFlowRuns(NARROW, { type: "PENDING" });
        const transitions = new Map(runs.map((run) => [run.id, randomUUID()]));
        const replies = await race("flow_runs", runs, NARROW.proposals, (run) => ({
          type: "RUNNING",
          state_details: { transition_id: transitions.get(run.id) },
        }));
        const accepted = await assertOneAcceptedPerRun("flow_runs", runs, replies, "REJECT");
        await assertHistories("flow_runs", runs, accepted, ["PENDING", "RUNNING"]);
        for (const run of runs) {
          assert.equal((await readRun("flow_runs", run.id)).run_count, 1);
        }
      });

      it("one COMPLETED proposal resent at RUNNING runs: one accept per run, one COMPLETED in its history", async () => {
        const runs = await createFlowRuns(NARROW, { type: "RUNNING" });
        const transitions = new Map(runs.map((run) => [run.id, randomUUID()]));
        const replies = await race("flow_runs", runs, NARROW.proposals, (run) => ({
          type: "COMPLETED",
          data: PERSISTED,
          state_details: { transition_id: transitions.get(run.id) },
        }));
        const accepted = await assertOneAcceptedPerRun("flow_runs", runs, replies, "REJECT");
        await assertHistories("flow_runs", runs, accepted, ["RUNNING", "COMPLETED"]);
      });
    });

    describe("task runs", () => {
      it("deferred PENDING raced at SCHEDULED runs: one accept per run, one PENDING in its history", async () => {
        const runs = await createTaskRuns(NARROW, { type: "SCHEDULED" });
        const replies = await race("task_runs", runs, NARROW.proposals, () => ({
          type: "PENDING",
          state_details: { deferred: true },
        }));
        const accepted = await assertOneAcceptedPerRun("task_runs", runs, replies, "ABORT");
        await assertHistories("task_runs", runs, accepted, ["SCHEDULED", "PENDING"]);
      });

      it("RUNNING raced at PENDING runs: every one accepted in turn, run_count counts them all", async () => {
        const runs = await createTaskRuns(NARROW, { type: "PENDING" });
        const replies = await race("task_runs", runs, NARROW.proposals, () => ({
          type: "RUNNING",
        }));
        assert.deepEqual(count(replies.flat().map(tally)), {
          "201 ACCEPT": NARROW.runs * NARROW.proposals,
        });
        for (const [i, run] of runs.entries()) {
          const states = await history("task_runs", run.id);
          // each proposal met the state the one before it wrote: Running once, then Rerunning
          assert.deepEqual(
            states.map((s) => `${s.type}/${s.name}`),
            [
              "PENDING/Pending",
              "RUNNING/Running",
              ...Array.from({ length: NARROW.proposals - 1 }, () => "RUNNING/Rerunning"),
            ],
          );
          assert.deepEqual(
            new Set(states.slice(1).map((s) => s.id)),
            new Set((replies[i] ?? []).map((r) => r.body.state?.id)),
          );
          const now = await readRun("task_runs", run.id);
          assert.equal(now.run_count, NARROW.proposals);
          assert.equal(now.state.id, states.at(-1)?.id);
        }
      });

      it("COMPLETED with a persisted result raced at RUNNING runs: one accept per run, one COMPLETED in its history", async () => {
        const runs = await createTaskRuns(NARROW, { type: "RUNNING" });
        const replies = await race("task_runs", runs, NARROW.proposals, () => ({
          type: "COMPLETED",
          data: PERSISTED,
        }));
        const accepted = await assertOneAcceptedPerRun("task_runs", runs, replies, "REJECT");
        await assertHistories("task_runs", runs, accepted, ["RUNNING", "COMPLETED"]);
      });
    });
  });
}

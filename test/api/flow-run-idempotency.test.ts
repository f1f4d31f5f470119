/**
 * `POST /flow_runs/` with an `idempotency_key`, as Prefect answers it: the first request creates
 * the run (201); the same flow and key again answers 200 with that run, unchanged, whatever else
 * the request says; the key is per flow. Against a server listening on a real port, concurrent
 * creates with one flow and key — a client retrying, several workers — make one run: one 201, the
 * rest 200 with the same run.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { jsonApi } from "../helpers/json-api.ts";

const CONCURRENT = 30;
const ROUNDS = 5;

interface FlowRun {
  id: string;
  name: string;
  flow_id: string;
  idempotency_key: string | null;
  parameters: Record<string, unknown>;
  tags: string[];
  created: string;
  updated: string;
  state: { id: string; type: string };
  estimated_run_time: number;
  estimated_start_time_delta: number;
}

/** A run as stored: what a read computes from the clock (the estimates) left out. */
function stored(run: FlowRun): Omit<FlowRun, "estimated_run_time" | "estimated_start_time_delta"> {
  const { estimated_run_time: _, estimated_start_time_delta: __, ...rest } = run;
  return rest;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: creating a flow run with an idempotency key`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    let flowId: string;
    let otherFlowId: string;

    const { post, get } = jsonApi(() => base);
    /** The runs holding `key`, of any flow. */
    async function runsWithKey(key: string): Promise<FlowRun[]> {
      const res = await post<FlowRun[]>("/flow_runs/filter", {
        flow_runs: { idempotency_key: { any_: [key] } },
      });
      assert.equal(res.status, 200);
      return res.body;
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
      flowId = (await post<{ id: string }>("/flows/", { name: "idempotent-flow" })).body.id;
      otherFlowId = (await post<{ id: string }>("/flows/", { name: "other-flow" })).body.id;
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("creates the run (201), then answers 200 with the same run, unchanged, whatever else differs", async () => {
      const key = `key-${randomUUID()}`;
      const first = await post<FlowRun>("/flow_runs/", {
        flow_id: flowId,
        idempotency_key: key,
        name: "first",
        parameters: { x: 1 },
        tags: ["a"],
        state: { type: "SCHEDULED" },
      });
      assert.equal(first.status, 201);
      assert.equal(first.body.idempotency_key, key);
      assert.equal(first.body.name, "first");
      assert.equal(first.body.state.type, "SCHEDULED");

      const again = await post<FlowRun>("/flow_runs/", {
        flow_id: flowId,
        idempotency_key: key,
        name: "second",
        parameters: { x: 2, y: 3 },
        tags: ["b"],
        state: { type: "RUNNING" },
      });
      assert.equal(again.status, 200);
      assert.deepEqual(stored(again.body), stored(first.body));

      const bare = await post<FlowRun>("/flow_runs/", { flow_id: flowId, idempotency_key: key });
      assert.equal(bare.status, 200);
      assert.deepEqual(stored(bare.body), stored(first.body));

      assert.deepEqual(
        stored(await get<FlowRun>(`/flow_runs/${first.body.id}`)),
        stored(first.body),
      );
      const states = await get<{ id: string }[]>(`/flow_run_states/?flow_run_id=${first.body.id}`);
      assert.deepEqual(
        states.map((s) => s.id),
        [first.body.state.id],
      );
      assert.deepEqual(
        (await runsWithKey(key)).map((r) => r.id),
        [first.body.id],
      );
    });

    it("keys runs per flow: the same key on another flow creates another run (201)", async () => {
      const key = `key-${randomUUID()}`;
      const mine = await post<FlowRun>("/flow_runs/", { flow_id: flowId, idempotency_key: key });
      const other = await post<FlowRun>("/flow_runs/", {
        flow_id: otherFlowId,
        idempotency_key: key,
      });
      assert.equal(mine.status, 201);
      assert.equal(other.status, 201);
      assert.notEqual(other.body.id, mine.body.id);
      assert.equal(other.body.flow_id, otherFlowId);
      assert.equal(other.body.idempotency_key, key);
      const again = await post<FlowRun>("/flow_runs/", {
        flow_id: otherFlowId,
        idempotency_key: key,
      });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, other.body.id);
      assert.deepEqual(
        (await runsWithKey(key)).map((r) => r.id).sort(),
        [mine.body.id, other.body.id].sort(),
      );
    });

    it(`${CONCURRENT} concurrent creates with one flow and key: one 201, the rest 200, one run`, async () => {
      // a few rounds, each with its own key: the first meets a pool still opening connections
      for (let round = 0; round < ROUNDS; round++) {
        const key = `key-${randomUUID()}`;
        const replies = await Promise.all(
          Array.from({ length: CONCURRENT }, (_, i) =>
            post<FlowRun>("/flow_runs/", {
              flow_id: flowId,
              idempotency_key: key,
              name: `attempt-${i}`,
              parameters: { attempt: i },
            }),
          ),
        );
        const statuses: Record<number, number> = {};
        for (const r of replies) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        assert.deepEqual(statuses, { 200: CONCURRENT - 1, 201: 1 }, `round ${round}`);
        const created = replies.find((r) => r.status === 201)?.body;
        assert.ok(created);
        for (const r of replies) assert.deepEqual(stored(r.body), stored(created));
        // the run is the one the 201 made, as that request asked for it
        const attempt = replies.findIndex((r) => r.status === 201);
        assert.equal(created.name, `attempt-${attempt}`);
        assert.deepEqual(created.parameters, { attempt });
        assert.deepEqual(
          (await runsWithKey(key)).map((r) => r.id),
          [created.id],
        );
        const states = await get<{ id: string }[]>(`/flow_run_states/?flow_run_id=${created.id}`);
        assert.deepEqual(
          states.map((s) => s.id),
          [created.state.id],
        );
      }
    });
  });
}

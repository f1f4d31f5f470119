import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { flow, runtime, task } from "../../src/index.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { assertDocumentedResponse } from "../helpers/responses.ts";
import { type SdkHarness, sdkHarness } from "../helpers/runtime.ts";

interface GraphNode {
  kind: string;
  id: string;
  label: string;
  state_type: string;
  parents: { id: string }[];
  children: { id: string }[];
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the run graph (graph-v2) of a real flow run`, () => {
    let h: SdkHarness;
    let app: FastifyInstance;
    before(async () => {
      h = await sdkHarness(dialect);
      app = await createCheckedApp({ database: h.db.database });
    });
    after(async () => {
      await app.close();
      await h.close();
    });

    it("draws task runs with upstream edges and a subflow as a flow-run node", async () => {
      const load = task({ name: "load" }, async (x: number) => x);
      const add = task({ name: "add" }, async (a: number, b: number) => a + b);
      const child = flow({ name: "graph-child" }, async () => runtime.flowRun.id);
      const parent = flow({ name: "graph-parent" }, async () => {
        const a = load.submit(1);
        const b = load.submit(2);
        const c = add.submit(a, b);
        await c.wait();
        const childId = await child();
        return { id: runtime.flowRun.id, a: a.taskRunId, b: b.taskRunId, c: c.taskRunId, childId };
      });
      const ids = (await parent()) as {
        id: string;
        a: string;
        b: string;
        c: string;
        childId: string;
      };
      const res = await app.inject({ method: "GET", url: `/api/flow_runs/${ids.id}/graph-v2` });
      assert.equal(res.statusCode, 200);
      assertDocumentedResponse(app, "GET /api/flow_runs/:id/graph-v2", 200, res.json());
      const graph = res.json() as {
        root_node_ids: string[];
        nodes: [string, GraphNode][];
        states: { name: string }[];
      };
      const nodes = new Map(graph.nodes);
      assert.equal(nodes.size, 4);
      assert.deepEqual(
        nodes
          .get(ids.c)
          ?.parents.map((p) => p.id)
          .sort(),
        [ids.a, ids.b].sort(),
      );
      assert.deepEqual(nodes.get(ids.a)?.children, [{ id: ids.c }]);
      const sub = nodes.get(ids.childId);
      assert.equal(sub?.kind, "flow-run");
      assert.equal(sub?.state_type, "COMPLETED");
      assert.ok(graph.root_node_ids.includes(ids.a) && !graph.root_node_ids.includes(ids.c));
      assert.deepEqual(
        graph.states.map((s) => s.name),
        ["Pending", "Running", "Completed"],
      );
      const later = await app.inject({
        method: "GET",
        url: `/api/flow_runs/${ids.id}/graph-v2?since=2999-01-01T00:00:00Z`,
      });
      assert.equal(later.statusCode, 200);
      assertDocumentedResponse(app, "GET /api/flow_runs/:id/graph-v2", 200, later.json());
      assert.deepEqual(later.json().nodes, [], "every node ended before `since`");
      const missing = await app.inject({
        method: "GET",
        url: "/api/flow_runs/00000000-0000-4000-8000-000000000000/graph-v2",
      });
      assert.equal(missing.statusCode, 404);
    });

    it("refuses a graph of more than 10,000 nodes with 400", async () => {
      const noop = task({ name: "noop" }, async (x: number) => x);
      const wide = flow({ name: "graph-wide" }, async () => {
        await noop.map(Array.from({ length: 10_001 }, (_, i) => i));
        return runtime.flowRun.id;
      });
      const id = await wide();
      const res = await app.inject({ method: "GET", url: `/api/flow_runs/${id}/graph-v2` });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().detail, /10001 nodes, more than the 10000/);
    });
  });
}

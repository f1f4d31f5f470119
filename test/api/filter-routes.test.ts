import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: filter, count and paginate routes`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    const post = async (url: string, payload?: unknown) => {
      const res = await app.inject({
        method: "POST",
        url: `/api${url}`,
        payload: payload as object,
      });
      return { status: res.statusCode, body: res.body ? res.json() : null };
    };
    const runs: string[] = [];

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      const flow = (await post("/flows/", { name: "filtered" })).body;
      for (let i = 0; i < 5; i++) {
        const run = (
          await post("/flow_runs/", {
            flow_id: flow.id,
            name: `run-${i}`,
            tags: i % 2 ? ["odd"] : [],
          })
        ).body;
        runs.push(run.id);
        if (i < 3) await post(`/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } });
        if (i < 2) await post(`/flow_runs/${run.id}/set_state`, { state: { type: "COMPLETED" } });
        await post("/task_runs/", {
          flow_run_id: run.id,
          task_key: "k",
          dynamic_key: "0",
          state: { type: i < 2 ? "COMPLETED" : "PENDING" },
        });
      }
      await post("/logs/", [
        {
          name: "x",
          level: 40,
          message: "boom",
          timestamp: "2026-11-22T00:00:00Z",
          flow_run_id: runs[0],
        },
      ]);
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("filters flow runs by state and tags, sorted and limited", async () => {
      const completed = await post("/flow_runs/filter", {
        flow_runs: { state: { type: { any_: ["COMPLETED"] } } },
        sort: "NAME_ASC",
      });
      assert.equal(completed.status, 200);
      assert.deepEqual(
        completed.body.map((r: { name: string }) => r.name),
        ["run-0", "run-1"],
      );
      const odd = await post("/flow_runs/filter", {
        flow_runs: { tags: { all_: ["odd"] } },
        sort: "NAME_DESC",
        limit: 1,
      });
      assert.deepEqual(
        odd.body.map((r: { name: string }) => r.name),
        ["run-3"],
      );
      const all = await post("/flow_runs/filter");
      assert.equal(all.body.length, 5);
      assert.equal(
        (await post("/flows/filter", { flows: { name: { like_: "FILT" } } })).body.length,
        1,
      );
    });

    it("counts and paginates", async () => {
      assert.equal(
        (await post("/flow_runs/count", { flow_runs: { state: { type: { any_: ["RUNNING"] } } } }))
          .body,
        1,
      );
      const counted = await post("/task_runs/count", {
        flow_runs: { id: { any_: runs.slice(0, 3) } },
        task_runs: { state: { type: { any_: ["COMPLETED"] } } },
      });
      assert.equal(counted.body, 2);
      const page = await post("/flow_runs/paginate", { page: 2, limit: 2, sort: "NAME_ASC" });
      assert.deepEqual(
        {
          count: page.body.count,
          pages: page.body.pages,
          page: page.body.page,
          names: page.body.results.map((r: { name: string }) => r.name),
        },
        { count: 5, pages: 3, page: 2, names: ["run-2", "run-3"] },
      );
    });

    it("filters logs and rejects bad filters with 422", async () => {
      const logs = await post("/logs/filter", { logs: { level: { ge_: 40 } } });
      assert.deepEqual(
        logs.body.map((l: { message: string }) => l.message),
        ["boom"],
      );
      assert.equal((await post("/flow_runs/filter", { sort: "SIDEWAYS" })).status, 422);
      assert.equal((await post("/flow_runs/filter", { flow_runs: { nope: {} } })).status, 422);
      assert.equal((await post("/flow_runs/filter", { limit: 201 })).status, 422);
    });
  });
}

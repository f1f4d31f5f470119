import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { addSeconds } from "../../src/core/time.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const NOW = "2030-06-01T12:00:00.000000Z";

for (const dialect of DIALECTS) {
  describe(`${dialect}: POST /flow_runs/lateness`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    const post = (url: string, payload: unknown) =>
      app.inject({ method: "POST", url: `/api${url}`, payload: payload as object });
    const lateness = async (body: unknown) => {
      const res = await post("/flow_runs/lateness", body);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as number | null;
    };

    before(async () => {
      t = await createTestDatabase(dialect);
      // the app's clock: "now" stands still, so lateness is exact
      app = await createCheckedApp({ database: t.database, clock: { nowIso: () => NOW } });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("averages how late the filtered flow runs started, or are", async () => {
      const flow = (await post("/flows/", { name: "late" })).json();
      const ago = (s: number) => addSeconds(NOW, -s);
      // scheduled 100 s ago and not started: 100 s late (and growing, were the clock to move)
      const waiting = (
        await post("/flow_runs/", {
          flow_id: flow.id,
          tags: ["waiting"],
          state: { type: "SCHEDULED", state_details: { scheduled_time: ago(100) } },
        })
      ).json();
      // scheduled 300 s ago, started 60 s ago: 240 s late
      const started = (
        await post("/flow_runs/", {
          flow_id: flow.id,
          tags: ["started"],
          state: { type: "SCHEDULED", state_details: { scheduled_time: ago(300) } },
        })
      ).json();
      await t.database.db
        .updateTable("flow_run")
        .set({ start_time: ago(60), state_type: "RUNNING", state_name: "Running" })
        .where("id", "=", started.id)
        .execute();
      // scheduled 50 s from now: not late
      await post("/flow_runs/", {
        flow_id: flow.id,
        tags: ["future"],
        state: { type: "SCHEDULED", state_details: { scheduled_time: ago(-50) } },
      });

      const one = await lateness({ flow_runs: { id: { any_: [waiting.id] } } });
      assert.equal(one, 100);
      const two = await lateness({ flow_runs: { id: { any_: [started.id] } } });
      assert.equal(two, 240);
      assert.equal(await lateness({ flow_runs: { tags: { all_: ["future"] } } }), 0);
      const all = await lateness({ flows: { name: { any_: ["late"] } } });
      // rounded to the microsecond, as Prefect's seconds are
      assert.equal(all, 113.333333);
      assert.equal(await lateness({ flow_runs: { name: { any_: ["no-such-run"] } } }), null);
      const empty = await app.inject({ method: "POST", url: "/api/flow_runs/lateness" });
      assert.equal(empty.statusCode, 200);
    });

    it("answers bad filters with 422 in Prefect's shape", async () => {
      for (const body of [
        { flow_runs: { bogus: true } },
        { flow_runs: { id: { any_: ["not-a-uuid"] } } },
        { flows: { name: "etl" } },
      ]) {
        const res = await post("/flow_runs/lateness", body);
        assert.equal(res.statusCode, 422, res.body);
        assert.equal(res.json().exception_message, "Invalid request received.");
      }
      const malformed = await app.inject({
        method: "POST",
        url: "/api/flow_runs/lateness",
        headers: { "content-type": "application/json" },
        payload: "{",
      });
      assert.equal(malformed.statusCode, 422);
    });
  });
}

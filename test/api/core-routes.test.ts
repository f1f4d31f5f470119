import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { assertDocumentedResponse } from "../helpers/responses.ts";

for (const dialect of DIALECTS) {
  describe(`${dialect}: REST API core routes`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    const post = (url: string, payload: unknown) =>
      app.inject({ method: "POST", url: `/api${url}`, payload: payload as object });
    const get = (url: string) => app.inject({ method: "GET", url: `/api${url}` });

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("answers the root routes as Prefect does", async () => {
      for (const path of [
        "/health",
        "/version",
        "/hello",
        "/ready",
        "/admin/version",
        "/admin/settings",
        "/admin/storage",
      ]) {
        const res = await get(path);
        assertDocumentedResponse(app, `GET /api${path}`, res.statusCode, res.json());
      }
      const csrfDoc = await get("/csrf-token");
      assertDocumentedResponse(app, "GET /api/csrf-token", csrfDoc.statusCode, csrfDoc.json());
      assert.equal((await get("/health")).json(), true);
      assert.equal((await get("/version")).json(), "0.8.4");
      assert.equal((await get("/admin/version")).statusCode, 200);
      assert.deepEqual((await get("/ready")).json(), { message: "OK" });
      const csrf = await get("/csrf-token?client=abc");
      assert.equal(csrf.statusCode, 422);
      assert.deepEqual(csrf.json(), { detail: "CSRF protection is disabled." });
      const doc = (await get("/openapi.json")).json() as { paths: Record<string, unknown> };
      assert.ok(doc.paths["/api/flow_runs/{id}/set_state"]);
    });

    it("answers /admin/settings in the shape of Prefect's Settings, secrets obfuscated", async () => {
      const prefect = JSON.parse(
        readFileSync(join(import.meta.dirname, "../../../shared/prefect-openapi.json"), "utf8"),
      ) as { components: { schemas: { Settings: { properties: Record<string, unknown> } } } };
      const res = await get("/admin/settings");
      assert.equal(res.statusCode, 200);
      const settings = res.json();
      assert.deepEqual(
        Object.keys(settings).sort(),
        Object.keys(prefect.components.schemas.Settings.properties).sort(),
      );
      assert.equal(settings.server.database.connection_url, "********");
      assert.equal(settings.server.events.retention_period, "P7D");
      assert.equal(settings.server.events.maximum_related_resources, 100);
      assert.equal(typeof settings.server.api.port, "number");
      assert.equal(typeof settings.server.ui.enabled, "boolean");
    });

    it("creates flows idempotently by name: 201 then 200 with the same id", async () => {
      const first = await post("/flows/", { name: "api-flow", tags: ["t"] });
      const second = await post("/flows/", { name: "api-flow" });
      assert.equal(first.statusCode, 201);
      assert.equal(second.statusCode, 200);
      assert.equal(second.json().id, first.json().id);
      assert.deepEqual(Object.keys(first.json()).sort(), [
        "created",
        "id",
        "labels",
        "name",
        "tags",
        "updated",
      ]);
      assert.equal((await get(`/flows/name/api-flow`)).json().id, first.json().id);
    });

    it("runs a flow run through set_state: ACCEPT 201, then REJECT of a duplicate transition 200", async () => {
      const flow = (await post("/flows/", { name: "orchestrated" })).json();
      const created = await post("/flow_runs/", {
        flow_id: flow.id,
        parameters: { x: 4 },
        state: { type: "PENDING" },
      });
      assert.equal(created.statusCode, 201);
      const run = created.json();
      assert.equal(run.state.type, "PENDING");
      assert.equal(run.labels["prefect.flow.id"], flow.id);
      const running = await post(`/flow_runs/${run.id}/set_state`, {
        state: {
          type: "RUNNING",
          state_details: { transition_id: "297ceb20-0eab-4db6-b96e-844cddfed0fc" },
        },
      });
      assert.equal(running.statusCode, 201);
      assert.equal(running.json().status, "ACCEPT");
      assert.deepEqual(running.json().details, { type: "accept_details" });
      const again = await post(`/flow_runs/${run.id}/set_state`, {
        state: {
          type: "RUNNING",
          state_details: { transition_id: "297ceb20-0eab-4db6-b96e-844cddfed0fc" },
        },
      });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().status, "REJECT");
      assert.equal(again.json().state.id, running.json().state.id);
      const completed = await post(`/flow_runs/${run.id}/set_state`, {
        state: { type: "COMPLETED" },
      });
      assert.equal(completed.statusCode, 201);
      const read = (await get(`/flow_runs/${run.id}`)).json();
      assert.equal(read.state_type, "COMPLETED");
      assert.equal(read.run_count, 1);
      assert.equal(typeof read.estimated_run_time, "number");
      const history = (await get(`/flow_run_states/?flow_run_id=${run.id}`)).json() as {
        name: string;
      }[];
      assert.deepEqual(
        history.map((s) => s.name),
        ["Pending", "Running", "Completed"],
      );
    });

    it("creates task runs idempotently and orchestrates their states", async () => {
      const flow = (await post("/flows/", { name: "with-tasks" })).json();
      const run = (await post("/flow_runs/", { flow_id: flow.id })).json();
      await post(`/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } });
      const body = { flow_run_id: run.id, task_key: "k", dynamic_key: "0", name: "k-0" };
      const a = await post("/task_runs/", body);
      const b = await post("/task_runs/", body);
      assert.equal(a.statusCode, 201);
      assert.equal(b.statusCode, 200);
      assert.equal(b.json().id, a.json().id);
      const running = await post(`/task_runs/${a.json().id}/set_state`, {
        state: { type: "RUNNING" },
      });
      assert.equal(running.statusCode, 201);
      const failed = await post(`/task_runs/${a.json().id}/set_state`, {
        state: { type: "FAILED" },
      });
      assert.equal(failed.json().status, "ACCEPT");
      assert.equal((await get(`/task_runs/${a.json().id}`)).json().state_type, "FAILED");
    });

    it("updates and deletes flows, flow runs and task runs", async () => {
      const send = (method: "PATCH" | "DELETE", url: string, payload?: object) =>
        app.inject({ method, url: `/api${url}`, payload });
      const flow = (await post("/flows/", { name: "to-change" })).json();
      const run = (await post("/flow_runs/", { flow_id: flow.id, labels: { a: "1" } })).json();
      const taskRun = (
        await post("/task_runs/", { flow_run_id: run.id, task_key: "k", dynamic_key: "0" })
      ).json();

      assert.equal((await send("PATCH", `/flows/${flow.id}`, { tags: ["x"] })).statusCode, 204);
      assert.deepEqual((await get(`/flows/${flow.id}`)).json().tags, ["x"]);
      const renamed = await send("PATCH", `/flow_runs/${run.id}`, { name: "renamed-run" });
      assert.equal(renamed.statusCode, 204);
      assert.equal((await get(`/flow_runs/${run.id}`)).json().name, "renamed-run");
      const labelled = await send("PATCH", `/flow_runs/${run.id}/labels`, { b: 2 });
      assert.equal(labelled.statusCode, 204);
      assert.deepEqual((await get(`/flow_runs/${run.id}`)).json().labels, {
        a: "1",
        b: 2,
        "prefect.flow.id": flow.id,
      });
      const task = await send("PATCH", `/task_runs/${taskRun.id}`, { name: "renamed-task" });
      assert.equal(task.statusCode, 204);
      assert.equal((await get(`/task_runs/${taskRun.id}`)).json().name, "renamed-task");
      // TaskRunUpdate takes a name only
      const other = await send("PATCH", `/task_runs/${taskRun.id}`, { tags: ["x"] });
      assert.equal(other.statusCode, 422);
      const unknown = "00000000-0000-4000-8000-000000000000";
      assert.equal((await send("PATCH", `/task_runs/${unknown}`, { name: "x" })).statusCode, 404);

      assert.equal((await send("DELETE", `/task_runs/${taskRun.id}`)).statusCode, 204);
      assert.equal((await get(`/task_runs/${taskRun.id}`)).statusCode, 404);
      assert.equal((await send("DELETE", `/flow_runs/${run.id}`)).statusCode, 204);
      assert.equal((await get(`/flow_runs/${run.id}`)).statusCode, 404);
    });

    it("labels a new task run with its flow run's labels and id, its own labels winning", async () => {
      const flow = (await post("/flows/", { name: "labelled" })).json();
      const run = (
        await post("/flow_runs/", { flow_id: flow.id, labels: { team: "data", tier: "1" } })
      ).json();
      const created = await post("/task_runs/", {
        flow_run_id: run.id,
        task_key: "k",
        dynamic_key: "0",
        labels: { tier: "2" },
      });
      assert.deepEqual(created.json().labels, {
        team: "data",
        tier: "2",
        "prefect.flow.id": flow.id,
        "prefect.flow-run.id": run.id,
      });
      const orphan = await post("/task_runs/", { task_key: "k", dynamic_key: "1" });
      assert.deepEqual(orphan.json().labels, {});
    });

    it("stores log batches", async () => {
      const flow = (await post("/flows/", { name: "logged" })).json();
      const run = (await post("/flow_runs/", { flow_id: flow.id })).json();
      const res = await post("/logs/", [
        {
          name: "x",
          level: 20,
          message: "hello",
          timestamp: "2026-11-22T01:33:24.057243Z",
          flow_run_id: run.id,
        },
      ]);
      assert.equal(res.statusCode, 201);
      const stored = await t.database.db
        .selectFrom("log")
        .selectAll()
        .where("flow_run_id", "=", run.id)
        .execute();
      assert.equal(stored[0]?.message, "hello");
    });

    it("answers bad input with 4xx in Prefect's shape and writes nothing", async () => {
      const before = await t.database.db
        .selectFrom("flow_run")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      const badUuid = await post("/flow_runs/", { flow_id: "not-a-uuid" });
      assert.equal(badUuid.statusCode, 422);
      assert.equal(badUuid.json().exception_message, "Invalid request received.");
      assert.deepEqual(badUuid.json().exception_detail[0].loc, ["body", "flow_id"]);
      const unknownFlow = await post("/flow_runs/", {
        flow_id: "00000000-0000-4000-8000-000000000000",
      });
      assert.equal(unknownFlow.statusCode, 404);
      const extra = await post("/flows/", { name: "x", unexpected: 1 });
      assert.equal(extra.statusCode, 422);
      const badEnum = await post("/flow_runs/00000000-0000-4000-8000-000000000000/set_state", {
        state: { type: "DONE" },
      });
      assert.equal(badEnum.statusCode, 422);
      const missing = await post("/flow_runs/00000000-0000-4000-8000-000000000000/set_state", {
        state: { type: "RUNNING" },
      });
      assert.equal(missing.statusCode, 404);
      const malformed = await app.inject({
        method: "POST",
        url: "/api/flows/",
        payload: "{nope",
        headers: { "content-type": "application/json" },
      });
      assert.equal(malformed.statusCode, 422);
      const noType = await app.inject({
        method: "POST",
        url: "/api/flows/",
        payload: '{"name":"untyped"}',
        headers: { "content-type": "" },
      });
      assert.equal(noType.statusCode, 201);
      assert.equal((await get("/flow_runs/not-a-uuid")).statusCode, 404);
      const doomed = (await post("/flows/", { name: "doomed" })).json();
      const deleted = await app.inject({ method: "DELETE", url: `/api/flows/${doomed.id}` });
      assert.equal(deleted.statusCode, 204);
      assert.equal((await get(`/flows/${doomed.id}`)).statusCode, 404);
      assert.deepEqual((await get("/nowhere")).json(), { detail: "Not Found" });
      const after = await t.database.db
        .selectFrom("flow_run")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });
  });
}

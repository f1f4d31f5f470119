import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createApp } from "../../src/server/app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the OpenAPI document and /docs`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createApp({ database: t.database });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("documents response schemas under Prefect's component names", async () => {
      const res = await app.inject({ method: "GET", url: "/api/openapi.json" });
      assert.equal(res.statusCode, 200);
      const doc = res.json() as OpenApiDocument;
      const ref = (path: string, method: string, status: string) =>
        JSON.stringify(doc.paths[path]?.[method]?.responses?.[status]);
      assert.match(
        ref("/api/flow_runs/{id}", "get", "200"),
        /#\/components\/schemas\/FlowRunResponse"/,
      );
      assert.match(ref("/api/flow_runs/filter", "post", "200"), /FlowRunResponse/);
      assert.match(ref("/api/task_runs/{id}", "get", "200"), /#\/components\/schemas\/TaskRun"/);
      assert.match(ref("/api/flow_runs/{id}/set_state", "post", "201"), /OrchestrationResult/);
      assert.match(ref("/api/events/filter", "post", "200"), /#\/components\/schemas\/EventPage"/);
      assert.match(ref("/api/events/count-by/{countable}", "post", "200"), /EventCount/);
      assert.match(ref("/api/flow_runs/lateness", "post", "200"), /number/);
      const schemas = doc.components?.schemas ?? {};
      for (const name of [
        "FlowRunResponse",
        "TaskRun",
        "State",
        "Flow",
        "Log",
        "EventPage",
        "ReceivedEvent",
      ]) {
        assert.ok(schemas[name], `component ${name}`);
      }
      assert.ok(schemas.FlowRunResponse?.properties?.estimated_start_time_delta);
      assert.deepEqual(
        Object.keys(schemas).filter((n) => n.endsWith("Input")),
        [],
        "no unused input copies",
      );
      assert.ok(
        !Object.keys(doc.paths).some((p) => p.startsWith("/docs")),
        "the UI routes are not documented",
      );
    });

    it("still answers the routes that now carry response schemas", async () => {
      const flow = await app.inject({
        method: "POST",
        url: "/api/flows/",
        payload: { name: "docs" },
      });
      assert.equal(flow.statusCode, 201);
      assert.deepEqual(Object.keys(flow.json()).sort(), [
        "created",
        "id",
        "labels",
        "name",
        "tags",
        "updated",
      ]);
      const runs = await app.inject({ method: "POST", url: "/api/flow_runs/filter", payload: {} });
      assert.equal(runs.statusCode, 200);
      assert.deepEqual(runs.json(), []);
    });

    it("serves Swagger UI at /docs over the same document", async () => {
      const page = await app.inject({ method: "GET", url: "/docs" });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers["content-type"]), /text\/html/);
      assert.match(page.body, /swagger-ui/i);
      const json = await app.inject({ method: "GET", url: "/docs/json" });
      assert.equal(json.statusCode, 200);
      assert.equal(json.json().info.title, "Prefect REST API");
      const bundle = await app.inject({ method: "GET", url: "/docs/static/swagger-ui-bundle.js" });
      assert.equal(bundle.statusCode, 200);
    });
  });
}

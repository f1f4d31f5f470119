import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { assertDocumentedResponse } from "../helpers/responses.ts";

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: {
    schemas?: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
  };
}

/** Routes still documented without a response body schema (Prefect documents them all). */
const UNDOCUMENTED = [
  // documented as `z.null()`, which the document shows as Fastify's "Default Response"
  "post /api/logs/",
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: the OpenAPI document and /docs`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
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
      // the UI helper routes and the run graph, under the names of prefect-openapi-ui-routes.json
      // and prefect-openapi.json
      assert.match(ref("/api/flow_runs/{id}/graph-v2", "get", "200"), /schemas\/Graph"/);
      assert.match(ref("/api/ui/flow_runs/history", "post", "200"), /schemas\/SimpleFlowRun"/);
      assert.match(ref("/api/ui/flows/next-runs", "post", "200"), /schemas\/SimpleNextFlowRun"/);
      assert.match(ref("/api/ui/task_runs/count", "post", "200"), /schemas\/CountByState"/);
      assert.match(ref("/api/ui/task_runs/dashboard/counts", "post", "200"), /TaskRunCount"/);
      assert.match(ref("/api/ui/task_runs/{id}", "get", "200"), /schemas\/UITaskRun"/);
      for (const path of ["/api/ui/flows/count-deployments", "/api/ui/flow_runs/count-task-runs"]) {
        const schema = JSON.parse(ref(path, "post", "200")).content["application/json"].schema;
        assert.equal(schema.propertyNames?.format, "uuid", path);
        assert.equal(schema.additionalProperties?.type, "integer", path);
      }
      // a 2xx with a body schema, or a no-body response named as such (not Fastify's default)
      const documented = (path: string, method: string) =>
        Object.entries(doc.paths[path]?.[method]?.responses ?? {}).some(
          ([status, response]) =>
            status.startsWith("2") &&
            (JSON.stringify(response).includes('"schema"') ||
              (response as { description?: string }).description !== "Default Response"),
        );
      const missing = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods)
          .filter((method) => !documented(path, method))
          .map((method) => `${method} ${path}`),
      );
      assert.deepEqual(
        missing.sort(),
        [...UNDOCUMENTED].sort(),
        "routes without a response schema",
      );
      const schemas = doc.components?.schemas ?? {};
      for (const name of [
        "FlowRunResponse",
        "TaskRun",
        "State",
        "Flow",
        "Log",
        "EventPage",
        "ReceivedEvent",
        "Graph",
        "Node",
        "Edge",
        "GraphState",
        "GraphArtifact",
        "SimpleFlowRun",
        "SimpleNextFlowRun",
        "CountByState",
        "TaskRunCount",
        "UITaskRun",
      ]) {
        assert.ok(schemas[name], `component ${name}`);
      }
      assert.deepEqual(schemas.Node?.required?.sort(), [
        "artifacts",
        "children",
        "encapsulating",
        "end_time",
        "id",
        "kind",
        "label",
        "parents",
        "start_time",
        "state_type",
      ]);
      assert.ok(schemas.UITaskRun?.properties?.flow_run_name);
      assert.ok(schemas.UITaskRun?.properties?.estimated_start_time_delta);
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

    it("every route it serves declares its responses beside it", async () => {
      const res = await app.inject({ method: "GET", url: "/api/openapi.json" });
      const doc = res.json() as { paths: Record<string, Record<string, { responses?: object }>> };
      const undocumented: string[] = [];
      let routes = 0;
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          routes++;
          const statuses = Object.keys(operation.responses ?? {}).filter((s) => /^\d+$/.test(s));
          if (statuses.length === 0) undocumented.push(`${method.toUpperCase()} ${path}`);
          const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`;
          for (const status of statuses) {
            if (!app.responseSchemas.get(route)?.[Number(status)])
              undocumented.push(`${route} → ${status} (in the document, not checkable)`);
          }
        }
      }
      assert.ok(routes > 40, `only ${routes} routes documented`);
      assert.deepEqual(undocumented, []);
    });

    it("checks responses against their documented schema, undocumented fields included", () => {
      const dot = {
        id: "00000000-0000-4000-8000-000000000000",
        state_type: "COMPLETED",
        timestamp: "2030-01-01T00:00:00.000000Z",
        duration: 1.5,
        lateness: 0,
      };
      assertDocumentedResponse(app, "POST /api/ui/flow_runs/history", 200, [dot]);
      assert.throws(
        () =>
          assertDocumentedResponse(app, "POST /api/ui/flow_runs/history", 200, [{ ...dot, x: 1 }]),
        /fields its schema does not list/,
      );
      assert.throws(
        () =>
          assertDocumentedResponse(app, "POST /api/ui/flow_runs/history", 200, [
            { ...dot, duration: null },
          ]),
        /does not match its schema/,
      );
      assert.throws(
        () => assertDocumentedResponse(app, "POST /api/ui/flow_runs/history", 201, []),
        /no response schema/,
      );
    });

    it("serves Swagger UI at /docs over the same document", async () => {
      const redirect = await app.inject({ method: "GET", url: "/api/docs" });
      assert.equal(redirect.statusCode, 302);
      assert.equal(redirect.headers.location, "/docs");
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

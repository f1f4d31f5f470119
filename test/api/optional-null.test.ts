/**
 * `null` for an optional body field means "the default", as Prefect treats it: the real Python
 * client sends `"sort": null`, `"offset": null`, `"state_details": {"deferred": null, …}` and so
 * on. Every route's request body, as `/api/openapi.json` documents it, is walked to every depth;
 * each optional field is sent as `null` on its own, and the answer may be anything but a 422
 * naming that field. A field Prefect requires stays required (a `null` there is refused as a
 * missing or mistyped value, as Prefect does).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
}
interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** A step into a body: a property name, or the first item of an array. */
type Step = string | 0;

/** The object schemas a schema may be (through `anyOf`/`oneOf` and `$ref`). */
function objectBranches(schema: JsonSchema, doc: OpenApiDocument): JsonSchema[] {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    const target = doc.components?.schemas?.[name];
    return target ? objectBranches(target, doc) : [];
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap((b) => objectBranches(b, doc));
  return schema.properties || schema.items ? [schema] : [];
}

/** Every optional field of a body schema, as the path of steps that reaches it. */
function optionalFields(schema: JsonSchema, doc: OpenApiDocument, path: Step[] = []): Step[][] {
  if (path.length > 12) return [];
  const out: Step[][] = [];
  for (const branch of objectBranches(schema, doc)) {
    if (branch.items) out.push(...optionalFields(branch.items, doc, [...path, 0]));
    for (const [name, property] of Object.entries(branch.properties ?? {})) {
      const at = [...path, name];
      if (!branch.required?.includes(name)) out.push(at);
      out.push(...optionalFields(property, doc, at));
    }
  }
  return out;
}

/** A body holding `null` at `path` and nothing else (a list holds one item). */
function bodyWithNullAt(path: Step[]): unknown {
  let value: unknown = null;
  for (const step of [...path].reverse()) value = step === 0 ? [value] : { [step]: value };
  return value;
}

/** A value for each path parameter (a missing object answers 404, which is not a 422). */
const PATH_VALUES: Record<string, string> = {
  id: "00000000-0000-4000-8000-000000000000",
  countable: "day",
};

interface ValidationError {
  exception_detail?: { loc: (string | number)[]; msg: string }[];
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: null for an optional body field is its default`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let doc: OpenApiDocument;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      doc = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("no route answers 422 for an optional field sent as null", async () => {
      const refused: string[] = [];
      let checked = 0;
      for (const [template, methods] of Object.entries(doc.paths)) {
        const url = template.replace(/\{(\w+)\}/g, (_, name: string) => PATH_VALUES[name] ?? name);
        for (const [method, operation] of Object.entries(methods)) {
          const schema = operation.requestBody?.content?.["application/json"]?.schema;
          if (!schema) continue;
          const seen = new Set<string>();
          for (const path of optionalFields(schema, doc)) {
            const key = JSON.stringify(path);
            if (seen.has(key)) continue;
            seen.add(key);
            checked++;
            const res = await app.inject({
              method: method.toUpperCase() as "POST",
              url,
              payload: bodyWithNullAt(path) as object,
            });
            if (res.statusCode !== 422) continue;
            const loc = JSON.stringify(["body", ...path]).slice(0, -1);
            const blamed = ((res.json() as ValidationError).exception_detail ?? []).filter((d) =>
              JSON.stringify(d.loc).startsWith(loc),
            );
            if (blamed.length > 0) {
              const name = path.map((s) => (s === 0 ? "[0]" : s)).join(".");
              refused.push(`${method.toUpperCase()} ${template} ${name}: ${blamed[0]?.msg}`);
            }
          }
        }
      }
      assert.ok(checked > 500, `only ${checked} optional fields found`);
      assert.deepEqual(refused, []);
    });

    it("the Python client's default listing bodies are answered 200", async () => {
      const bodies: Record<string, unknown> = {
        "/api/flows/filter": {
          flows: null,
          flow_runs: null,
          task_runs: null,
          deployments: null,
          work_pools: null,
          sort: null,
          limit: null,
          offset: null,
        },
        "/api/flow_runs/filter": {
          flows: null,
          flow_runs: null,
          task_runs: null,
          deployments: null,
          work_pools: null,
          work_pool_queues: null,
          sort: null,
          limit: null,
          offset: 0,
        },
        "/api/task_runs/filter": {
          flows: null,
          flow_runs: null,
          task_runs: null,
          deployments: null,
          sort: null,
          limit: null,
          offset: 0,
        },
        "/api/logs/filter": { logs: null, sort: null, limit: null, offset: null },
        "/api/events/filter": { filter: null, limit: null },
        "/api/ui/flow_runs/history": { sort: null, limit: null, offset: null },
      };
      for (const [url, payload] of Object.entries(bodies)) {
        const res = await app.inject({ method: "POST", url, payload: payload as object });
        assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
      }
    });

    it("null takes the field's default; a required field stays required", async () => {
      const call = async (method: "POST" | "PATCH" | "GET", url: string, payload?: object) => {
        const res = await app.inject({ method, url, payload });
        return { status: res.statusCode, body: res.body ? res.json() : undefined };
      };
      assert.equal((await call("POST", "/api/flows/", { name: null })).status, 422);
      const flow = await call("POST", "/api/flows/", { name: "nulls", tags: null, labels: null });
      assert.equal(flow.status, 201);
      assert.deepEqual([flow.body.tags, flow.body.labels], [[], {}]);
      const run = await call("POST", "/api/flow_runs/", {
        flow_id: flow.body.id,
        tags: ["kept"],
        parameters: null,
        context: null,
        empirical_policy: null,
        state: { type: "PENDING", state_details: { untrackable_result: null } },
      });
      assert.equal(run.status, 201);
      assert.deepEqual(run.body.parameters, {});
      assert.equal(run.body.state.state_details.untrackable_result, false);
      // a change sent as null is a change left out
      const patched = await call("PATCH", `/api/flow_runs/${run.body.id}`, {
        tags: null,
        parameters: null,
        empirical_policy: null,
      });
      assert.equal(patched.status, 204);
      const read = await call("GET", `/api/flow_runs/${run.body.id}`);
      assert.deepEqual(read.body.tags, ["kept"]);
      const proposed = await call("POST", `/api/flow_runs/${run.body.id}/set_state`, {
        state: { type: "RUNNING" },
        force: null,
      });
      assert.equal(proposed.body.status, "ACCEPT");
      const events = await call("POST", "/api/events/filter", {
        filter: {
          occurred: { since: null, until: null },
          order: null,
          resource: { distinct: null },
        },
        limit: null,
      });
      assert.equal(events.status, 200);
    });

    it("state_details.deferred: what was proposed, read back the same; false when left out", async () => {
      const flow = await app.inject({
        method: "POST",
        url: "/api/flows/",
        payload: { name: "deferred" },
      });
      const run = await app.inject({
        method: "POST",
        url: "/api/flow_runs/",
        payload: { flow_id: flow.json().id },
      });
      const flowRunId = run.json().id as string;
      const cases: [details: object | undefined, deferred: boolean | null][] = [
        [undefined, false],
        [{}, false],
        [{ deferred: null }, null],
        [{ deferred: false }, false],
      ];
      for (const [i, [details, deferred]] of cases.entries()) {
        const created = await app.inject({
          method: "POST",
          url: "/api/task_runs/",
          payload: {
            flow_run_id: flowRunId,
            task_key: "deferred-key",
            dynamic_key: String(i),
            state: { type: "PENDING", ...(details ? { state_details: details } : {}) },
          },
        });
        assert.equal(created.statusCode, 201);
        const id = created.json().id as string;
        const read = await app.inject({ method: "GET", url: `/api/task_runs/${id}` });
        const label = JSON.stringify(details);
        assert.equal(created.json().state.state_details.deferred, deferred, `POST ${label}`);
        assert.equal(read.json().state.state_details.deferred, deferred, `GET ${label}`);
        const set = await app.inject({
          method: "POST",
          url: `/api/task_runs/${id}/set_state`,
          payload: { state: { type: "RUNNING", ...(details ? { state_details: details } : {}) } },
        });
        assert.equal(set.json().state.state_details.deferred, deferred, `set_state ${label}`);
        const again = await app.inject({ method: "GET", url: `/api/task_runs/${id}` });
        assert.equal(again.json().state.state_details.deferred, deferred, `GET after ${label}`);
      }
    });
  });
}

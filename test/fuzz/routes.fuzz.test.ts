/**
 * Fuzzing every route the API documents (`app.swagger()`, as served at `/api/openapi.json`), on
 * both databases: requests built from each route's schema, then mutated (see `generate.ts`). No
 * request may be answered with a 5xx, and a request answered 4xx may not leave a row behind.
 *
 * Seeded and bounded: `FUZZ_SEED` replays a run (the seed is printed), `FUZZ_COUNT` sets the
 * number of requests per database.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import {
  CONTENT_TYPES,
  type KnownIds,
  mutate,
  NOT_JSON,
  pathValue,
  Random,
  sample,
  toJsonText,
} from "./generate.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 1616);
const COUNT = Number(process.env.FUZZ_COUNT ?? 700);

type Schema = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Schema }[];
  body?: Schema;
}

/** Every operation of the OpenAPI document. */
function operationsOf(doc: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(item)) {
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> })?.content;
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Operation["parameters"] | undefined) ?? [],
        body: content?.["application/json"]?.schema,
      });
    }
  }
  return out;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  what: string;
}

function truncate(text: string, n = 300): string {
  return text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text;
}

function queryValue(rng: Random, schema: Schema | undefined, doc: Schema, known: KnownIds) {
  const r = rng.next();
  if (r < 0.1) return ["%00", "nul"];
  if (r < 0.15) return ["%ED%A0%80", "bad utf-8"];
  if (r < 0.2) return ["x".repeat(20_000), "huge"];
  if (r < 0.25) return ["", "empty"];
  const value = sample(schema ?? { type: "string" }, doc, rng, known);
  return [encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value)), "sampled"];
}

function buildRequest(op: Operation, rng: Random, doc: Schema, known: KnownIds): FuzzRequest {
  const whats: string[] = [];
  let url = op.path;
  for (const p of op.parameters.filter((p) => p.in === "path")) {
    const [value, what] = pathValue(rng, known, p.name === "id" || p.name.endsWith("_id"));
    url = url.replace(`{${p.name}}`, value);
    if (what !== "known") whats.push(`path ${p.name}: ${what}`);
  }
  const query: string[] = [];
  for (const p of op.parameters.filter((p) => p.in === "query")) {
    if (!p.required && rng.chance(0.4)) continue;
    const [value, what] = queryValue(rng, p.schema, doc, known);
    query.push(`${encodeURIComponent(p.name)}=${value}`);
    if (what !== "sampled") whats.push(`query ${p.name}: ${what}`);
  }
  if (rng.chance(0.05)) query.push(`extra=${rng.pick(["1", "%00", "%ED%A0%80"])}`);
  if (query.length) url += `?${query.join("&")}`;
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  const sendsBody = op.body !== undefined || (op.method !== "GET" && rng.chance(0.1));
  if (sendsBody) {
    const r = rng.next();
    if (r < 0.05) {
      payload = rng.pick(NOT_JSON);
      whats.push("not JSON");
    } else if (r < 0.1) {
      payload = "";
      whats.push("empty body");
    } else {
      let value = op.body ? sample(op.body, doc, rng, known) : { a: 1 };
      if (rng.chance(0.7)) {
        const mutated = mutate(value, rng);
        value = mutated.value;
        whats.push(mutated.what);
      }
      payload = toJsonText(value);
    }
    const type = rng.chance(0.1) ? rng.pick(CONTENT_TYPES) : "application/json";
    if (type) headers["content-type"] = type;
    if (type !== "application/json") whats.push(`content type ${type ?? "none"}`);
  }
  return { method: op.method, url, headers, payload, what: whats.join("; ") || "valid" };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: fuzzed requests to every documented route`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let tables: string[];
    const known: KnownIds = { uuids: [], names: [] };

    async function rowCounts(): Promise<Record<string, number>> {
      await app.flushEvents();
      const out: Record<string, number> = {};
      for (const table of tables) {
        const { rows } = await sql<{
          n: number | string;
        }>`select count(*) as n from ${sql.table(table)}`.execute(t.database.db);
        out[table] = Number(rows[0]?.n);
      }
      return out;
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      tables = (await t.database.db.introspection.getTables())
        .map((table) => table.name)
        .filter((name) => !name.startsWith("kysely_") && !name.startsWith("_"));
      const post = async (url: string, body: unknown) => {
        const res = await app.inject({
          method: "POST",
          url: `/api${url}`,
          payload: body as object,
        });
        assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
        return res.body ? res.json() : null;
      };
      const flow = await post("/flows/", { name: "fuzz-flow", tags: ["a"] });
      const run = await post("/flow_runs/", { flow_id: flow.id, name: "fuzz-run", tags: ["a"] });
      const task = await post("/task_runs/", {
        flow_run_id: run.id,
        task_key: "fuzz-task",
        dynamic_key: "0",
        name: "fuzz-task-0",
      });
      await post("/logs/", [
        {
          name: "fuzz",
          level: 20,
          message: "hello",
          timestamp: "2026-01-01T00:00:00Z",
          flow_run_id: run.id,
          task_run_id: task.id,
        },
      ]);
      known.uuids.push(flow.id, run.id, task.id, run.state_id, task.state_id);
      known.names.push("fuzz-flow", "fuzz-run", "fuzz-task-0");
    });

    after(async () => {
      await app?.close();
      await t?.dispose();
    });

    it(`answers no request with a 5xx, and a refused request writes nothing`, async () => {
      const seed = SEED + (dialect === "postgres" ? 1 : 0);
      console.log(
        `# fuzz ${dialect}: seed ${seed} (replay with FUZZ_SEED=${SEED}), ${COUNT} requests`,
      );
      const rng = new Random(seed);
      const doc = app.swagger() as Schema;
      const operations = operationsOf(doc);
      assert.ok(operations.length > 30, "the document lists the routes");
      const failures: string[] = [];
      const seen = new Set<string>();
      const statuses = new Map<number, number>();
      for (let i = 0; i < COUNT; i++) {
        const op = operations[i % operations.length] as Operation;
        seen.add(`${op.method} ${op.path}`);
        const request = buildRequest(op, rng, doc, known);
        const started = performance.now();
        if (process.env.FUZZ_VERBOSE)
          console.log(`#${i} ${request.method} ${truncate(request.url, 80)} ${request.what}`);
        const writes = request.method !== "GET";
        const countsBefore = writes ? await rowCounts() : null;
        const res = await app.inject({
          method: request.method as "GET",
          url: request.url,
          headers: request.headers,
          ...(request.payload === undefined ? {} : { payload: request.payload }),
        });
        const described = `#${i} ${request.method} ${truncate(request.url, 120)} (${request.what}) → ${res.statusCode} ${truncate(res.body, 200)}\n    body: ${truncate(request.payload ?? "(none)")}`;
        if (process.env.FUZZ_VERBOSE)
          console.log(`   → ${res.statusCode} in ${(performance.now() - started).toFixed(0)} ms`);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) {
          failures.push(described);
          continue;
        }
        if (countsBefore && res.statusCode >= 400) {
          const countsAfter = await rowCounts();
          if (JSON.stringify(countsAfter) !== JSON.stringify(countsBefore)) {
            failures.push(
              `${described}\n    rows changed: ${JSON.stringify(countsBefore)} → ${JSON.stringify(countsAfter)}`,
            );
          }
        }
        // Prefect's error shapes: {detail} or the 422 validation shape
        if (res.statusCode >= 400 && res.body) {
          const json = res.json() as Record<string, unknown>;
          if (!("detail" in json) && json.exception_message !== "Invalid request received.") {
            failures.push(`${described}\n    not Prefect's error shape`);
          }
        }
      }
      const answered = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
      console.log(`# fuzz ${dialect}: answers ${answered.join(", ")}`);
      assert.equal(seen.size, operations.length, "every route was fuzzed");
      assert.deepEqual(failures.slice(0, 25), [], `${failures.length} failures (seed ${seed})`);
    });
  });
}

/**
 * Bad input to every route: a 4xx in Prefect's error shape — 422 `{exception_message,
 * exception_detail, request_body}` for a request that does not validate (or `{detail}` where
 * Prefect answers so), 404 `{detail}` for unknown objects, 409 `{detail}` for a violated
 * constraint — never a 500, and nothing written.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { inputMetrics } from "../../src/services/input-metrics.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const R = "00000000-0000-4000-8000-000000000000";
const TABLES = [
  "flow",
  "flow_run",
  "task_run",
  "flow_run_state",
  "task_run_state",
  "log",
  "events",
  "event_resources",
] as const;

type Case = [
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  body: unknown,
  status: number,
];

function cases(ids: { flow: string; run: string; task: string }): Case[] {
  const { flow, run, task } = ids;
  const day = { history_start: "2026-01-01T00:00:00Z", history_end: "2026-01-02T00:00:00Z" };
  return [
    ["POST", "/flows/", {}, 422],
    ["POST", "/flows/", { name: 5 }, 422],
    ["POST", "/flows/", { name: "x", tags: "a" }, 422],
    ["GET", "/flows/not-a-uuid", undefined, 404],
    ["GET", `/flows/${R}`, undefined, 404],
    ["GET", "/flows/name/no-such-flow", undefined, 404],
    ["PATCH", `/flows/${flow}`, { tags: "x" }, 422],
    ["PATCH", `/flows/${R}`, { tags: [] }, 404],
    ["DELETE", `/flows/${R}`, undefined, 404],
    ["POST", "/flows/filter", { limit: 201 }, 422],
    ["POST", "/flows/filter", { sort: "SIDEWAYS" }, 422],
    ["POST", "/flows/count", { flows: { id: { any_: ["x"] } } }, 422],
    ["POST", "/flows/paginate", { page: 0 }, 422],
    ["POST", "/flow_runs/", {}, 422],
    ["POST", "/flow_runs/", { flow_id: R }, 404],
    ["POST", "/flow_runs/", { flow_id: flow, state: { type: "BOGUS" } }, 422],
    ["POST", "/flow_runs/", { flow_id: flow, parameters: "x" }, 422],
    ["GET", `/flow_runs/${R}`, undefined, 404],
    ["PATCH", `/flow_runs/${run}`, { name: 5 }, 422],
    ["PATCH", `/flow_runs/${R}`, {}, 404],
    ["PATCH", `/flow_runs/${run}/labels`, { a: { b: 1 } }, 422],
    ["PATCH", `/flow_runs/${R}/labels`, { a: "b" }, 404],
    ["DELETE", `/flow_runs/${R}`, undefined, 404],
    ["GET", `/flow_runs/${run}/graph-v2?since=yesterday`, undefined, 422],
    ["GET", `/flow_runs/${R}/graph-v2`, undefined, 404],
    ["POST", `/flow_runs/${run}/set_state`, {}, 422],
    ["POST", `/flow_runs/${run}/set_state`, { state: { type: "NOPE" } }, 422],
    ["POST", `/flow_runs/${R}/set_state`, { state: { type: "RUNNING" } }, 404],
    ["POST", "/flow_runs/filter", { offset: -1 }, 422],
    ["POST", "/flow_runs/count", { flow_runs: { state: { type: { any_: ["NOPE"] } } } }, 422],
    ["POST", "/flow_runs/paginate", { limit: 500 }, 422],
    ["POST", "/flow_runs/lateness", { flow_runs: { bogus: 1 } }, 422],
    ["POST", "/flow_runs/history", {}, 422],
    [
      "POST",
      "/flow_runs/history",
      { ...day, history_start: "x", history_interval_seconds: 60 },
      422,
    ],
    ["POST", "/flow_runs/history", { ...day, history_interval_seconds: 0.5 }, 422],
    ["POST", "/task_runs/", {}, 422],
    ["POST", "/task_runs/", { flow_run_id: R, task_key: "k", dynamic_key: "0" }, 409],
    ["GET", `/task_runs/${R}`, undefined, 404],
    ["DELETE", `/task_runs/${R}`, undefined, 404],
    ["POST", `/task_runs/${task}/set_state`, {}, 422],
    ["POST", `/task_runs/${R}/set_state`, { state: { type: "RUNNING" } }, 404],
    ["POST", "/task_runs/filter", { task_runs: { bogus: 1 } }, 422],
    ["POST", "/task_runs/count", { task_runs: { id: { any_: [1] } } }, 422],
    ["POST", "/task_runs/paginate", { page: "x" }, 422],
    ["POST", "/task_runs/history", {}, 422],
    ["GET", "/flow_run_states/?flow_run_id=nope", undefined, 422],
    ["GET", "/flow_run_states/", undefined, 422],
    ["GET", `/flow_run_states/${R}`, undefined, 404],
    ["GET", "/task_run_states/?task_run_id=nope", undefined, 422],
    ["GET", `/task_run_states/${R}`, undefined, 404],
    ["POST", "/logs/", [{}], 422],
    ["POST", "/logs/", { a: 1 }, 422],
    [
      "POST",
      "/logs/",
      [{ name: "n", level: "x", message: "m", timestamp: "2026-01-01T00:00:00Z" }],
      422,
    ],
    ["POST", "/logs/filter", { limit: -1 }, 422],
    ["POST", "/logs/filter", { logs: { level: { ge_: "x" } } }, 422],
    ["POST", "/events", [{ event: "no.resource" }], 422],
    ["POST", "/events/filter", { limit: 51 }, 422],
    ["GET", "/events/filter/next?page-token=%%%", undefined, 403],
    ["POST", "/events/count-by/weekday", { filter: {} }, 422],
    ["POST", "/ui/flows/count-deployments", { flow_ids: "x" }, 422],
    ["POST", "/ui/flows/next-runs", { flow_ids: ["x"] }, 422],
    ["POST", "/ui/flow_runs/count-task-runs", { flow_run_ids: ["x"] }, 422],
    ["POST", "/ui/task_runs/dashboard/counts", {}, 422],
    ["POST", "/ui/task_runs/count", { task_runs: { bogus: 1 } }, 422],
    ["GET", `/ui/task_runs/${R}`, undefined, 404],
    ["GET", "/ui/task_runs/not-a-uuid", undefined, 404],
  ];
}

/** Routes taking a JSON body: malformed JSON is a 422 there. */
const BODY_ROUTES = [
  "/flows/",
  "/flows/filter",
  "/flow_runs/",
  "/flow_runs/filter",
  "/flow_runs/lateness",
  "/flow_runs/history",
  "/task_runs/",
  "/task_runs/filter",
  "/logs/",
  "/logs/filter",
  "/events",
  "/events/filter",
  "/events/count-by/day",
  "/ui/task_runs/count",
];

for (const dialect of DIALECTS) {
  describe(`${dialect}: bad input to every route`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let ids: { flow: string; run: string; task: string };
    const inject = (method: Case[0], url: string, body?: unknown) =>
      app.inject({
        method,
        url: `/api${url}`,
        ...(body === undefined ? {} : { payload: body as object }),
      });

    async function rowCounts(): Promise<Record<string, number>> {
      await app.flushEvents();
      const out: Record<string, number> = {};
      for (const table of TABLES) {
        const row = await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow();
        out[table] = Number(row.n);
      }
      return out;
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      const flow = (await inject("POST", "/flows/", { name: "bad-input" })).json();
      const run = (await inject("POST", "/flow_runs/", { flow_id: flow.id })).json();
      const task = (
        await inject("POST", "/task_runs/", {
          flow_run_id: run.id,
          task_key: "k",
          dynamic_key: "0",
        })
      ).json();
      ids = { flow: flow.id, run: run.id, task: task.id };
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("answers 4xx in Prefect's error shape and writes nothing", async () => {
      const before = await rowCounts();
      for (const [method, url, body, status] of cases(ids)) {
        const res = await inject(method, url, body);
        const what = `${method} ${url} ${JSON.stringify(body)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        assert.equal(res.statusCode, status, what);
        const json = res.json() as Record<string, unknown>;
        if (status === 422 && "exception_detail" in json) {
          assert.equal(json.exception_message, "Invalid request received.", what);
          assert.ok(Array.isArray(json.exception_detail) && json.exception_detail.length > 0, what);
          assert.ok("request_body" in json, what);
        } else {
          assert.equal(typeof json.detail, "string", what);
        }
      }
      assert.deepEqual(await rowCounts(), before);
    });

    it("words each problem as Prefect (pydantic) does: type, loc, msg, input", async () => {
      const res = await inject("POST", "/flow_runs/filter", {
        sort: "NOPE",
        limit: 500,
        flow_runs: { id: { any_: ["x"] }, tags: { is_null_: "yes" }, nme: 1 },
      });
      assert.equal(res.statusCode, 422);
      const details = res.json().exception_detail as Record<string, unknown>[];
      const byLoc = new Map(details.map((d) => [JSON.stringify(d.loc), d]));
      assert.deepEqual(byLoc.get('["body","limit"]'), {
        type: "less_than_equal",
        loc: ["body", "limit"],
        msg: "Input should be less than or equal to 200",
        input: 500,
      });
      assert.equal(byLoc.get('["body","sort"]')?.type, "enum");
      assert.match(String(byLoc.get('["body","sort"]')?.msg), /^Input should be '.+' or '.+'$/);
      assert.deepEqual(byLoc.get('["body","flow_runs","id","any_",0]'), {
        type: "uuid_parsing",
        loc: ["body", "flow_runs", "id", "any_", 0],
        msg: "Input should be a valid UUID",
        input: "x",
      });
      assert.equal(byLoc.get('["body","flow_runs","tags","is_null_"]')?.type, "bool_type");
      assert.deepEqual(byLoc.get('["body","flow_runs","nme"]'), {
        type: "extra_forbidden",
        loc: ["body", "flow_runs", "nme"],
        msg: "Extra inputs are not permitted",
        input: 1,
      });
      const missing = await inject("POST", "/flows/", { tags: [] });
      assert.deepEqual(missing.json().exception_detail, [
        { type: "missing", loc: ["body", "name"], msg: "Field required", input: { tags: [] } },
      ]);
    });

    it("answers malformed JSON with 422 on every route that takes a body", async () => {
      const before = await rowCounts();
      for (const url of BODY_ROUTES) {
        const res = await app.inject({
          method: "POST",
          url: `/api${url}`,
          headers: { "content-type": "application/json" },
          payload: '{"name": ',
        });
        assert.equal(res.statusCode, 422, url);
        assert.equal(res.json().exception_detail[0].type, "json_invalid", url);
      }
      assert.deepEqual(await rowCounts(), before);
    });

    it("answers a body over 8 MB with 413 and writes nothing", async () => {
      const before = await rowCounts();
      const log = {
        name: "big",
        level: 20,
        message: "x".repeat(1024 * 1024),
        timestamp: "2026-01-01T00:00:00Z",
        flow_run_id: ids.run,
      };
      const res = await app.inject({
        method: "POST",
        url: "/api/logs/",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify(Array.from({ length: 9 }, () => log)),
      });
      assert.equal(res.statusCode, 413);
      assert.deepEqual(res.json(), { detail: "Request body is too large." });
      assert.deepEqual(await rowCounts(), before);
    });

    it("a body nested thousands deep is refused in Prefect's shape, echoed cut at 64 levels", async () => {
      const deep = `${'{"a":'.repeat(2400)}1${"}".repeat(2400)}`;
      for (const url of ["/api/v2/concurrency_limits/increment", "/api/flows/"]) {
        const res = await app.inject({
          method: "POST",
          url,
          headers: { "content-type": "application/json" },
          payload: deep,
        });
        assert.equal(res.statusCode, 422, `${url}: ${res.body.slice(0, 200)}`);
        const body = res.json() as { exception_message: string; request_body: unknown };
        assert.equal(body.exception_message, "Invalid request received.");
        let level = 0;
        for (let v = body.request_body; v !== null && typeof v === "object"; level++) {
          v = (v as { a: unknown }).a;
        }
        assert.equal(level <= 64, true, `${url} echoed ${level} levels`);
      }
    });

    /** A raw JSON text sent as is (escapes such as `\\u0000` reach the server as written). */
    const raw = (method: Case[0], url: string, payload: string, type = "application/json") =>
      app.inject({
        method,
        url: `/api${url}`,
        headers: type ? { "content-type": type } : {},
        payload,
      });

    it("refuses a NUL or a lone surrogate anywhere in a request with 422 naming the spot", async () => {
      const before = await rowCounts();
      const cases: [Case[0], string, string, (string | number)[]][] = [
        ["POST", "/flows/", '{"name": "a\\u0000b"}', ["body", "name"]],
        ["POST", "/flows/", '{"name": "a\\uD800b"}', ["body", "name"]],
        ["POST", "/flows/", '{"name": "x", "tags": ["ok", "\\udfff"]}', ["body", "tags", 1]],
        [
          "POST",
          "/flows/",
          '{"name": "x", "labels": {"\\ud800": "v"}}',
          ["body", "labels", "\ud800"],
        ],
        [
          "POST",
          "/flow_runs/filter",
          '{"flow_runs": {"name": {"like_": "\\u0000"}}}',
          ["body", "flow_runs", "name", "like_"],
        ],
        [
          "POST",
          "/logs/",
          `[{"name": "n", "level": 20, "message": "m\\u0000", "timestamp": "2026-01-01T00:00:00Z", "flow_run_id": "${ids.run}"}]`,
          ["body", 0, "message"],
        ],
        ["PATCH", `/flow_runs/${ids.run}/labels`, '{"k": "\\u0000"}', ["body", "k"]],
        [
          "POST",
          "/events",
          `[{"occurred": "2026-01-01T00:00:00Z", "event": "e", "resource": {"prefect.resource.id": "r\\u0000"}, "id": "${randomUUID()}"}]`,
          ["body", 0, "resource", "prefect.resource.id"],
        ],
      ];
      for (const [method, url, payload, loc] of cases) {
        const res = await raw(method, url, payload);
        assert.equal(res.statusCode, 422, `${url} ${payload} → ${res.body}`);
        const detail = res.json().exception_detail as { loc: unknown[]; msg: string }[];
        assert.deepEqual(detail[0]?.loc, loc, res.body);
        assert.match(String(detail[0]?.msg), /NUL|surrogate/);
      }
      const inPath = await inject("GET", "/flows/name/a%00b");
      assert.equal(inPath.statusCode, 422);
      assert.deepEqual(inPath.json().exception_detail[0].loc, ["path", "name"]);
      const inQuery = await inject("GET", "/flow_run_states/?flow_run_id=%00");
      assert.equal(inQuery.statusCode, 422);
      assert.deepEqual(inQuery.json().exception_detail[0].loc, ["query", "flow_run_id"]);
      // text that is well formed, non-ASCII included, is stored as sent
      const ok = await raw("POST", "/flows/", '{"name": "\\ud83d\\ude00 é \\\\u0000"}');
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().name, "😀 é \\u0000");
      await inject("DELETE", `/flows/${ok.json().id}`);
      assert.deepEqual(await rowCounts(), before);
    });

    it("bounds what the database indexes or compares: names, keys, like_, integers, JSON depth, lists", async () => {
      const before = await rowCounts();
      const noise = "é".repeat(1001); // 2,002 bytes: over the limit in bytes, not in characters
      const refused: [string, unknown][] = [
        ["/flows/", { name: "x".repeat(2001) }],
        ["/flows/", { name: noise }],
        ["/flow_runs/", { flow_id: ids.flow, idempotency_key: "k".repeat(2001) }],
        ["/task_runs/", { flow_run_id: ids.run, task_key: "k".repeat(1201), dynamic_key: "0" }],
        ["/flows/filter", { flows: { name: { like_: "x".repeat(10_001) } } }],
        ["/logs/filter", { logs: { level: { ge_: 2 ** 31 } } }],
        [
          "/logs/",
          [{ name: "n", level: 2 ** 40, message: "m", timestamp: "2026-01-01T00:00:00Z" }],
        ],
        ["/ui/flow_runs/history", { limit: -1 }],
        // timestamps past the year 9999 in UTC, and windows that would end there
        [
          "/flows/filter",
          { flows: {}, flow_runs: { start_time: { after_: "9999-12-31T23:59:59-01:00" } } },
        ],
        [
          "/flow_runs/history",
          {
            history_start: "0001-01-01T00:00:00Z",
            history_end: "9999-12-31T23:59:59Z",
            history_interval_seconds: 1e15,
          },
        ],
        [
          "/ui/task_runs/dashboard/counts",
          {
            task_runs: {
              start_time: { after_: "0001-01-01T00:00:00Z", before_: "9999-12-31T23:59:59Z" },
            },
          },
        ],
        ["/events/count-by/time", { filter: {}, time_unit: "week", time_interval: 1e308 }],
      ];
      for (const [url, body] of refused) {
        const res = await inject("POST", url, body);
        assert.equal(res.statusCode, 422, `${url} → ${res.body.slice(0, 300)}`);
        const json = res.json();
        assert.ok(json.exception_message === "Invalid request received." || json.detail, res.body);
      }
      const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
      for (const [url, payload] of [
        ["/flow_runs/", `{"flow_id": "${ids.flow}", "parameters": ${deep(501)}}`],
        [
          "/events",
          `[{"occurred": "2026-01-01T00:00:00Z", "event": "e", "resource": {"prefect.resource.id": "r"}, "payload": ${deep(5000)}, "id": "${randomUUID()}"}]`,
        ],
        ["/flows/filter", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
      ] as const) {
        const res = await raw("POST", url, payload);
        assert.equal(res.statusCode, 422, `${url} → ${res.body.slice(0, 300)}`);
        assert.equal(res.json().exception_message, "Invalid request received.");
      }
      // up to the limits, all is well; a list longer than the database binds one by one is fine
      const atLimit = await inject("POST", "/flows/", { name: "é".repeat(1000) });
      assert.equal(atLimit.statusCode, 201, atLimit.body.slice(0, 200));
      await inject("DELETE", `/flows/${atLimit.json().id}`);
      const many = Array.from({ length: 70_000 }, (_, i) => `n${i}`);
      const listed = await inject("POST", "/flows/filter", {
        flows: { name: { any_: [...many, "bad-input"] } },
      });
      assert.equal(listed.statusCode, 200);
      assert.deepEqual(
        listed.json().map((f: { name: string }) => f.name),
        ["bad-input"],
      );
      const notListed = await inject("POST", "/flow_runs/count", {
        flow_runs: { id: { not_any_: Array.from({ length: 70_000 }, () => randomUUID()) } },
      });
      assert.equal(notListed.statusCode, 200);
      assert.equal(notListed.json(), 1);
      const tagged = await inject("POST", "/flows/count", { flows: { tags: { all_: many } } });
      assert.equal(tagged.statusCode, 200);
      // an event filter is a condition a value: bounded (500 a list, 1,000 strings, 200 labels)
      const events = (filter: unknown) => inject("POST", "/events/filter", { filter });
      for (const filter of [
        { resource: { id: many.slice(0, 501) } },
        { event: { prefix: many.slice(0, 500), exclude_prefix: many.slice(0, 500) } },
        { resource: { labels: Object.fromEntries(many.slice(0, 201).map((k) => [k, k])) } },
      ]) {
        assert.equal((await events(filter)).statusCode, 422);
      }
      const m = many.slice(0, 495);
      const atLimit2 = await events({ event: { prefix: m, exclude_prefix: m } });
      assert.equal(atLimit2.statusCode, 200, atLimit2.body.slice(0, 300));
      const labels = Object.fromEntries(many.slice(0, 200).map((k) => [k, [`!${k}*`, `${k}*`]]));
      assert.equal((await events({ resource: { labels } })).statusCode, 200);
      assert.deepEqual(await rowCounts(), before);
    });

    it("reads JSON only: application/json (any charset) or no content type; else 415", async () => {
      const before = await rowCounts();
      for (const type of [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/xml",
      ]) {
        const res = await raw(
          "POST",
          `/flow_runs/${ids.run}/set_state`,
          '{"state": {"type": "CANCELLED"}}',
          type,
        );
        assert.equal(res.statusCode, 415, type);
        assert.equal(typeof res.json().detail, "string");
      }
      assert.deepEqual(await rowCounts(), before);
      const charset = await raw("POST", "/flows/filter", "{}", "application/json; charset=utf-8");
      assert.equal(charset.statusCode, 200);
      const none = await raw("POST", "/flows/filter", '{"limit": 1}', "");
      assert.equal(none.statusCode, 200);
      assert.equal(none.json().length, 1);
    });

    it("refuses an /events/in frame holding a NUL or a lone surrogate alone, and counts it", async () => {
      await app.listen({ port: 0, host: "127.0.0.1" });
      const port = (app.server.address() as AddressInfo).port;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events/in`, ["prefect"]);
      ws.on("error", () => undefined);
      const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
      await new Promise<void>((resolve) => ws.on("open", () => resolve()));
      const authed = new Promise<void>((resolve) => ws.on("message", () => resolve()));
      ws.send(JSON.stringify({ type: "auth", token: null }));
      await authed;
      const refusedBefore = inputMetrics.refusedEventFrames;
      const good = Array.from({ length: 5 }, () => randomUUID());
      const frame = (id: string, name: string) =>
        `{"occurred": "2026-01-01T00:00:00Z", "event": "${name}", "resource": {"prefect.resource.id": "fuzz.r"}, "id": "${id}"}`;
      ws.send(frame(good[0] as string, "ok.0"));
      ws.send(frame(randomUUID(), "bad\\u0000"));
      ws.send(frame(good[1] as string, "ok.1"));
      ws.send(frame(randomUUID(), "bad\\ud800"));
      ws.send(frame(good[2] as string, "ok.2"));
      ws.send(
        `{"occurred": "2026-01-01T00:00:00Z", "event": "bad.key", "resource": {"prefect.resource.id": "fuzz.r"}, "payload": {"\\udc00": 1}, "id": "${randomUUID()}"}`,
      );
      ws.send(frame(good[3] as string, "ok.3"));
      ws.send(frame(good[4] as string, "ok.4"));
      ws.close();
      await closed;
      await app.flushEvents();
      const stored = (
        await inject("POST", "/events/filter", {
          filter: {
            occurred: { since: "2025-12-31T00:00:00Z", until: "2026-01-02T00:00:00Z" },
            resource: { id: ["fuzz.r"] },
          },
        })
      ).json() as { events: { id: string }[] };
      assert.deepEqual(stored.events.map((e) => e.id).sort(), [...good].sort());
      assert.equal(inputMetrics.refusedEventFrames - refusedBefore, 3);
    });
  });
}

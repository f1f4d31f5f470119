/**
 * `/assets` through a real server on an ephemeral port, on both databases, fed with asset events
 * as Prefect's Python client sends them (`POST /events`): the assets listed by key prefix and
 * substring with a total, read by key, their lineage edges; properties replaced whole by a newer
 * event and kept by one without them; an older materialization arriving late changes neither
 * the status nor the edges; an event whose resource is not an asset key is stored but recorded
 * nowhere; delete; bad input refused in Prefect's shape (422 for a bad key, limit or field, 404
 * for an unknown asset).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = any;

const FLOW_RUN = randomUUID();

/** An asset event as `AssetContext.emit_events` makes it, with the run's related resources. */
function assetEvent(
  event: string,
  key: string,
  occurred: string,
  options: {
    labels?: Record<string, string>;
    upstream?: string[];
    by?: string;
    payload?: Record<string, unknown>;
  } = {},
) {
  return {
    id: randomUUID(),
    occurred,
    event,
    resource: { "prefect.resource.id": key, ...options.labels },
    related: [
      ...(options.upstream ?? []).map((u) => ({
        "prefect.resource.id": u,
        "prefect.resource.role": "asset",
      })),
      ...(options.by
        ? [{ "prefect.resource.id": options.by, "prefect.resource.role": "asset-materialized-by" }]
        : []),
      {
        "prefect.resource.id": `prefect.flow-run.${FLOW_RUN}`,
        "prefect.resource.role": "flow-run",
        "prefect.resource.name": "tidy-otter",
      },
    ],
    payload: options.payload ?? {},
  };
}

const at = (minute: number) => `2025-06-01T10:${String(minute).padStart(2, "0")}:00.000000Z`;

for (const dialect of DIALECTS) {
  describe(`/assets over HTTP (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let base: string;

    async function call(method: string, path: string, body?: unknown) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
    }
    const send = async (events: unknown[]) =>
      assert.equal((await call("POST", "/events", events)).status, 204);
    const read = (key: string) => call("GET", `/assets/key?key=${encodeURIComponent(key)}`);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: tdb.database });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
      await send([
        assetEvent("prefect.asset.referenced", "s3://lake/raw.parquet", at(1), {
          labels: {
            "prefect.resource.name": "Raw",
            "prefect.asset.owners": '["data-team@example.com", "zo\\u00eb"]',
          },
        }),
        assetEvent("prefect.asset.referenced", "postgres://db/regions", at(1)),
        assetEvent("prefect.asset.materialization.succeeded", "s3://lake/clean.parquet", at(1), {
          upstream: ["s3://lake/raw.parquet", "postgres://db/regions"],
          by: "dbt",
          payload: { rows: 10 },
        }),
        assetEvent("prefect.asset.materialization.failed", "s3://lake/report_v1.md", at(2), {
          upstream: ["s3://lake/clean.parquet"],
        }),
      ]);
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("lists assets by key, with the total, prefix and substring filters", async () => {
      const all = await call("POST", "/assets/filter", {});
      assert.equal(all.status, 200);
      assert.equal(all.body.total, 4);
      assert.deepEqual(
        all.body.assets.map((a: Json) => a.key),
        [
          "postgres://db/regions",
          "s3://lake/clean.parquet",
          "s3://lake/raw.parquet",
          "s3://lake/report_v1.md",
        ],
      );
      // Prefect's CLI body: {limit, filter: {key: {prefix, search}}}
      const s3 = await call("POST", "/assets/filter", {
        limit: 2,
        offset: 1,
        filter: { key: { prefix: ["s3://"] } },
      });
      assert.deepEqual(
        [s3.body.total, s3.body.assets.map((a: Json) => a.key)],
        [3, ["s3://lake/raw.parquet", "s3://lake/report_v1.md"]],
      );
      // `_` and `%` are literal; the search ignores case
      const search = await call("POST", "/assets/filter", {
        filter: { key: { search: ["RT_V"] } },
      });
      assert.deepEqual(
        search.body.assets.map((a: Json) => a.key),
        ["s3://lake/report_v1.md"],
      );
      const none = await call("POST", "/assets/filter", { filter: { key: { search: ["t%v"] } } });
      assert.equal(none.body.total, 0);
      assert.equal((await call("POST", "/assets/filter")).body.total, 4, "no body at all");
    });

    it("reads an asset with its properties and latest materialization", async () => {
      const clean = await read("s3://lake/clean.parquet");
      assert.equal(clean.status, 200);
      assert.deepEqual(clean.body.properties, {
        name: null,
        description: null,
        url: null,
        owners: null,
      });
      assert.equal(clean.body.last_seen, at(2), "seen last as an upstream of the report");
      const m = clean.body.last_materialization;
      assert.deepEqual(
        [m.status, m.occurred, m.flow_run_id, m.materialized_by, m.metadata],
        ["succeeded", at(1), FLOW_RUN, "dbt", { rows: 10 }],
      );
      const raw = await read("s3://lake/raw.parquet");
      assert.deepEqual(raw.body.properties, {
        name: "Raw",
        description: null,
        url: null,
        owners: ["data-team@example.com", "zoë"],
      });
      assert.equal(raw.body.last_materialization, null);
      assert.equal(
        (await read("s3://lake/report_v1.md")).body.last_materialization.status,
        "failed",
      );
    });

    it("answers the lineage edges, all or around some keys", async () => {
      const all = await call("POST", "/assets/latest-dependencies", {});
      assert.equal(all.status, 200);
      assert.deepEqual(
        all.body.map((e: Json) => [e.upstream, e.downstream]),
        [
          ["postgres://db/regions", "s3://lake/clean.parquet"],
          ["s3://lake/raw.parquet", "s3://lake/clean.parquet"],
          ["s3://lake/clean.parquet", "s3://lake/report_v1.md"],
        ],
      );
      assert.deepEqual(Object.keys(all.body[0]).sort(), [
        "downstream",
        "flow_run_id",
        "updated",
        "upstream",
      ]);
      const around = await call("POST", "/assets/latest-dependencies", {
        keys: ["s3://lake/report_v1.md"],
      });
      assert.deepEqual(
        around.body.map((e: Json) => e.upstream),
        ["s3://lake/clean.parquet"],
      );
    });

    it("keeps the latest properties and materialization, whatever order events arrive in", async () => {
      const key = "s3://order/out.csv";
      await send([
        assetEvent("prefect.asset.materialization.succeeded", key, at(30), {
          upstream: ["s3://order/new.csv"],
          labels: { "prefect.resource.name": "Out", "prefect.asset.url": "https://x.example" },
        }),
      ]);
      // an older materialization, late: neither its status nor its edges nor its properties win
      await send([
        assetEvent("prefect.asset.materialization.failed", key, at(20), {
          upstream: ["s3://order/old.csv"],
          labels: { "prefect.resource.name": "Old name" },
        }),
      ]);
      let out = (await read(key)).body;
      assert.equal(out.last_materialization.status, "succeeded");
      assert.deepEqual(out.properties, {
        name: "Out",
        description: null,
        url: "https://x.example",
        owners: null,
      });
      const edges = async () =>
        (await call("POST", "/assets/latest-dependencies", { keys: [key] })).body.map(
          (e: Json) => e.upstream,
        );
      assert.deepEqual(await edges(), ["s3://order/new.csv"]);
      // a newer event naming properties replaces them whole; one naming none keeps them
      await send([
        assetEvent("prefect.asset.referenced", key, at(40), {
          labels: { "prefect.asset.description": "now described" },
        }),
        assetEvent("prefect.asset.materialization.succeeded", key, at(50), {
          upstream: ["s3://order/newer.csv"],
        }),
      ]);
      out = (await read(key)).body;
      assert.deepEqual(out.properties, {
        name: null,
        description: "now described",
        url: null,
        owners: null,
      });
      assert.equal(out.last_materialization.occurred, at(50));
      assert.equal(out.last_seen, at(50));
      assert.deepEqual(await edges(), ["s3://order/newer.csv"]);
    });

    it("stores events about something that is not an asset, recording no asset", async () => {
      const bad = assetEvent("prefect.asset.referenced", "Not An Asset", at(5));
      await send([bad]);
      await app.flushEvents();
      const stored = await tdb.database.db
        .selectFrom("events")
        .select("id")
        .where("id", "=", bad.id)
        .execute();
      assert.equal(stored.length, 1);
      const all = await call("POST", "/assets/filter", { limit: 200 });
      assert.ok(all.body.assets.every((a: Json) => a.key !== "Not An Asset"));
    });

    it("deletes an asset and its edges; refuses bad input in Prefect's shape", async () => {
      const key = "s3://lake/report_v1.md";
      assert.equal(
        (await call("DELETE", `/assets/key?key=${encodeURIComponent(key)}`)).status,
        204,
      );
      assert.deepEqual(await read(key), { status: 404, body: { detail: "Asset not found." } });
      assert.equal(
        (await call("DELETE", `/assets/key?key=${encodeURIComponent(key)}`)).status,
        404,
      );
      const edges = await call("POST", "/assets/latest-dependencies", { keys: [key] });
      assert.deepEqual(edges.body, []);

      for (const [method, path, body] of [
        ["GET", "/assets/key?key=S3%3A%2F%2Fupper", undefined],
        ["GET", "/assets/key", undefined],
        ["DELETE", "/assets/key?key=s3%3A%2F%2Fa%20b", undefined],
        ["POST", "/assets/filter", { limit: 0 }],
        ["POST", "/assets/filter", { limit: 201 }],
        ["POST", "/assets/filter", { offset: -1 }],
        ["POST", "/assets/filter", { filter: { name: ["x"] } }],
        ["POST", "/assets/latest-dependencies", { keys: ["no-scheme"] }],
        ["POST", "/assets/latest-dependencies", { keys: "s3://x" }],
      ] as const) {
        const res = await call(method, path, body);
        assert.equal(res.status, 422, `${method} ${path} ${JSON.stringify(body)}`);
        assert.equal(res.body.exception_message, "Invalid request received.");
        assert.ok(Array.isArray(res.body.exception_detail));
      }
      const tooLong = await read(`s3://${"x".repeat(600)}`);
      assert.equal(tooLong.status, 422);
    });
  });
}

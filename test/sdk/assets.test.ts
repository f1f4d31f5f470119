/**
 * Assets from code, embedded and in client mode (against our server on an ephemeral port), on
 * both databases: `materialize()` runs emit Prefect's asset events (names, resources with the
 * asset's properties, related upstream assets in role `asset`, the tool in role
 * `asset-materialized-by`, then the flow run and flow, the metadata as payload); dependencies
 * named (`assetDeps`/`dependsOn`, on a plain task too) and inferred from futures and from awaited
 * results, through plain tasks; a failure emits the failed event (once, after the retries); a
 * cached run emits none; the server lists the assets and their lineage, a newer materialization
 * replaces an asset's edges, and an asset can be deleted.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import type { PrefectClient } from "../../src/client/prefect-client.ts";
import type { Event } from "../../src/core/events.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import {
  Asset,
  addAssetMetadata,
  flow,
  getRunContext,
  INPUTS,
  materialize,
  task,
} from "../../src/index.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const MODES = ["embedded", "client"] as const;

for (const dialect of DIALECTS) {
  for (const mode of MODES) {
    describe(`${dialect}, ${mode}: assets from code`, () => {
      let tdb: TestDatabase;
      let app: FastifyInstance | null = null;
      let client: PrefectClient;
      /** Every event reported so far, written to the event store. */
      let flushEvents: () => Promise<void>;

      /** Where persisted results go (the cached run's): a folder of this suite's. */
      let storage: string;

      before(async () => {
        storage = mkdtempSync(join(tmpdir(), "prefect-ts-assets-"));
        process.env.PREFECT_LOCAL_STORAGE_PATH = storage;
        tdb = await createTestDatabase(dialect);
        if (mode === "client") {
          const server = await createCheckedApp({ database: tdb.database });
          app = server;
          const http = new HttpClient(`${await server.listen({ host: "127.0.0.1", port: 0 })}/api`);
          client = http;
          flushEvents = async () => {
            await http.confirmEvents();
            await server.flushEvents();
          };
        } else {
          const embedded = new EmbeddedClient(tdb.database, { ownsDatabase: false });
          client = embedded;
          flushEvents = () => embedded.core.bus.flush();
        }
        useClient(client);
      });
      after(async () => {
        await shutdownRuntime();
        await app?.close();
        await tdb.dispose();
        delete process.env.PREFECT_LOCAL_STORAGE_PATH;
        rmSync(storage, { recursive: true, force: true });
      });

      /** The stored events about asset `key` (its own resource), in emission order. */
      const eventsOf = async (key: string): Promise<Event[]> => {
        await flushEvents();
        const d = tdb.database.dialect;
        const rows = await tdb.database.db
          .selectFrom("events")
          .selectAll()
          .where("resource_id", "=", key)
          .orderBy("occurred")
          .orderBy("id")
          .execute();
        return rows.map((r) => ({
          id: r.id,
          occurred: r.occurred,
          event: r.event,
          resource: d.fromJson(r.resource),
          related: d.fromJson(r.related),
          payload: d.fromJson(r.payload),
        }));
      };

      it("emits Prefect's materialization and reference events", async () => {
        const raw = new Asset({
          key: "s3://lake/raw.parquet",
          properties: {
            name: "Raw orders",
            description: "Orders as *landed*",
            owners: ["data-team@example.com", "zoë"],
            url: "https://lake.example.com/raw",
          },
        });
        const cleaned = materialize(
          "s3://lake/cleaned.parquet",
          { dependsOn: [raw], assetDeps: ["postgres://db/regions"], by: "duckdb", tags: ["etl"] },
          async () => {
            addAssetMetadata("s3://lake/cleaned.parquet", { rows: 3 });
            addAssetMetadata("s3://lake/cleaned.parquet", { quality: 0.9, rows: 4 });
            return "ok";
          },
        );
        assert.deepEqual(
          cleaned.assets.map((a) => a.key),
          ["s3://lake/cleaned.parquet"],
        );
        const pipeline = flow({ name: "asset-shapes", tags: ["nightly"] }, async () => {
          await cleaned();
          return getRunContext()?.flowRun;
        });
        const flowRun = await pipeline();
        assert.ok(flowRun);

        const [materialized] = await eventsOf("s3://lake/cleaned.parquet");
        assert.ok(materialized);
        assert.equal(materialized.event, "prefect.asset.materialization.succeeded");
        assert.deepEqual(materialized.resource, {
          "prefect.resource.id": "s3://lake/cleaned.parquet",
        });
        assert.deepEqual(materialized.payload, { rows: 4, quality: 0.9 });
        assert.deepEqual(materialized.related, [
          // assetDeps, then dependsOn
          { "prefect.resource.id": "postgres://db/regions", "prefect.resource.role": "asset" },
          { "prefect.resource.id": "s3://lake/raw.parquet", "prefect.resource.role": "asset" },
          { "prefect.resource.id": "duckdb", "prefect.resource.role": "asset-materialized-by" },
          {
            "prefect.resource.id": `prefect.flow-run.${flowRun.id}`,
            "prefect.resource.role": "flow-run",
            "prefect.resource.name": flowRun.name,
          },
          {
            "prefect.resource.id": `prefect.flow.${flowRun.flow_id}`,
            "prefect.resource.role": "flow",
            "prefect.resource.name": "asset-shapes",
          },
          { "prefect.resource.id": "prefect.tag.nightly", "prefect.resource.role": "tag" },
        ]);

        const [referenced] = await eventsOf("s3://lake/raw.parquet");
        assert.ok(referenced);
        assert.equal(referenced.event, "prefect.asset.referenced");
        assert.deepEqual(referenced.resource, {
          "prefect.resource.id": "s3://lake/raw.parquet",
          "prefect.resource.name": "Raw orders",
          "prefect.asset.description": "Orders as *landed*",
          "prefect.asset.url": "https://lake.example.com/raw",
          // json.dumps, as Prefect writes it
          "prefect.asset.owners": '["data-team@example.com", "zo\\u00eb"]',
        });
        assert.deepEqual(referenced.payload, {});
        assert.deepEqual(
          referenced.related.map((r) => r["prefect.resource.role"]),
          ["flow-run", "flow", "tag"],
        );
        assert.equal(
          (await eventsOf("postgres://db/regions"))[0]?.event,
          "prefect.asset.referenced",
        );

        const asset = await client.assets.read("s3://lake/cleaned.parquet");
        assert.equal(asset.last_materialization?.status, "succeeded");
        assert.equal(asset.last_materialization?.flow_run_id, flowRun.id);
        assert.equal(asset.last_materialization?.materialized_by, "duckdb");
        assert.deepEqual(asset.last_materialization?.metadata, { rows: 4, quality: 0.9 });
        const rawAsset = await client.assets.read("s3://lake/raw.parquet");
        assert.deepEqual(rawAsset.properties, {
          name: "Raw orders",
          description: "Orders as *landed*",
          url: "https://lake.example.com/raw",
          owners: ["data-team@example.com", "zoë"],
        });
        assert.equal(rawAsset.last_materialization, null, "only referenced");
        assert.deepEqual(
          (await client.assets.latestDependencies(["s3://lake/cleaned.parquet"])).map((e) => [
            e.upstream,
            e.downstream,
            e.flow_run_id,
          ]),
          [
            ["postgres://db/regions", "s3://lake/cleaned.parquet", flowRun.id],
            ["s3://lake/raw.parquet", "s3://lake/cleaned.parquet", flowRun.id],
          ],
        );
      });

      it("infers dependencies from futures, awaited results and plain tasks between", async () => {
        const extract = materialize("file://inf/raw.csv", async () => ({ rows: [1, 2, 3] }));
        const count = materialize("file://inf/count.txt", async (n: number) => n);
        const transform = materialize(
          "s3://inf/clean.csv",
          async (data: { rows: number[] }) => data.rows.length,
        );
        // a plain task carries what its inputs carry, and its own assetDeps
        const reshape = task(
          { assetDeps: ["postgres://inf/lookup"] },
          async (data: { rows: number[] }) => ({ rows: [...data.rows, 4] }),
        );
        const report = materialize(
          "s3://inf/report.md",
          async (shaped: { rows: number[] }, total: number) => `${shaped.rows.length}/${total}`,
        );
        const etl = flow({ name: "asset-inference" }, async () => {
          const raw = await extract(); // an awaited result, passed on
          const cleanedCount = transform.submit(raw); // a future
          const shaped = await reshape(raw);
          const totals = count.submit(cleanedCount);
          return report(shaped, totals); // a future, unresolved
        });
        assert.equal(await etl(), "4/3");
        const edges = (await client.assets.latestDependencies())
          .filter((e) => e.downstream.includes("://inf/"))
          .map((e) => `${e.upstream} -> ${e.downstream}`);
        assert.deepEqual(edges.sort(), [
          "file://inf/count.txt -> s3://inf/report.md",
          "file://inf/raw.csv -> s3://inf/clean.csv",
          "file://inf/raw.csv -> s3://inf/report.md",
          "postgres://inf/lookup -> s3://inf/report.md",
          "s3://inf/clean.csv -> file://inf/count.txt",
        ]);
        const report1 = (await eventsOf("s3://inf/report.md")).at(-1);
        assert.deepEqual(
          report1?.related
            .filter((r) => r["prefect.resource.role"] === "asset")
            .map((r) => r["prefect.resource.id"])
            .sort(),
          ["file://inf/count.txt", "file://inf/raw.csv", "postgres://inf/lookup"],
        );
        const page = await client.assets.list({ search: "://INF/", limit: 3 });
        assert.equal(page.total, 5);
        assert.deepEqual(
          page.assets.map((a) => a.key),
          ["file://inf/count.txt", "file://inf/raw.csv", "postgres://inf/lookup"],
        );
        const byPrefix = await client.assets.list({ prefix: ["s3://inf/"], offset: 1 });
        assert.deepEqual(
          byPrefix.assets.map((a) => a.key),
          ["s3://inf/report.md"],
        );
        assert.equal(byPrefix.total, 2);
      });

      it("emits the failed event once, after the retries; a cached run emits none", async () => {
        let attempts = 0;
        const flaky = materialize(
          ["s3://fail/a.csv", new Asset("s3://fail/b.csv")],
          { retries: 1, assetDeps: ["s3://fail/source.csv"] },
          async () => {
            attempts++;
            addAssetMetadata("s3://fail/a.csv", { attempt: attempts });
            throw new Error("disk full");
          },
        );
        const failing = flow({ name: "asset-failure" }, async () => {
          const state = await flaky.callWithState();
          return state.type;
        });
        assert.equal(await failing(), "FAILED");
        assert.equal(attempts, 2);
        const events = await eventsOf("s3://fail/a.csv");
        assert.deepEqual(
          events.map((e) => e.event),
          ["prefect.asset.materialization.failed"],
        );
        assert.deepEqual(events[0]?.payload, { attempt: 2 }, "metadata of the last attempt");
        assert.equal(
          (await eventsOf("s3://fail/b.csv"))[0]?.event,
          "prefect.asset.materialization.failed",
        );
        assert.equal((await eventsOf("s3://fail/source.csv")).length, 1, "referenced, once");
        assert.equal(
          (await client.assets.read("s3://fail/a.csv")).last_materialization?.status,
          "failed",
        );

        let runs = 0;
        const seed = randomUUID();
        const cachedStep = materialize(
          "s3://cache/x.csv",
          { cachePolicy: INPUTS, persistResult: true },
          async (seed: string) => {
            runs++;
            return seed.length;
          },
        );
        const cachedFlow = flow({ name: "asset-cache" }, async () => [
          await cachedStep(seed),
          await cachedStep(seed),
        ]);
        assert.deepEqual(await cachedFlow(), [36, 36]);
        assert.equal(runs, 1);
        assert.equal((await eventsOf("s3://cache/x.csv")).length, 1, "a Cached run emits nothing");
      });

      it("replaces an asset's edges with its latest materialization's, and deletes assets", async () => {
        const v1 = materialize(
          "s3://latest/out.csv",
          { assetDeps: ["s3://latest/old.csv"] },
          () => 1,
        );
        await flow({ name: "asset-latest-1" }, async () => v1())();
        const v2 = v1.withOptions({ assetDeps: ["s3://latest/new.csv"] });
        await flow({ name: "asset-latest-2" }, async () => v2())();
        assert.deepEqual(
          (await client.assets.latestDependencies(["s3://latest/out.csv"])).map((e) => e.upstream),
          ["s3://latest/new.csv"],
        );
        // withOptions changes the assets too (Prefect's dynamic keys)
        const daily = v1.withOptions({ assets: ["s3://latest/2024-01-01/out.csv"], assetDeps: [] });
        await flow({ name: "asset-latest-3" }, async () => daily())();
        assert.ok(await client.assets.read("s3://latest/2024-01-01/out.csv"));

        await client.assets.delete("s3://latest/out.csv");
        await assert.rejects(client.assets.read("s3://latest/out.csv"), {
          code: "ERR_OBJECT_NOT_FOUND",
          message: "Asset not found.",
        });
        await assert.rejects(client.assets.delete("s3://latest/out.csv"), {
          code: "ERR_OBJECT_NOT_FOUND",
        });
        assert.deepEqual(await client.assets.latestDependencies(["s3://latest/out.csv"]), []);
        await assert.rejects(client.assets.read("not a key"), { code: "ERR_VALIDATION" });
      });

      it("holds keys to Prefect's rules and metadata to the run's own assets", async () => {
        assert.throws(() => new Asset("S3://upper/scheme"), { code: "ERR_VALIDATION" });
        assert.throws(() => new Asset("s3://has space"), {
          code: "ERR_VALIDATION",
          message: /Asset key cannot contain ' '/,
        });
        assert.throws(() => new Asset(`s3://${"x".repeat(600)}`), {
          message: /cannot exceed 512 characters/,
        });
        assert.throws(() => materialize("no-scheme", async () => 1), {
          message: /Key must be a valid URI/,
        });
        assert.throws(() => task({ assetDeps: ["s3://a?b"] }, async () => 1), {
          message: /cannot contain '\?'/,
        });
        const wrong = materialize("s3://meta/mine.csv", async () => {
          addAssetMetadata("s3://meta/other.csv", { rows: 1 });
        });
        const state = await flow({ name: "asset-metadata" }, async () => {
          const s = await wrong.callWithState();
          return { type: s.type, message: s.message };
        })();
        assert.equal(state.type, "FAILED");
        assert.match(
          state.message ?? "",
          /Can only add metadata to assets that are arguments to materialize\(\)/,
        );
        // outside a materializing run, nothing happens (as Prefect)
        addAssetMetadata("s3://meta/mine.csv", { ignored: true });
        await task(async () => addAssetMetadata("s3://meta/mine.csv", { ignored: true }))();
      });
    });
  }
}

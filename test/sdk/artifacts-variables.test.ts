/**
 * The SDK's variables and artifacts, embedded and in client mode (against our server on an
 * ephemeral port), on both databases: `variables.get/set/unset` with defaults, overwrite and
 * Prefect's rules; a flow's keyed markdown and table artifacts linked to its runs and versioned by
 * key; a task's artifacts linked to its task run; a progress artifact updated in place; link and
 * image artifacts as Prefect formats them; tables in their three shapes with NaN as null and
 * non-tables refused; artifacts outside any run; the `prefect.artifact.*` events.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import type { PrefectClient } from "../../src/client/prefect-client.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import {
  createImageArtifact,
  createLinkArtifact,
  createMarkdownArtifact,
  createProgressArtifact,
  createTableArtifact,
  flow,
  getRunContext,
  task,
  updateProgressArtifact,
  variables,
} from "../../src/index.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const MODES = ["embedded", "client"] as const;

for (const dialect of DIALECTS) {
  for (const mode of MODES) {
    describe(`${dialect}, ${mode}: variables and artifacts from code`, () => {
      let tdb: TestDatabase;
      let app: FastifyInstance | null = null;
      let client: PrefectClient;
      /** Every event reported so far, written to the event store. */
      let flushEvents: () => Promise<void>;

      before(async () => {
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
      });

      const eventsNamed = async (name: string) =>
        tdb.database.db.selectFrom("events").selectAll().where("event", "=", name).execute();

      it("gets, sets and unsets variables", async () => {
        assert.equal(await variables.get("sdk-missing"), null);
        assert.equal(await variables.get("sdk-missing", 7), 7);
        const made = await variables.set("sdk-threshold", 12, { tags: ["a"] });
        assert.deepEqual([made.name, made.value, made.tags], ["sdk-threshold", 12, ["a"]]);
        assert.equal(await variables.get("sdk-threshold", 10), 12);
        await assert.rejects(variables.set("sdk-threshold", 13), {
          code: "ERR_CONFLICT",
          message: "Variable 'sdk-threshold' already exists. Use `overwrite: true` to update it.",
        });
        const replaced = await variables.set(
          "sdk-threshold",
          { nested: [1, null] },
          { overwrite: true },
        );
        assert.deepEqual(replaced.value, { nested: [1, null] });
        assert.deepEqual(replaced.tags, [], "tags are set on every set, as Prefect's");
        await assert.rejects(variables.set("Not Valid", 1), { code: "ERR_VALIDATION" });
        await assert.rejects(variables.set("too-big", "x".repeat(5000)), {
          code: "ERR_VALIDATION",
          message: /less than 5000 characters/,
        });
        const inFlow = flow({ name: "reads-variables" }, async () =>
          variables.get("sdk-threshold"),
        );
        assert.deepEqual(await inFlow(), { nested: [1, null] });
        assert.equal(await variables.unset("sdk-threshold"), true);
        assert.equal(await variables.unset("sdk-threshold"), false);
        assert.equal(await variables.get("sdk-threshold", "gone"), "gone");
      });

      it("links a flow's keyed artifacts to its runs and keeps a version per run", async () => {
        const report = flow({ name: "sdk-report" }, async () => {
          await createMarkdownArtifact({ key: "sdk-report", markdown: "# Totals\n\n**ok**" });
          await createTableArtifact({
            key: "sdk-table",
            table: [
              { region: "eu", total: 3 },
              { region: "us", total: 4 },
            ],
          });
          return getRunContext()?.flowRun?.id as string;
        });
        const runs = [await report(), await report()];
        const versions = await client.artifacts.list({ keys: ["sdk-report"] });
        assert.equal(versions.length, 2);
        assert.deepEqual(versions.map((a) => a.flow_run_id).sort(), [...runs].sort());
        assert.ok(versions.every((a) => a.type === "markdown" && a.data === "# Totals\n\n**ok**"));
        const tables = await client.artifacts.list({ keys: ["sdk-table"] });
        assert.equal(tables.length, 2);
        assert.deepEqual(JSON.parse(tables[0]?.data as string), [
          { region: "eu", total: 3 },
          { region: "us", total: 4 },
        ]);
        const latest = await client.artifacts.readLatest("sdk-report");
        assert.equal(latest.flow_run_id, runs[1]);
        await flushEvents();
        const created = (await eventsNamed("prefect.artifact.created")).filter((e) =>
          String(e.resource_id).startsWith("prefect.artifact."),
        );
        const ids = new Set(versions.map((a) => `prefect.artifact.${a.id}`));
        assert.equal(created.filter((e) => ids.has(String(e.resource_id))).length, 2);
      });

      it("links a task's artifacts to its task run, updates progress in place", async () => {
        let progressId = "";
        const step = task({ name: "sdk-step" }, async () => {
          await createLinkArtifact({
            key: "sdk-link",
            link: "https://example.com/x",
            linkText: "x",
          });
          return getRunContext()?.taskRun?.id as string;
        });
        const body = flow({ name: "sdk-progress" }, async () => {
          progressId = await createProgressArtifact({ progress: 0, key: "sdk-load" });
          for (const p of [25, 50, 150]) await updateProgressArtifact(progressId, p);
          await updateProgressArtifact(progressId, 100, "all loaded");
          await createImageArtifact({
            imageUrl: "https://example.com/a.png",
            description: "an image",
          });
          return step();
        });
        const taskRunId = await body();
        const progress = await client.artifacts.read(progressId);
        assert.deepEqual(
          [progress.type, progress.data, progress.description],
          ["progress", 100, "all loaded"],
        );
        assert.equal((await client.artifacts.readLatest("sdk-load")).data, 100);
        const [link] = await client.artifacts.list({ keys: ["sdk-link"] });
        assert.deepEqual(
          [link?.type, link?.data, link?.task_run_id],
          ["markdown", "[x](https://example.com/x)", taskRunId],
        );
        const [image] = await client.artifacts.list({
          types: ["image"],
          flowRunIds: [progress.flow_run_id as string],
        });
        assert.deepEqual(
          [image?.key, image?.data, image?.description],
          [null, "https://example.com/a.png", "an image"],
        );
        await flushEvents();
        const updates = (await eventsNamed("prefect.artifact.updated")).filter(
          (e) => e.resource_id === `prefect.artifact.${progressId}`,
        );
        assert.equal(updates.length, 4);
      });

      it("formats tables as Prefect does and refuses what is not one", async () => {
        const tables = flow({ name: "sdk-tables" }, async () => {
          await createTableArtifact({
            key: "t-rows",
            table: [
              [1, Number.NaN],
              [3, 4],
            ],
          });
          await createTableArtifact({
            key: "t-columns",
            table: { a: [1, 2], b: [Number.NaN, "x"] },
          });
          await assert.rejects(createTableArtifact({ key: "t-bad", table: 5 as never }), {
            code: "ERR_VALIDATION",
            message:
              /^table: must be a list of rows \(lists\), a list of objects, or an object of columns \(lists\), not number$/,
          });
          await assert.rejects(createTableArtifact({ table: [[1], { a: 1 }] as never }), {
            message: /mix lists and objects/,
          });
          await assert.rejects(createTableArtifact({ table: { a: 1 } as never }), {
            message: /column 'a' is number/,
          });
          await assert.rejects(createMarkdownArtifact({ key: "Bad_Key", markdown: "x" }), {
            code: "ERR_VALIDATION",
            message: "key: Artifact key must only contain lowercase letters, numbers, and dashes.",
          });
        });
        await tables();
        const data = async (key: string) =>
          JSON.parse((await client.artifacts.readLatest(key)).data as string);
        assert.deepEqual(await data("t-rows"), [
          [1, null],
          [3, 4],
        ]);
        assert.deepEqual(await data("t-columns"), { a: [1, 2], b: [null, "x"] });
        assert.equal(await client.artifacts.count({ keys: ["t-bad", "bad_key"] }), 0);
      });

      it("creates an artifact outside any run there and then", async () => {
        const id = await createMarkdownArtifact({ key: "sdk-standalone", markdown: "alone" });
        const artifact = await client.artifacts.read(id);
        assert.deepEqual(
          [artifact.flow_run_id, artifact.task_run_id, artifact.data],
          [null, null, "alone"],
        );
        const progress = await createProgressArtifact({ progress: 10 });
        await updateProgressArtifact(progress, 20);
        assert.equal((await client.artifacts.read(progress)).data, 20);
        await assert.rejects(updateProgressArtifact("01a25190-0000-7000-8000-000000000000", 5), {
          code: "ERR_OBJECT_NOT_FOUND",
        });
      });
    });
  }
}

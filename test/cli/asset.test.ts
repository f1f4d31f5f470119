/**
 * `prefect-ts asset`, the real CLI (in a subprocess, and in this process) on both databases, over
 * assets a flow materialized on the same database: ls (the table, `--prefix`, `--search`,
 * `--limit`, `-o json`), inspect with the lineage, delete, and the messages for an unknown asset,
 * a bad key and a bad limit.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../../src/engine/process-runtime.ts";
import { flow, materialize } from "../../src/index.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { cliChecks, cliEnv, runCliInProcess, runCli as runCliProcess } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`prefect-ts asset (${dialect})`, () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCliInProcess(args, env);
    const { ok, fails } = cliChecks(cli);

    before(async () => {
      t = await createTestDatabase(dialect);
      env = cliEnv(t);
      const client = new EmbeddedClient(t.database, { ownsDatabase: false });
      useClient(client);
      const cleaned = materialize(
        "s3://lake/cleaned.parquet",
        { dependsOn: ["s3://lake/raw.parquet"], by: "duckdb" },
        async () => "ok",
      );
      const failing = materialize("s3://lake/broken.csv", async () => {
        throw new Error("nope");
      });
      await flow({ name: "cli-assets" }, async () => {
        await cleaned();
        await failing.callWithState();
      })();
      await client.core.bus.flush();
      await shutdownRuntime();
    });
    after(() => t.dispose());

    it("lists assets as a table, filtered, limited and as JSON", async () => {
      const res = await runCliProcess(["asset", "ls"], env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Assets/);
      assert.match(res.stdout, /s3:\/\/lake\/cleaned\.parquet.*succeeded/);
      assert.match(res.stdout, /s3:\/\/lake\/broken\.csv.*failed/);
      assert.match(res.stdout, /s3:\/\/lake\/raw\.parquet.*-/);
      assert.match(res.stdout, /Showing 3 of 3 asset\(s\)/);
      const json = JSON.parse(await ok("asset", "ls", "-o", "json", "--search", "CLEAN"));
      assert.deepEqual(
        json.map((a: { key: string }) => a.key),
        ["s3://lake/cleaned.parquet"],
      );
      assert.match(await ok("asset", "ls", "--prefix", "s3://lake/r", "-l", "1"), /Showing 1 of 1/);
      assert.equal(await ok("asset", "ls", "--prefix", "gs://"), "No assets found.");
      await fails("Limit must be between 1 and 200.", "asset", "ls", "--limit", "500");
    });

    it("inspects an asset with its lineage, and deletes it", async () => {
      const view = JSON.parse(
        await ok("asset", "inspect", "s3://lake/cleaned.parquet", "-o", "json"),
      );
      assert.deepEqual(view.upstream, ["s3://lake/raw.parquet"]);
      assert.deepEqual(view.downstream, []);
      assert.equal(view.last_materialization.materialized_by, "duckdb");
      const text = await ok("asset", "inspect", "s3://lake/raw.parquet");
      assert.match(text, /downstream: +\["s3:\/\/lake\/cleaned\.parquet"\]/);
      assert.equal(
        await ok("asset", "delete", "s3://lake/broken.csv"),
        "Deleted asset 's3://lake/broken.csv'.",
      );
      await fails(
        "Asset 's3://lake/broken.csv' not found.",
        "asset",
        "delete",
        "s3://lake/broken.csv",
      );
      await fails(
        "Asset 's3://lake/broken.csv' not found.",
        "asset",
        "inspect",
        "s3://lake/broken.csv",
      );
      await fails(
        "Key must be a valid URI, e.g. storage://bucket/folder/asset.csv.",
        "asset",
        "inspect",
        "broken.csv",
      );
    });
  });
}

/**
 * `prefect-ts global-concurrency-limit` (alias `gcl`) and `prefect-ts concurrency-limit`, the real
 * CLI in a subprocess on both databases: create, list, inspect, update, enable/disable, delete;
 * tag limits created, listed, inspected, reset and deleted; Prefect's messages; bad input and
 * unknown names get one-line errors and exit code 1.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { runCli } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`global-concurrency-limit and concurrency-limit (${dialect})`, () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCli(args, env);

    before(async () => {
      t = await createTestDatabase(dialect);
      env = { PREFECT_HOME: t.home, PREFECT_API_DATABASE_CONNECTION_URL: t.url };
    });
    after(() => t.dispose());

    it("creates, lists, inspects, updates, disables, enables and deletes a global limit", async () => {
      const created = await cli("gcl", "create", "database", "--limit", "5");
      assert.equal(created.code, 0, created.stderr);
      assert.match(
        created.stdout,
        /^Created global concurrency limit with name 'database' and ID '[0-9a-f-]{36}'\. Run `prefect-ts gcl inspect database` to view details\.$/m,
      );
      const again = await cli("global-concurrency-limit", "create", "database", "--limit", "5");
      assert.equal(again.code, 1);
      assert.equal(again.stderr.trim(), "Global concurrency limit 'database' already exists.");

      const rate = await cli(
        "gcl",
        "create",
        "github-api",
        "--limit",
        "10",
        "--slot-decay-per-second",
        "2",
      );
      assert.equal(rate.code, 0, rate.stderr);

      const ls = await cli("gcl", "ls");
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /Global Concurrency Limits/);
      assert.match(ls.stdout, /database/);
      assert.match(ls.stdout, /github-api/);

      const inspected = await cli("gcl", "inspect", "github-api", "--output", "json");
      assert.equal(inspected.code, 0, inspected.stderr);
      const limit = JSON.parse(inspected.stdout) as Record<string, unknown>;
      assert.equal(limit.limit, 10);
      assert.equal(limit.slot_decay_per_second, 2);
      assert.equal(limit.active, true);

      const updated = await cli("gcl", "update", "database", "--limit", "7", "--active-slots", "2");
      assert.equal(updated.code, 0, updated.stderr);
      assert.equal(updated.stdout.trim(), "Updated global concurrency limit with name 'database'.");
      const disabled = await cli("gcl", "disable", "database");
      assert.equal(
        disabled.stdout.trim(),
        "Disabled global concurrency limit with name 'database'.",
      );
      const after1 = JSON.parse((await cli("gcl", "inspect", "database", "-o", "json")).stdout);
      assert.deepEqual([after1.limit, after1.active_slots, after1.active], [7, 2, false]);
      const enabled = await cli("gcl", "enable", "database");
      assert.equal(enabled.stdout.trim(), "Enabled global concurrency limit with name 'database'.");

      const deleted = await cli("gcl", "delete", "database");
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout.trim(), "Deleted global concurrency limit with name 'database'.");
      const gone = await cli("gcl", "inspect", "database");
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr.trim(), "Global concurrency limit 'database' not found.");
    });

    it("refuses bad limits with one line and exit code 1", async () => {
      for (const args of [
        ["gcl", "create", "bad", "--limit", "-1"],
        ["gcl", "create", "bad", "--limit", "two"],
        ["gcl", "create", "bad", "--limit", "1", "--slot-decay-per-second", "-3"],
        ["gcl", "create", "bad", "--limit", "1", "--active-slots", "2"],
        ["gcl", "update", "nothing-to-change"],
      ]) {
        const result = await cli(...args);
        assert.equal(result.code, 1, `${args.join(" ")}: ${result.stdout}`);
        assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      }
    });

    it("creates, lists, inspects, resets and deletes a tag limit", async () => {
      const created = await cli("concurrency-limit", "create", "warehouse", "3");
      assert.equal(created.code, 0, created.stderr);
      assert.match(
        created.stdout,
        /Created concurrency limit with properties:\n {4}tag - 'warehouse'\n {4}concurrency_limit - 3/,
      );
      const ls = await cli("concurrency-limit", "ls");
      assert.match(ls.stdout, /warehouse/);
      const inspected = JSON.parse(
        (await cli("concurrency-limit", "inspect", "warehouse", "-o", "json")).stdout,
      );
      assert.equal(inspected.tag, "warehouse");
      assert.equal(inspected.concurrency_limit, 3);
      // Prefect 3 keeps a tag limit as the global limit `tag:<tag>`
      const global = JSON.parse(
        (await cli("gcl", "inspect", "tag:warehouse", "-o", "json")).stdout,
      );
      assert.equal(global.limit, 3);
      const reset = await cli("concurrency-limit", "reset", "warehouse");
      assert.equal(reset.stdout.trim(), "Reset concurrency limit set on the tag: warehouse");
      const deleted = await cli("concurrency-limit", "delete", "warehouse");
      assert.equal(deleted.stdout.trim(), "Deleted concurrency limit set on the tag: warehouse");
      const gone = await cli("concurrency-limit", "inspect", "warehouse");
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr.trim(), "No concurrency limit found for the tag: warehouse");
    });
  });
}

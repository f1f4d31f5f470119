/**
 * `prefect-ts variable` and `prefect-ts artifact`, the real CLI (in a subprocess, and in this
 * process for most commands) on both databases: set (JSON or text, --overwrite, --tag), get, ls,
 * inspect and unset with Prefect's messages and exit codes; artifact ls (latest versions, --all),
 * inspect, delete by key and by --id; `-o json`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { cliChecks, cliEnv, runCliInProcess, runCli as runCliProcess } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`prefect-ts variable and artifact (${dialect})`, () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCliInProcess(args, env);
    const { ok, fails } = cliChecks(cli);

    before(async () => {
      t = await createTestDatabase(dialect);
      env = cliEnv(t);
    });
    after(() => t.dispose());

    it("sets, gets, lists, inspects and unsets variables with Prefect's messages", async () => {
      const set = await runCliProcess(["variable", "set", "accept-threshold", "12"], env);
      assert.equal(set.code, 0, set.stderr);
      assert.equal(set.stdout.trim(), "Set variable 'accept-threshold'.");
      assert.equal(await ok("variable", "get", "accept-threshold"), "12");
      await fails(
        "Variable 'accept-threshold' already exists. Use `--overwrite` to update it.",
        "variable",
        "set",
        "accept-threshold",
        "13",
      );
      await ok(
        "variable",
        "set",
        "accept-threshold",
        '{"a": "é", "b": [1, 2]}',
        "--overwrite",
        "--tag",
        "x",
        "--tag",
        "y",
      );
      assert.equal(
        await ok("variable", "get", "accept-threshold"),
        '{"a": "\\u00e9", "b": [1, 2]}',
      );
      await ok("variable", "set", "plain_text", "hello world");
      assert.equal(await ok("variable", "get", "plain_text"), '"hello world"');
      const table = await ok("variable", "ls");
      assert.match(table, /Variables/);
      assert.ok(table.indexOf("accept-threshold") < table.indexOf("plain_text"), "sorted by name");
      const listed = JSON.parse(await ok("variable", "ls", "-o", "json"));
      assert.deepEqual(
        listed.map((v: { name: string; tags: string[] }) => [v.name, v.tags]),
        [
          ["accept-threshold", ["x", "y"]],
          ["plain_text", []],
        ],
      );
      const inspected = JSON.parse(await ok("variable", "inspect", "plain_text", "-o", "json"));
      assert.equal(inspected.value, "hello world");
      assert.match(await ok("variable", "inspect", "plain_text"), /^id: +[0-9a-f-]{36}$/m);
      await fails(
        "Variable name must only contain lowercase letters, numbers, and dashes or underscores.",
        "variable",
        "set",
        "Bad Name",
        "1",
      );
      await fails(
        "Variable value must be less than 5000 characters",
        "variable",
        "set",
        "big",
        "x".repeat(5000),
      );
      assert.equal(await ok("variable", "unset", "plain_text"), "Unset variable 'plain_text'.");
      await fails("Variable 'plain_text' not found.", "variable", "unset", "plain_text");
      await fails("Variable 'plain_text' not found.", "variable", "get", "plain_text");
      await fails("Variable 'nope' not found.", "variable", "inspect", "nope");
      await fails("Only 'json' output format is supported.", "variable", "ls", "-o", "yaml");
    });

    it("lists, inspects and deletes artifacts", async () => {
      const client = new EmbeddedClient(t.database, { ownsDatabase: false });
      const v1 = await client.artifacts.create({
        key: "cli-report",
        type: "markdown",
        data: "# one",
      });
      const v2 = await client.artifacts.create({
        key: "cli-report",
        type: "markdown",
        data: "# two",
      });
      const table = await client.artifacts.create({ key: "cli-table", type: "table", data: "[]" });
      const loose = await client.artifacts.create({ type: "progress", data: 5 });
      await client.core.close();

      const latest = await runCliProcess(["artifact", "ls"], env);
      assert.equal(latest.code, 0, latest.stderr);
      assert.match(latest.stdout, /Artifacts/);
      assert.ok(latest.stdout.includes(v2.id) && latest.stdout.includes(table.id));
      assert.ok(!latest.stdout.includes(v1.id), "the latest version of each key only");
      assert.ok(!latest.stdout.includes(loose.id), "keyed artifacts only");
      const all = await ok("artifact", "ls", "--all");
      for (const a of [v1, v2, table, loose]) assert.ok(all.includes(a.id), a.id);
      const json = JSON.parse(await ok("artifact", "ls", "-o", "json"));
      assert.deepEqual(
        json.map((a: { key: string; latest_id: string }) => [a.key, a.latest_id]),
        [
          ["cli-report", v2.id],
          ["cli-table", table.id],
        ],
      );
      const versions = JSON.parse(await ok("artifact", "inspect", "cli-report"));
      assert.deepEqual(
        versions.map((a: { data: string }) => a.data),
        ["# two", "# one"],
      );
      await fails("Artifact 'nope' not found.", "artifact", "inspect", "nope");
      await fails(
        "Please provide either a key or an artifact_id but not both.",
        "artifact",
        "delete",
        "cli-report",
        "--id",
        v1.id,
      );
      await fails("Please provide a key or an artifact_id.", "artifact", "delete");
      assert.equal(
        await ok("artifact", "delete", "--id", table.id),
        `Deleted artifact with id '${table.id}'.`,
      );
      await fails(
        `Artifact with id '${table.id}' not found!`,
        "artifact",
        "delete",
        "--id",
        table.id,
      );
      assert.equal(
        await ok("artifact", "delete", "cli-report"),
        "Deleted 2 artifact(s) with key 'cli-report'.",
      );
      await fails(
        "Artifact with key 'cli-report' not found. You can also specify an artifact id with the --id flag.",
        "artifact",
        "delete",
        "cli-report",
      );
      assert.deepEqual(JSON.parse(await ok("artifact", "ls", "-o", "json")), []);
    });
  });
}

/**
 * `prefect-ts block` in a subprocess on both databases: register -f (every block class a file
 * exports), ls, inspect (secrets masked, in text and JSON), create (the UI link), delete, and
 * `block type` ls / inspect / delete (a protected type refused), with Prefect's messages.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { cliEnv, runCli } from "./helpers.ts";

const SECRET = "pa55-cli-test-3";
const INDEX = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

for (const dialect of DIALECTS) {
  describe(`prefect-ts block (${dialect})`, () => {
    let tdb: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      tdb = await createTestDatabase(dialect);
      env = cliEnv(tdb);
    });
    after(async () => {
      await tdb.dispose();
    });

    it("registers the block classes a file exports", async () => {
      const file = join(tdb.home, "blocks.ts");
      writeFileSync(
        file,
        [
          `import { z } from ${JSON.stringify(import.meta.resolve("zod"))};`,
          `import { Block, Secret } from ${JSON.stringify(INDEX)};`,
          `export class Db extends Block.define("cli-db", z.object({ url: Secret.field() }), { description: "A database" }) {}`,
          `export class Queue extends Block.define("cli-queue", z.object({ name: z.string() })) {}`,
          `export const notABlock = 3;`,
        ].join("\n"),
      );
      const res = await runCli(["block", "register", "-f", file], env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Successfully registered 2 blocks/);
      assert.match(res.stdout, /cli-db/);
      const types = await runCli(["block", "type", "ls", "-o", "json"], env);
      const slugs = JSON.parse(types.stdout).map((t: { slug: string }) => t.slug);
      for (const slug of ["cli-db", "cli-queue", "secret", "local-file-system"])
        assert.ok(slugs.includes(slug), slug);
      const inspect = await runCli(["block", "type", "inspect", "cli-db"], env);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.match(inspect.stdout, /Secret fields: +\["url"\]/);
      const none = await runCli(["block", "register", "-f", join(tdb.home, "missing.ts")], env);
      assert.equal(none.code, 1);
    });

    it("lists, inspects (masked) and deletes a saved block", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/fixtures/blocks-process.ts", "save", SECRET],
        {
          env: { ...process.env, ...env },
          stdio: "ignore",
        },
      );
      assert.equal((await once(child, "exit"))[0], 0);
      const ls = await runCli(["block", "ls"], env);
      assert.equal(ls.code, 0, ls.stderr);
      assert.match(ls.stdout, /fixture-warehouse\/prod/);
      for (const args of [
        ["block", "inspect", "fixture-warehouse/prod"],
        ["block", "inspect", "fixture-warehouse/prod", "-o", "json"],
        ["block", "ls", "-o", "json"],
      ]) {
        const res = await runCli(args, env);
        assert.equal(res.code, 0, res.stderr);
        assert.ok(!res.stdout.includes(SECRET) && !res.stderr.includes(SECRET), res.stdout);
        assert.match(res.stdout, /\*\*\*\*\*\*\*\*/);
        assert.match(res.stdout, /db\.internal/);
      }
      const missing = await runCli(["block", "inspect", "fixture-warehouse/nope"], env);
      assert.deepEqual(
        [missing.code, missing.stderr.trim()],
        [1, `Block "fixture-warehouse/nope" not found!`],
      );
      const bad = await runCli(["block", "inspect", "no-slash"], env);
      assert.equal(bad.code, 1);
      const deleted = await runCli(["block", "delete", "fixture-warehouse/prod"], env);
      assert.deepEqual(
        [deleted.code, deleted.stdout.trim()],
        [0, `Deleted Block "fixture-warehouse/prod".`],
      );
      assert.doesNotMatch((await runCli(["block", "ls"], env)).stdout, /fixture-warehouse/);
    });

    it("links to the UI to create a block, and protects the system types", async () => {
      const link = await runCli(["block", "create", "secret"], {
        ...env,
        PREFECT_UI_URL: "http://127.0.0.1:4200",
      });
      assert.deepEqual(
        [link.code, link.stdout.trim()],
        [0, "Create a Secret block: http://127.0.0.1:4200/blocks/catalog/secret/create"],
      );
      const unknown = await runCli(["block", "create", "nope"], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /Block type "nope" not found!/);
      const protectedType = await runCli(["block", "type", "delete", "secret"], env);
      assert.deepEqual(
        [protectedType.code, protectedType.stderr.trim()],
        [1, `Block type "secret" is a protected block!`],
      );
      const gone = await runCli(["block", "type", "delete", "cli-queue"], env);
      assert.deepEqual([gone.code, gone.stdout.trim()], [0, `Deleted Block Type "cli-queue".`]);
    });
  });
}

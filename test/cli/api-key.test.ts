/**
 * `prefect-ts server api-key create|ls|revoke`, the real CLI in a subprocess on both databases: a
 * key is printed once and works as a Bearer token; the listing shows its prefix, never the key;
 * only its SHA-256 is stored; a revoked key is refused; bad and unknown ids get one-line errors.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { authenticateApiKey } from "../../src/resources/api-keys/model.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { runCli } from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`server api-key (${dialect})`, () => {
    let t: TestDatabase;
    let env: Record<string, string>;
    const ctx = () => ({ database: t.database, clock: { nowIso: () => new Date().toISOString() } });

    before(async () => {
      t = await createTestDatabase(dialect);
      env = {
        PREFECT_HOME: t.home,
        PREFECT_API_DATABASE_CONNECTION_URL: t.url,
        PREFECT_SERVER_API_AUTH_STRING: "admin:pw",
      };
    });
    after(() => t.dispose());

    it("creates a key shown once, lists it without the key, and revokes it", async () => {
      const created = await runCli(["server", "api-key", "create", "--name", "ci deploy"], env);
      assert.equal(created.code, 0, created.stderr);
      const key = /^(pfts_\S+)$/m.exec(created.stdout)?.[1];
      const id = /Created API key (\S+)/.exec(created.stdout)?.[1];
      assert.ok(key && id, created.stdout);
      assert.ok(await authenticateApiKey(ctx(), key));

      // stored hashed: the key is nowhere in the table
      const rows = await t.database.db.selectFrom("api_key").selectAll().execute();
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(key));
      assert.equal(rows[0]?.key_hash, createHash("sha256").update(key).digest("hex"));

      const listed = await runCli(["server", "api-key", "ls"], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(id));
      assert.match(listed.stdout, /ci deploy/);
      assert.match(listed.stdout, new RegExp(key.slice(0, 11)));
      assert.ok(!listed.stdout.includes(key), "ls shows no key");

      const revoked = await runCli(["server", "api-key", "revoke", id], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /Revoked API key/);
      assert.equal(await authenticateApiKey(ctx(), key), null);
      const after = await runCli(["server", "api-key", "ls"], env);
      assert.match(after.stdout, /\d{4}-\d{2}-\d{2}.*│\s*$/m);
    });

    it("answers bad and unknown ids in one line", async () => {
      const bad = await runCli(["server", "api-key", "revoke", "not-a-uuid"], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /not a valid UUID/);
      const unknown = await runCli(
        ["server", "api-key", "revoke", "00000000-0000-4000-8000-000000000000"],
        env,
      );
      assert.equal(unknown.code, 1);
      assert.equal(
        unknown.stderr.trim(),
        "API key '00000000-0000-4000-8000-000000000000' not found.",
      );
    });

    it("warns that keys guard nothing while the auth string is unset", async () => {
      const { PREFECT_SERVER_API_AUTH_STRING: _, ...open } = env;
      const created = await runCli(["server", "api-key", "create"], open);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stderr, /PREFECT_SERVER_API_AUTH_STRING is not set/);
    });
  });
}

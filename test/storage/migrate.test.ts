/**
 * Migrations on every dialect: a fresh database is migrated once, a database migrated by a newer
 * prefect-ts (migration ids this code does not know) is refused with ERR_DATABASE_TOO_NEW before
 * anything is written to it, and concurrent opens of one fresh database all succeed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { ErrorCode, isPrefectTsError } from "../../src/core/errors.ts";
import { nowIso } from "../../src/core/time.ts";
import type { Database } from "../../src/storage/database.ts";
import { sql } from "../../src/storage/database.ts";
import { migrate } from "../../src/storage/migrate.ts";
import { MIGRATIONS } from "../../src/storage/migrations/index.ts";
import { openDatabase } from "../../src/storage/open-database.ts";
import { runCli } from "../cli/helpers.ts";
import {
  createTestDatabase,
  DIALECTS,
  type DialectName,
  PG_ADMIN_URL,
} from "../helpers/databases.ts";

const KNOWN_IDS = MIGRATIONS.map((m) => m.id);
const NEXT_ID = Math.max(...KNOWN_IDS) + 1;

interface FreshDatabase {
  url: string;
  home: string;
  dispose(): Promise<void>;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An empty database (no table at all) of the dialect, not opened yet. */
async function freshDatabase(dialect: DialectName): Promise<FreshDatabase> {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-migrate-"));
  if (dialect === "sqlite") {
    return {
      url: join(home, "prefect.db"),
      home,
      dispose: async () => rmSync(home, { recursive: true, force: true }),
    };
  }
  const name = `prefect_ts_m_${randomBytes(6).toString("hex")}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    home,
    dispose: async () => {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Every table and index of the database, by name, sorted. */
async function schemaObjects(database: Database): Promise<string[]> {
  const rows =
    database.dialect.name === "sqlite"
      ? await sql<{ name: string }>`
          SELECT type || ' ' || name AS name FROM sqlite_master
          WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'`.execute(database.db)
      : await sql<{ name: string }>`
          SELECT 'table ' || tablename AS name FROM pg_tables WHERE schemaname = 'public'
          UNION ALL
          SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'`.execute(
          database.db,
        );
  return rows.rows.map((r) => r.name).sort();
}

async function migrationRows(
  database: Database,
): Promise<{ id: number; name: string; applied_at: string }[]> {
  const rows = await database.db
    .selectFrom("prefect_ts_migration")
    .select(["id", "name", "applied_at"])
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, applied_at: r.applied_at }));
}

/** Assert `promise` rejects with ERR_DATABASE_TOO_NEW; returns the message. */
async function rejectsTooNew(promise: Promise<unknown>): Promise<string> {
  let message = "";
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isPrefectTsError(error), `not a PrefectTsError: ${String(error)}`);
    assert.equal(error.code, ErrorCode.DATABASE_TOO_NEW);
    message = error.message;
    return true;
  });
  return message;
}

for (const dialect of DIALECTS) {
  describe(`migrations (${dialect})`, () => {
    it("refuses a database migrated by a newer version, naming it and the unknown migration, and writes nothing", async () => {
      const t = await createTestDatabase(dialect);
      try {
        await t.database.db
          .insertInto("prefect_ts_migration")
          .values({ id: NEXT_ID, name: "from-the-future", applied_at: nowIso() })
          .execute();
        const objects = await schemaObjects(t.database);
        const rows = await migrationRows(t.database);

        const message = await rejectsTooNew(openDatabase({ url: t.url }));
        assert.ok(message.includes(t.database.location), message);
        assert.match(message, new RegExp(`migration ${NEXT_ID} \\(from-the-future\\)`));
        assert.match(message, /newer version of prefect-ts/);
        assert.match(message, /Upgrade prefect-ts/);
        assert.match(message, /PREFECT_API_DATABASE_CONNECTION_URL/);
        // migrate() itself refuses too
        const again = await rejectsTooNew(migrate(t.database));
        assert.equal(again, message);

        assert.deepEqual(await schemaObjects(t.database), objects);
        assert.deepEqual(await migrationRows(t.database), rows);
      } finally {
        await t.dispose();
      }
    });

    it("checks before applying anything: unknown migrations and none of the known ones → no table, no row added", async () => {
      const f = await freshDatabase(dialect);
      const raw = await openDatabase({ url: f.url, migrate: false });
      try {
        const t = raw.dialect.columnTypes;
        await sql
          .raw(
            `CREATE TABLE prefect_ts_migration (id ${t.int} PRIMARY KEY, name ${t.text} NOT NULL, applied_at ${t.text} NOT NULL)`,
          )
          .execute(raw.db);
        await raw.db
          .insertInto("prefect_ts_migration")
          .values([
            { id: NEXT_ID + 1, name: "later-still", applied_at: nowIso() },
            { id: NEXT_ID, name: "from-the-future", applied_at: nowIso() },
          ])
          .execute();
        const objects = await schemaObjects(raw);
        const rows = await migrationRows(raw);
        assert.ok(
          objects.every((o) => o.includes("prefect_ts_migration")),
          objects.join(", "),
        );

        const message = await rejectsTooNew(openDatabase({ url: f.url }));
        assert.match(
          message,
          new RegExp(
            `migrations ${NEXT_ID} \\(from-the-future\\), ${NEXT_ID + 1} \\(later-still\\), which`,
          ),
        );
        assert.deepEqual(await schemaObjects(raw), objects);
        assert.deepEqual(await migrationRows(raw), rows);
      } finally {
        await raw.close();
        await f.dispose();
      }
    });

    it("migrates a fresh database; opening it again applies nothing", async () => {
      const f = await freshDatabase(dialect);
      try {
        const first = await openDatabase({ url: f.url });
        let rows: Awaited<ReturnType<typeof migrationRows>>;
        let objects: string[];
        try {
          rows = await migrationRows(first);
          assert.deepEqual(
            rows.map((r) => [r.id, r.name]),
            MIGRATIONS.map((m) => [m.id, m.name]),
          );
          objects = await schemaObjects(first);
          assert.ok(objects.includes("table flow_run"), objects.join(", "));
          assert.deepEqual(await migrate(first), []);
        } finally {
          await first.close();
        }
        const second = await openDatabase({ url: f.url });
        try {
          assert.deepEqual(await migrationRows(second), rows);
          assert.deepEqual(await schemaObjects(second), objects);
        } finally {
          await second.close();
        }
      } finally {
        await f.dispose();
      }
    });

    it("lets two concurrent opens of one fresh database both succeed, migrating it once", async () => {
      const f = await freshDatabase(dialect);
      try {
        const opened = await Promise.allSettled([
          openDatabase({ url: f.url }),
          openDatabase({ url: f.url }),
        ]);
        const databases = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
        try {
          for (const r of opened) {
            if (r.status === "rejected") assert.fail(`an open failed: ${String(r.reason)}`);
          }
          for (const database of databases) {
            assert.deepEqual(
              (await migrationRows(database)).map((r) => r.id),
              KNOWN_IDS,
            );
          }
        } finally {
          await Promise.all(databases.map((d) => d.close()));
        }
      } finally {
        await f.dispose();
      }
    });
  });
}

describe("a database newer than the code, from the CLI", () => {
  const dialect: DialectName = DIALECTS[0] ?? "sqlite";
  let t: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    t = await createTestDatabase(dialect);
    await t.database.db
      .insertInto("prefect_ts_migration")
      .values({ id: NEXT_ID, name: "from-the-future", applied_at: nowIso() })
      .execute();
  });
  after(async () => {
    await t.dispose();
  });
  const env = () => ({ PREFECT_HOME: t.home, PREFECT_API_DATABASE_CONNECTION_URL: t.url });

  it("flow-run ls prints one line naming the database and the migration, exit 1", async () => {
    const res = await runCli(["flow-run", "ls"], env());
    assert.equal(res.code, 1);
    assert.equal(res.stdout, "");
    assert.equal(res.stderr.trimEnd().split("\n").length, 1, res.stderr);
    assert.ok(
      res.stderr.startsWith(
        `The database at ${t.database.location} was migrated by a newer version of prefect-ts`,
      ),
      res.stderr,
    );
    assert.match(res.stderr, new RegExp(`migration ${NEXT_ID} \\(from-the-future\\)`));
  });

  it("server start refuses to start with the same message", { timeout: 60_000 }, async () => {
    const res = await runCli(["server", "start", "--port", "0"], env());
    assert.equal(res.code, 1);
    assert.doesNotMatch(res.stdout, /server running/);
    assert.equal(res.stderr.trimEnd().split("\n").length, 1, res.stderr);
    assert.match(res.stderr, /^The database at .* was migrated by a newer version of prefect-ts/);
  });
});

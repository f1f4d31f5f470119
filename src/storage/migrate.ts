import type BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { ErrorCode, isPrefectTsError, PrefectTsError } from "../core/errors.ts";
import { nowIso } from "../core/time.ts";
import type { Database } from "./database.ts";
import type { ColumnTypes, Migration } from "./migrations/column-types.ts";
import { MIGRATIONS } from "./migrations/index.ts";

/** A row of `prefect_ts_migration`, as far as deciding what to apply needs it. */
interface AppliedRow {
  id: number;
  name: string;
}

/** How many unknown migrations the "too new" message names before summing up the rest. */
const NAMED_UNKNOWN = 5;

const migrationTable = (t: ColumnTypes): string =>
  `CREATE TABLE prefect_ts_migration (id ${t.int} PRIMARY KEY, name ${t.text} NOT NULL, applied_at ${t.text} NOT NULL)`;

/**
 * Apply every migration not yet applied, all in one transaction, after checking that the database
 * holds no migration this code does not know: a database migrated by a newer prefect-ts is refused
 * with `ERR_DATABASE_TOO_NEW` before anything is written to it. On PostgreSQL an advisory lock
 * serialises concurrent migrators; on SQLite an immediate transaction, run synchronously on the
 * native connection, does (so that two opens in one process cannot deadlock on the busy timeout).
 */
export async function migrate(database: Database): Promise<number[]> {
  try {
    if (database.dialect.name === "sqlite") {
      const native = database.native;
      if (!native) throw new Error("a SQLite database needs its native connection to migrate");
      // hold Kysely's connection while the native one is used (see `Database.native`)
      return await database.db.connection().execute(async () => migrateSqlite(database, native));
    }
    return await migratePostgres(database);
  } catch (error) {
    if (isPrefectTsError(error) && error.code === ErrorCode.DATABASE_TOO_NEW) throw error;
    throw new PrefectTsError(
      ErrorCode.MIGRATION_FAILED,
      `database migration failed on ${database.location}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function migrateSqlite(database: Database, native: BetterSqlite3.Database): number[] {
  const t = database.dialect.columnTypes;
  const run = native.transaction((): number[] => {
    const present =
      native
        .prepare(
          "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prefect_ts_migration'",
        )
        .get() !== undefined;
    const rows = present
      ? (native.prepare("SELECT id, name FROM prefect_ts_migration").all() as AppliedRow[])
      : [];
    const pending = pendingMigrations(database, rows);
    if (!present) native.exec(migrationTable(t));
    const record = native.prepare(
      "INSERT INTO prefect_ts_migration (id, name, applied_at) VALUES (?, ?, ?)",
    );
    for (const migration of pending) {
      for (const statement of migration.statements(t)) native.exec(statement);
      record.run(migration.id, migration.name, nowIso());
    }
    return pending.map((m) => m.id);
  });
  // BEGIN IMMEDIATE: take the write lock before reading, so that a concurrent migrator in another
  // process waits (busy_timeout) rather than failing when it finds its snapshot stale
  return run.immediate();
}

async function migratePostgres(database: Database): Promise<number[]> {
  const t = database.dialect.columnTypes;
  return database.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(727274)`.execute(trx);
    const found = await sql<{
      present: boolean;
    }>`SELECT to_regclass('prefect_ts_migration') IS NOT NULL AS present`.execute(trx);
    const present = found.rows[0]?.present === true;
    const rows = present
      ? await trx.selectFrom("prefect_ts_migration").select(["id", "name"]).execute()
      : [];
    const pending = pendingMigrations(database, rows);
    if (!present) await sql.raw(migrationTable(t)).execute(trx);
    for (const migration of pending) {
      for (const statement of migration.statements(t)) await sql.raw(statement).execute(trx);
      await trx
        .insertInto("prefect_ts_migration")
        .values({ id: migration.id, name: migration.name, applied_at: nowIso() })
        .execute();
    }
    return pending.map((m) => m.id);
  });
}

/**
 * The migrations still to apply, given the rows of `prefect_ts_migration`; throws
 * `ERR_DATABASE_TOO_NEW` when a row names a migration this code does not have.
 */
function pendingMigrations(database: Database, rows: readonly AppliedRow[]): Migration[] {
  const known = new Set(MIGRATIONS.map((m) => m.id));
  const unknown = rows
    .map((r) => ({ id: Number(r.id), name: String(r.name) }))
    .filter((r) => !known.has(r.id))
    .sort((a, b) => a.id - b.id);
  if (unknown.length > 0) throw databaseTooNew(database, unknown);
  const done = new Set(rows.map((r) => Number(r.id)));
  return MIGRATIONS.filter((m) => !done.has(m.id));
}

function databaseTooNew(database: Database, unknown: readonly AppliedRow[]): PrefectTsError {
  const named = unknown.slice(0, NAMED_UNKNOWN).map((r) => `${r.id} (${r.name})`);
  const more = unknown.length - named.length;
  const list =
    more > 0
      ? `${named.join(", ")} and ${more} more (up to ${unknown.at(-1)?.id})`
      : named.join(", ");
  const ids = MIGRATIONS.map((m) => m.id);
  const knows =
    ids.length === 0
      ? "none"
      : ids.length === 1
        ? `migration ${ids[0]}`
        : `migrations ${Math.min(...ids)} to ${Math.max(...ids)}`;
  return new PrefectTsError(
    ErrorCode.DATABASE_TOO_NEW,
    `the database at ${database.location} was migrated by a newer version of prefect-ts: it has ${unknown.length === 1 ? "migration" : "migrations"} ${list}, which this version does not know (it knows ${knows}). ` +
      "Upgrade prefect-ts to the version that migrated this database or a later one, or set PREFECT_API_DATABASE_CONNECTION_URL to another database. Nothing was changed in the database.",
  );
}

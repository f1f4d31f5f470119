import { sql } from "kysely";
import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import { nowIso } from "../core/time.ts";
import type { Database } from "./database.ts";
import { MIGRATIONS } from "./migrations/index.ts";

/**
 * Apply every migration not yet applied, each in its own transaction. On PostgreSQL an advisory
 * lock serialises concurrent migrators; on SQLite the single writer does.
 */
export async function migrate(database: Database): Promise<number[]> {
  const { db, dialect } = database;
  const t = dialect.columnTypes;
  const applied: number[] = [];
  try {
    await db.transaction().execute(async (trx) => {
      if (dialect.name === "postgres") {
        await sql`SELECT pg_advisory_xact_lock(727274)`.execute(trx);
      }
      await sql
        .raw(
          `CREATE TABLE IF NOT EXISTS prefect_ts_migration (id ${t.int} PRIMARY KEY, name ${t.text} NOT NULL, applied_at ${t.text} NOT NULL)`,
        )
        .execute(trx);
      const done = new Set(
        (await trx.selectFrom("prefect_ts_migration").select("id").execute()).map((r) => r.id),
      );
      for (const migration of MIGRATIONS) {
        if (done.has(migration.id)) continue;
        for (const statement of migration.statements(t)) await sql.raw(statement).execute(trx);
        await trx
          .insertInto("prefect_ts_migration")
          .values({ id: migration.id, name: migration.name, applied_at: nowIso() })
          .execute();
        applied.push(migration.id);
      }
    });
  } catch (error) {
    throw new PrefectTsError(
      ErrorCode.MIGRATION_FAILED,
      `database migration failed on ${database.location}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return applied;
}

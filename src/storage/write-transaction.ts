/**
 * A read-then-write transaction. On SQLite it starts with `BEGIN IMMEDIATE` so the write lock is
 * taken up front (a deferred transaction that reads first cannot wait for a lock upgrade and
 * fails with SQLITE_BUSY under concurrent writers); on PostgreSQL it is an ordinary transaction
 * in which rows are locked with `FOR NO KEY UPDATE` (see `resources/states/locked-reads.ts`).
 */
import { sql } from "kysely";
import type { Database, Db } from "./database.ts";

export async function withWriteTransaction<T>(
  database: Database,
  fn: (trx: Db) => Promise<T>,
): Promise<T> {
  if (database.dialect.name === "postgres") {
    return database.db.transaction().execute((trx) => fn(trx));
  }
  return database.db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (error) {
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

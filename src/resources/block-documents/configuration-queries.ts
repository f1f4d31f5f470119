/** Storage queries for Prefect's `configuration` table (server-wide values by key). */
import type { Database } from "../../storage/database.ts";

export async function readConfiguration<T>(
  database: Database,
  key: string,
): Promise<T | undefined> {
  const row = await database.db
    .selectFrom("configuration")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirst();
  return row ? (database.dialect.fromJson<T>(row.value) ?? undefined) : undefined;
}

/** Insert a value; false when the key is already there (another process wrote it first). */
export async function insertConfiguration(
  database: Database,
  row: { id: string; key: string; value: unknown; now: string },
): Promise<boolean> {
  const result = await database.db
    .insertInto("configuration")
    .values({
      id: row.id,
      created: row.now,
      updated: row.now,
      key: row.key,
      value: database.dialect.toJson(row.value),
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Storage query for the capabilities the registered block schemas have. */
import type { Database } from "../../storage/database.ts";

/** Every capability some schema has, sorted. */
export async function readCapabilities(database: Database): Promise<string[]> {
  const rows = await database.db.selectFrom("block_schema").select("capabilities").execute();
  const all = new Set<string>();
  for (const r of rows) {
    for (const c of database.dialect.fromJson<string[]>(r.capabilities) ?? []) all.add(c);
  }
  return [...all].sort();
}

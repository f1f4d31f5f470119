/** Storage of API keys: rows of `api_key`, found by the SHA-256 of the key. */
import type { Database } from "../../storage/database.ts";

/** An API key as listed: never the key itself. */
export interface ApiKeyRecord {
  id: string;
  created: string;
  name: string;
  /** The key's first characters (`pfts_` and a few more), to tell keys apart. */
  key_prefix: string;
  /** When the key was revoked; null while it is valid. */
  revoked: string | null;
}

const COLUMNS = ["id", "created", "name", "key_prefix", "revoked"] as const;

export async function insertApiKey(
  { db }: Database,
  row: ApiKeyRecord & { key_hash: string },
): Promise<void> {
  await db.insertInto("api_key").values(row).execute();
}

export async function listApiKeys({ db }: Database): Promise<ApiKeyRecord[]> {
  return db.selectFrom("api_key").select(COLUMNS).orderBy("created").orderBy("id").execute();
}

export async function readApiKey({ db }: Database, id: string): Promise<ApiKeyRecord | null> {
  return (
    (await db.selectFrom("api_key").select(COLUMNS).where("id", "=", id).executeTakeFirst()) ?? null
  );
}

/** The valid (not revoked) key of this hash, if any. */
export async function findValidKeyByHash(
  { db }: Database,
  keyHash: string,
): Promise<ApiKeyRecord | null> {
  return (
    (await db
      .selectFrom("api_key")
      .select(COLUMNS)
      .where("key_hash", "=", keyHash)
      .where("revoked", "is", null)
      .executeTakeFirst()) ?? null
  );
}

/** Mark a key revoked (once: a revoked key keeps its first revocation time). */
export async function revokeApiKey({ db }: Database, id: string, now: string): Promise<void> {
  await db
    .updateTable("api_key")
    .set({ revoked: now })
    .where("id", "=", id)
    .where("revoked", "is", null)
    .execute();
}

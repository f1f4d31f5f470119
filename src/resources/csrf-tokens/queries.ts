/** Storage of CSRF tokens (Prefect's `csrf_token`): one row per client. */
import { uuid4 } from "../../core/ids.ts";
import type { Database } from "../../storage/database.ts";
import type { CsrfTokenTable } from "../../storage/schema.ts";

export type CsrfTokenRecord = CsrfTokenTable;

/** Give `client` this token until `expiration`, replacing the one it had; answers the row. */
export async function upsertToken(
  { db }: Database,
  client: string,
  token: string,
  expiration: string,
  now: string,
): Promise<CsrfTokenRecord> {
  await db
    .insertInto("csrf_token")
    .values({ id: uuid4(), created: now, updated: now, client, token, expiration })
    .onConflict((oc) => oc.column("client").doUpdateSet({ token, expiration, updated: now }))
    .execute();
  return db
    .selectFrom("csrf_token")
    .selectAll()
    .where("client", "=", client)
    .executeTakeFirstOrThrow();
}

/** The client's token, unless it has expired. */
export async function readValidToken(
  { db }: Database,
  client: string,
  now: string,
): Promise<CsrfTokenRecord | null> {
  return (
    (await db
      .selectFrom("csrf_token")
      .selectAll()
      .where("client", "=", client)
      .where("expiration", ">", now)
      .executeTakeFirst()) ?? null
  );
}

export async function deleteExpiredTokens({ db }: Database, now: string): Promise<void> {
  await db.deleteFrom("csrf_token").where("expiration", "<", now).execute();
}

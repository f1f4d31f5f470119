/**
 * The database lease storage's queries: leases, the limits each holds slots of, and the holders
 * attached to API servers through their holder socket.
 */
import type { Selectable } from "kysely";
import type { ConcurrencyLease, LeaseHolder } from "../../core/concurrency.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import type { ConcurrencyLeaseTable } from "../../storage/schema.ts";

function fromRow(d: StorageDialect, r: Selectable<ConcurrencyLeaseTable>): ConcurrencyLease {
  return {
    id: r.id,
    created: r.created,
    expiration: r.expiration,
    resource_ids: d.fromJson<string[]>(r.resource_ids),
    slots: Number(r.slots),
    holder: d.fromJson<LeaseHolder | null>(r.holder),
    holder_id: r.holder_id,
    holder_process: r.holder_process,
  };
}

export async function insertLease(
  database: Database,
  trx: Db,
  lease: ConcurrencyLease,
): Promise<void> {
  const d = database.dialect;
  await trx
    .insertInto("concurrency_lease")
    .values({
      ...lease,
      resource_ids: d.toJson(lease.resource_ids),
      holder: lease.holder ? d.toJson(lease.holder) : null,
    })
    .execute();
  if (lease.resource_ids.length > 0) {
    await trx
      .insertInto("concurrency_lease_limit")
      .values(
        [...new Set(lease.resource_ids)].map((limit_id) => ({ lease_id: lease.id, limit_id })),
      )
      .execute();
  }
}

/** Delete a lease and answer what it was (null when it was gone already). */
export async function deleteLease(
  database: Database,
  trx: Db,
  id: string,
  expiredBy?: string,
): Promise<ConcurrencyLease | null> {
  let query = trx.deleteFrom("concurrency_lease").where("id", "=", id);
  if (expiredBy !== undefined) query = query.where("expiration", "<=", expiredBy);
  const row = await query.returningAll().executeTakeFirst();
  if (!row) return null;
  // SQLite's foreign keys cascade too; said here so that it never depends on the pragma
  await trx.deleteFrom("concurrency_lease_limit").where("lease_id", "=", id).execute();
  return fromRow(database.dialect, row);
}

export async function readLease(database: Database, id: string): Promise<ConcurrencyLease | null> {
  const row = await database.db
    .selectFrom("concurrency_lease")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? fromRow(database.dialect, row) : null;
}

export async function renewLease(
  database: Database,
  id: string,
  expiration: string,
): Promise<boolean> {
  const res = await database.db
    .updateTable("concurrency_lease")
    .set({ expiration })
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function expiredLeaseIds(
  database: Database,
  now: string,
  max: number,
): Promise<string[]> {
  const rows = await database.db
    .selectFrom("concurrency_lease")
    .select("id")
    .where("expiration", "<=", now)
    .orderBy("expiration")
    .limit(max)
    .execute();
  return rows.map((r) => r.id);
}

/** The leases holding slots of any of these limits, oldest first. */
export async function leasesOfLimits(
  database: Database,
  limitIds: readonly string[],
  db: Db = database.db,
): Promise<ConcurrencyLease[]> {
  if (limitIds.length === 0) return [];
  const rows = await db
    .selectFrom("concurrency_lease")
    .selectAll()
    .where((eb) =>
      eb(
        "id",
        "in",
        eb
          .selectFrom("concurrency_lease_limit")
          .select("lease_id")
          .where((e) => database.dialect.textIn(e.ref("limit_id"), limitIds, "uuid")),
      ),
    )
    .orderBy("created")
    .execute();
  return rows.map((r) => fromRow(database.dialect, r));
}

export async function leaseIdsOfHolder(database: Database, holderId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom("concurrency_lease")
    .select("id")
    .where("holder_id", "=", holderId)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Leases bound to a holder connection that no server has attached now (`attached_until` past or
 * no record), created before `cutoff`.
 */
export async function orphanedLeaseIds(
  database: Database,
  now: string,
  cutoff: string,
): Promise<string[]> {
  const rows = await database.db
    .selectFrom("concurrency_lease as l")
    .leftJoin("concurrency_lease_holder as h", (join) =>
      join.onRef("h.id", "=", "l.holder_id").on("h.attached_until", ">", now),
    )
    .select("l.id")
    .where("l.holder_id", "is not", null)
    .where("h.id", "is", null)
    .where("l.created", "<", cutoff)
    .execute();
  return rows.map((r) => r.id);
}

/** Leases bound to a process of this host (`holder_process` starting `"<host>:"`). */
export async function processBoundLeases(
  database: Database,
  host: string,
): Promise<{ id: string; holder_process: string }[]> {
  const rows = await database.db
    .selectFrom("concurrency_lease")
    .select(["id", "holder_process"])
    .where("holder_process", ">=", `${host}:`)
    .where("holder_process", "<", `${host};`)
    .execute();
  return rows.flatMap((r) =>
    r.holder_process ? [{ id: r.id, holder_process: r.holder_process }] : [],
  );
}

/** Record (or extend) holders attached to a server until `until`. */
export async function attachHolders(
  database: Database,
  holderIds: readonly string[],
  until: string,
): Promise<void> {
  if (holderIds.length === 0) return;
  await database.db
    .insertInto("concurrency_lease_holder")
    .values(holderIds.map((id) => ({ id, attached_until: until })))
    .onConflict((oc) => oc.column("id").doUpdateSet({ attached_until: until }))
    .execute();
}

export async function detachHolder(database: Database, holderId: string): Promise<void> {
  await database.db.deleteFrom("concurrency_lease_holder").where("id", "=", holderId).execute();
}

/** Forget attachments that lapsed long ago (their leases are gone by then). */
export async function deleteLapsedHolders(database: Database, before: string): Promise<void> {
  await database.db
    .deleteFrom("concurrency_lease_holder")
    .where("attached_until", "<", before)
    .execute();
}

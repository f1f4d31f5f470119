/**
 * Storage queries for concurrency limits (Prefect's `models/concurrency_limits_v2.py`). Slot
 * arithmetic is done by the caller on rows it read locked (`lock`: `FOR UPDATE` in id order on
 * PostgreSQL; on SQLite the write transaction is `BEGIN IMMEDIATE`, one writer at a time).
 */
import type { Selectable } from "kysely";
import type { ConcurrencyLimit } from "../../core/concurrency.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import type { ConcurrencyLimitV2Table } from "../../storage/schema.ts";

/** A limit row with what slot arithmetic needs beyond the API's fields. */
export interface LimitRow extends ConcurrencyLimit {
  decay_anchor: string;
}

function fromRow(d: StorageDialect, r: Selectable<ConcurrencyLimitV2Table>): LimitRow {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    active: d.fromBool(r.active),
    name: r.name,
    limit: Number(r.limit),
    active_slots: Number(r.active_slots),
    denied_slots: Number(r.denied_slots),
    slot_decay_per_second: Number(r.slot_decay_per_second),
    avg_slot_occupancy_seconds: Number(r.avg_slot_occupancy_seconds),
    decay_anchor: r.decay_anchor,
  };
}

export async function insertLimit(database: Database, trx: Db, row: LimitRow): Promise<void> {
  await trx
    .insertInto("concurrency_limit_v2")
    .values({ ...row, active: database.dialect.toBool(row.active) })
    .execute();
}

export async function readLimit(
  database: Database,
  trx: Db,
  by: { id: string } | { name: string },
  lock = false,
): Promise<LimitRow | null> {
  let query = trx.selectFrom("concurrency_limit_v2").selectAll();
  query = "id" in by ? query.where("id", "=", by.id) : query.where("name", "=", by.name);
  if (lock && database.dialect.name === "postgres") query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? fromRow(database.dialect, row) : null;
}

/** The limits of these names (or ids), in id order; locked for update when `lock`. */
export async function readLimits(
  database: Database,
  trx: Db,
  by: { names: readonly string[] } | { ids: readonly string[] },
  lock = false,
): Promise<LimitRow[]> {
  const values = "names" in by ? by.names : by.ids;
  if (values.length === 0) return [];
  const column = "names" in by ? "name" : "id";
  let query = trx
    .selectFrom("concurrency_limit_v2")
    .selectAll()
    .where((eb) =>
      database.dialect.textIn(
        eb.ref(column),
        [...new Set(values)],
        column === "id" ? "uuid" : "text",
      ),
    )
    .orderBy("id");
  if (lock && database.dialect.name === "postgres") query = query.forUpdate();
  const rows = await query.execute();
  return rows.map((r) => fromRow(database.dialect, r));
}

/** Every limit, by name (Prefect's order), a page of them. */
export async function listLimits(
  database: Database,
  page: { offset: number; limit: number | null },
): Promise<LimitRow[]> {
  let query = database.db
    .selectFrom("concurrency_limit_v2")
    .selectAll()
    .orderBy("name")
    .offset(page.offset);
  if (page.limit !== null) query = query.limit(page.limit);
  else if (database.dialect.name === "sqlite") query = query.limit(-1);
  const rows = await query.execute();
  return rows.map((r) => fromRow(database.dialect, r));
}

/** Write a limit's fields (all but id and created). */
export async function writeLimit(database: Database, trx: Db, row: LimitRow): Promise<void> {
  const { id, created: _created, ...fields } = row;
  await trx
    .updateTable("concurrency_limit_v2")
    .set({ ...fields, active: database.dialect.toBool(fields.active) })
    .where("id", "=", id)
    .execute();
}

export async function deleteLimit(trx: Db, id: string): Promise<boolean> {
  const res = await trx.deleteFrom("concurrency_limit_v2").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/**
 * Storage queries for `block_document` and `block_document_reference`: documents by filter
 * (Prefect's `BlockDocumentFilter` with the block type and schema filters, anonymous documents
 * left out unless asked for), by id and by type slug and name, with the documents they nest.
 */
import { type RawBuilder, type Selectable, type SqlBool, sql } from "kysely";
import {
  type BlockDocumentFilter,
  type BlockDocumentListing,
  BlockDocumentSort,
} from "../../core/blocks.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import type { BlockDocumentReferenceTable, BlockDocumentTable } from "../../storage/schema.ts";
import { blockSchemaFilterSql } from "../block-schemas/queries.ts";

export type BlockDocumentRow = Selectable<BlockDocumentTable>;
export type BlockDocumentReferenceRow = Selectable<BlockDocumentReferenceTable>;

function documentFilterSql(d: StorageDialect, f: BlockDocumentFilter): RawBuilder<SqlBool> | null {
  const parts: RawBuilder<SqlBool>[] = [];
  const col = (name: string) => sql.ref(`block_document.${name}`);
  if (f.id?.any_) parts.push(d.textIn(col("id"), f.id.any_, "uuid"));
  if (f.block_type_id?.any_)
    parts.push(d.textIn(col("block_type_id"), f.block_type_id.any_, "uuid"));
  if (f.name?.any_) parts.push(d.textIn(col("name"), f.name.any_));
  if (f.name?.like_)
    parts.push(sql<SqlBool>`${col("name")} ${sql.raw(d.ilike)} ${`%${f.name.like_}%`}`);
  const anonymous = f.is_anonymous?.eq_;
  if (anonymous !== undefined && anonymous !== null) {
    parts.push(sql<SqlBool>`${col("is_anonymous")} = ${d.toBool(anonymous)}`);
  }
  if (parts.length === 0) return null;
  return sql<SqlBool>`(${sql.join(parts, f.operator === "or_" ? sql` or ` : sql` and `)})`;
}

/** The conditions of a listing: no document filter at all leaves anonymous documents out. */
function listingSql(d: StorageDialect, listing: BlockDocumentListing): RawBuilder<SqlBool>[] {
  const where: RawBuilder<SqlBool>[] = [];
  const documents = listing.block_documents ?? { is_anonymous: { eq_: false } };
  const own = documentFilterSql(d, documents);
  if (own) where.push(own);
  const types = listing.block_types;
  if (types) {
    const parts: RawBuilder<SqlBool>[] = [];
    if (types.name?.like_) {
      parts.push(sql<SqlBool>`block_type.name ${sql.raw(d.ilike)} ${`%${types.name.like_}%`}`);
    }
    if (types.slug?.any_) parts.push(d.textIn(sql.ref("block_type.slug"), types.slug.any_));
    const cond = parts.length > 0 ? sql.join(parts, sql` and `) : sql`1 = 1`;
    where.push(
      sql<SqlBool>`exists (select 1 from block_type where block_type.id = block_document.block_type_id and ${cond})`,
    );
  }
  const schemas = listing.block_schemas ? blockSchemaFilterSql(d, listing.block_schemas) : null;
  if (listing.block_schemas) {
    where.push(
      sql<SqlBool>`exists (select 1 from block_schema where block_schema.id = block_document.block_schema_id and ${schemas ?? sql`1 = 1`})`,
    );
  }
  return where;
}

/** The ids of the documents a listing names, in its order, within its page. */
export async function filterBlockDocumentIds(
  database: Database,
  listing: BlockDocumentListing,
): Promise<string[]> {
  let q = database.db.selectFrom("block_document").select("block_document.id");
  for (const cond of listingSql(database.dialect, listing)) q = q.where(cond);
  const sort = listing.sort ?? BlockDocumentSort.NAME_ASC;
  if (sort === BlockDocumentSort.NAME_DESC) q = q.orderBy("block_document.name", "desc");
  else if (sort === BlockDocumentSort.BLOCK_TYPE_AND_NAME_ASC) {
    q = q.orderBy("block_document.block_type_name").orderBy("block_document.name");
  } else q = q.orderBy("block_document.name");
  q = q.orderBy("block_document.id");
  if (listing.limit !== undefined) q = q.limit(listing.limit);
  if (listing.offset) q = q.offset(listing.offset);
  return (await q.execute()).map((r) => r.id);
}

export async function countBlockDocuments(database: Database, listing: BlockDocumentListing) {
  let q = database.db
    .selectFrom("block_document")
    .select((eb) => eb.fn.countAll<number | string>().as("n"));
  for (const cond of listingSql(database.dialect, listing)) q = q.where(cond);
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function readBlockDocumentRows(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("block_document")
    .selectAll()
    .where("id", "in", [...ids])
    .execute();
}

/** The references whose parent is one of `parentIds`. */
export async function readReferenceRows(db: Db, parentIds: readonly string[]) {
  if (parentIds.length === 0) return [];
  return db
    .selectFrom("block_document_reference")
    .selectAll()
    .where("parent_block_document_id", "in", [...parentIds])
    .execute();
}

export async function readBlockDocumentIdByName(db: Db, blockTypeSlug: string, name: string) {
  const row = await db
    .selectFrom("block_document")
    .innerJoin("block_type", "block_type.id", "block_document.block_type_id")
    .select("block_document.id")
    .where("block_type.slug", "=", blockTypeSlug)
    .where("block_document.name", "=", name)
    .executeTakeFirst();
  return row?.id;
}

export async function blockDocumentNameTaken(db: Db, blockTypeId: string, name: string) {
  const row = await db
    .selectFrom("block_document")
    .select("id")
    .where("block_type_id", "=", blockTypeId)
    .where("name", "=", name)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertBlockDocumentRow(db: Db, row: BlockDocumentRow): Promise<void> {
  await db.insertInto("block_document").values(row).execute();
}

export async function updateBlockDocumentRow(
  db: Db,
  id: string,
  values: Partial<Pick<BlockDocumentRow, "data" | "block_schema_id" | "updated">>,
): Promise<void> {
  await db.updateTable("block_document").set(values).where("id", "=", id).execute();
}

export async function deleteBlockDocumentRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom("block_document").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertReferenceRow(db: Db, row: BlockDocumentReferenceRow): Promise<void> {
  await db.insertInto("block_document_reference").values(row).execute();
}

export async function deleteReferenceRows(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom("block_document_reference")
    .where("id", "in", [...ids])
    .execute();
}

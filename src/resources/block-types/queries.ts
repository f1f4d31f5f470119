/** Storage queries for `block_type`: rows as the wire's `BlockType`, by id, slug and filter. */
import { type SqlBool, sql } from "kysely";
import type { BlockSchemaFilter, BlockTypeFilter } from "../../core/blocks.ts";
import type { BlockTypeRow } from "../../storage/block-rows.ts";
import type { Database, Db } from "../../storage/database.ts";
import { blockSchemaFilterSql } from "../block-schemas/queries.ts";

export async function readBlockTypeRow(db: Db, id: string): Promise<BlockTypeRow | undefined> {
  return db.selectFrom("block_type").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function readBlockTypeRowBySlug(
  db: Db,
  slug: string,
): Promise<BlockTypeRow | undefined> {
  return db.selectFrom("block_type").selectAll().where("slug", "=", slug).executeTakeFirst();
}

/** Block types by name (a case-insensitive part of it) and slug, and by what their schemas hold; by name. */
export async function filterBlockTypeRows(
  database: Database,
  options: {
    types?: BlockTypeFilter | null;
    schemas?: BlockSchemaFilter | null;
    limit: number;
    offset: number;
  },
): Promise<BlockTypeRow[]> {
  const d = database.dialect;
  let q = database.db.selectFrom("block_type").selectAll("block_type");
  const like = options.types?.name?.like_;
  if (like) {
    q = q.where(sql<SqlBool>`block_type.name ${sql.raw(d.ilike)} ${`%${like}%`}`);
  }
  const slugs = options.types?.slug?.any_;
  if (slugs) q = q.where((eb) => d.textIn(eb.ref("block_type.slug"), slugs));
  const schemaWhere = options.schemas ? blockSchemaFilterSql(d, options.schemas) : null;
  if (schemaWhere) {
    q = q.where(
      sql<SqlBool>`exists (select 1 from block_schema where block_schema.block_type_id = block_type.id and ${schemaWhere})`,
    );
  }
  return q.orderBy("block_type.name").limit(options.limit).offset(options.offset).execute();
}

export async function insertBlockTypeRow(db: Db, row: BlockTypeRow): Promise<void> {
  await db.insertInto("block_type").values(row).execute();
}

export async function updateBlockTypeRow(
  db: Db,
  id: string,
  values: Partial<Omit<BlockTypeRow, "id" | "created">>,
): Promise<void> {
  await db.updateTable("block_type").set(values).where("id", "=", id).execute();
}

export async function deleteBlockTypeRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom("block_type").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

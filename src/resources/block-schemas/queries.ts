/**
 * Storage queries for `block_schema`: rows with their block type, by id, by checksum (and
 * version), by filter (Prefect's `BlockSchemaFilter`, newest first); the capabilities in use.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { BlockSchemaFilter } from "../../core/blocks.ts";
import type { BlockSchemaRow } from "../../storage/block-rows.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";

function selectWithType(db: Db) {
  return db
    .selectFrom("block_schema")
    .innerJoin("block_type as t", "t.id", "block_schema.block_type_id")
    .selectAll("block_schema")
    .select([
      "t.id as t_id",
      "t.created as t_created",
      "t.updated as t_updated",
      "t.name as t_name",
      "t.slug as t_slug",
      "t.logo_url as t_logo_url",
      "t.documentation_url as t_documentation_url",
      "t.description as t_description",
      "t.code_example as t_code_example",
      "t.is_protected as t_is_protected",
    ]);
}

/** SQL for a `BlockSchemaFilter` over `block_schema`, or null when it asks for nothing. */
export function blockSchemaFilterSql(
  d: StorageDialect,
  filter: BlockSchemaFilter,
): RawBuilder<SqlBool> | null {
  const parts: RawBuilder<SqlBool>[] = [];
  const col = (name: string) => sql.ref(`block_schema.${name}`);
  if (filter.id?.any_) parts.push(d.textIn(col("id"), filter.id.any_, "uuid"));
  if (filter.block_type_id?.any_) {
    parts.push(d.textIn(col("block_type_id"), filter.block_type_id.any_, "uuid"));
  }
  if (filter.version?.any_) parts.push(d.textIn(col("version"), filter.version.any_));
  const all = filter.block_capabilities?.all_;
  if (all && all.length > 0) {
    const wanted = [...new Set(all)];
    parts.push(
      d.name === "postgres"
        ? sql<SqlBool>`${col("capabilities")} @> cast(${JSON.stringify(wanted)} as jsonb)`
        : sql<SqlBool>`(select count(distinct value) from json_each(${col("capabilities")}) where value in (select value from json_each(${JSON.stringify(wanted)}))) = ${wanted.length}`,
    );
  }
  if (parts.length === 0) return null;
  const joiner = filter.operator === "or_" ? sql` or ` : sql` and `;
  return sql<SqlBool>`(${sql.join(parts, joiner)})`;
}

export async function readBlockSchemaRow(db: Db, id: string) {
  return selectWithType(db).where("block_schema.id", "=", id).executeTakeFirst();
}

/** The schema of this checksum (and version, when given); the newest when several. */
export async function readBlockSchemaRowByChecksum(
  db: Db,
  checksum: string,
  version?: string | null,
) {
  let q = selectWithType(db).where("block_schema.checksum", "=", checksum);
  if (version != null) q = q.where("block_schema.version", "=", version);
  return q.orderBy("block_schema.created", "desc").limit(1).executeTakeFirst();
}

export async function filterBlockSchemaRows(
  database: Database,
  options: { filter?: BlockSchemaFilter | null; limit?: number; offset?: number },
) {
  let q = selectWithType(database.db);
  const where = options.filter ? blockSchemaFilterSql(database.dialect, options.filter) : null;
  if (where) q = q.where(where);
  q = q.orderBy("block_schema.created", "desc").orderBy("block_schema.id");
  if (options.limit !== undefined) q = q.limit(options.limit);
  if (options.offset) q = q.offset(options.offset);
  return q.execute();
}

export async function insertBlockSchemaRow(db: Db, row: BlockSchemaRow): Promise<void> {
  await db.insertInto("block_schema").values(row).execute();
}

export async function deleteBlockSchemaRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom("block_schema").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

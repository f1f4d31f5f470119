/** Conversions between block type and block schema rows and the wire-shaped records. */
import type { Selectable } from "kysely";
import type { BlockSchema, BlockType } from "../core/blocks.ts";
import type { StorageDialect } from "./dialect.ts";
import type { BlockSchemaTable, BlockTypeTable } from "./schema.ts";

export type BlockTypeRow = Selectable<BlockTypeTable>;
export type BlockSchemaRow = Selectable<BlockSchemaTable>;

/** A schema row and its type's row (columns of the type prefixed `t_`). */
export type BlockSchemaWithTypeRow = BlockSchemaRow & {
  [K in keyof BlockTypeRow as `t_${K & string}`]: BlockTypeRow[K];
};

export const BLOCK_TYPE_COLUMNS = [
  "id",
  "created",
  "updated",
  "name",
  "slug",
  "logo_url",
  "documentation_url",
  "description",
  "code_example",
  "is_protected",
] as const;

export function blockTypeFromRow(d: StorageDialect, r: BlockTypeRow): BlockType {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    slug: r.slug,
    logo_url: r.logo_url,
    documentation_url: r.documentation_url,
    description: r.description,
    code_example: r.code_example,
    is_protected: d.fromBool(r.is_protected),
  };
}

export function blockSchemaFromRow(d: StorageDialect, r: BlockSchemaWithTypeRow): BlockSchema {
  const type = Object.fromEntries(BLOCK_TYPE_COLUMNS.map((c) => [c, r[`t_${c}`]]));
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    checksum: r.checksum,
    fields: d.fromJson<Record<string, unknown>>(r.fields) ?? {},
    block_type_id: r.block_type_id,
    block_type: blockTypeFromRow(d, type as unknown as BlockTypeRow),
    capabilities: d.fromJson<string[]>(r.capabilities) ?? [],
    version: r.version,
  };
}

/**
 * Block schemas (Prefect's `api/block_schemas.py`, `models/block_schemas.py`): a type's fields
 * known by their checksum (computed as Prefect computes it) and version. Creating one that is
 * there already answers it (200 instead of 201); nested blocks' types must be registered first
 * (409). Definitions of nested blocks are not stored, as in Prefect; other definitions are. A
 * protected type's schemas cannot be deleted.
 */
import { blockSchemaChecksum, nonBlockReferenceDefinitions } from "../../core/block-checksum.ts";
import type { BlockSchema, BlockSchemaCreate, BlockSchemaFilter } from "../../core/blocks.ts";
import { ConflictError, InvalidRequestError, ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import { blockSchemaFromRow } from "../../storage/block-rows.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import { readBlockTypeRow, readBlockTypeRowBySlug } from "../block-types/queries.ts";
import { ensureSystemBlockTypes } from "../block-types/system-registration.ts";
import * as schemas from "./queries.ts";

const notFound = () => new ObjectNotFoundError("Block schema not found");

/** The fields as stored: definitions of nested blocks left out (dropped when none is left). */
function storedFields(fields: Record<string, unknown>): Record<string, unknown> {
  const definitions = fields.definitions;
  if (!definitions || typeof definitions !== "object" || Object.keys(definitions).length === 0) {
    return fields;
  }
  const kept = nonBlockReferenceDefinitions(fields, definitions as Record<string, unknown>);
  const { definitions: _, ...rest } = fields;
  return Object.keys(kept).length > 0 ? { ...rest, definitions: kept } : rest;
}

/** The block type slugs `block_schema_references` names (a reference may be a list of them). */
function referencedSlugs(fields: Record<string, unknown>): string[] {
  const refs = fields.block_schema_references;
  if (!refs || typeof refs !== "object") return [];
  return Object.values(refs)
    .flatMap((r) => (Array.isArray(r) ? r : [r]))
    .map((r) => (r as { block_type_slug?: unknown } | null)?.block_type_slug)
    .filter((s): s is string => typeof s === "string");
}

/** Create a schema, or answer the one of the same checksum and version (`created: false`). */
export async function createBlockSchema(
  ctx: AppContext,
  input: BlockSchemaCreate,
): Promise<{ schema: BlockSchema; created: boolean }> {
  await ensureSystemBlockTypes(ctx);
  const checksum = blockSchemaChecksum(input.fields);
  const d = ctx.database.dialect;
  const existing = () =>
    schemas.readBlockSchemaRowByChecksum(ctx.database.db, checksum, input.version);
  try {
    const id = await inTransaction(ctx, async ({ db }) => {
      if (!(await readBlockTypeRow(db, input.block_type_id))) {
        throw new ObjectNotFoundError(`Block type ${input.block_type_id} not found.`);
      }
      const found = await schemas.readBlockSchemaRowByChecksum(db, checksum, input.version);
      if (found) return null;
      for (const slug of referencedSlugs(input.fields)) {
        if (!(await readBlockTypeRowBySlug(db, slug))) {
          throw new ConflictError(
            `Cannot create block schema because block type '${slug}' was not found.Did you forget to register the block type?`,
          );
        }
      }
      const now = ctx.clock.nowIso();
      const row = {
        id: uuid4(),
        created: now,
        updated: now,
        checksum,
        fields: d.toJson(storedFields(input.fields)),
        block_type_id: input.block_type_id,
        capabilities: d.toJson(input.capabilities),
        version: input.version,
      };
      await schemas.insertBlockSchemaRow(db, row);
      return row.id;
    });
    if (id === null) {
      const row = await existing();
      if (row) return { schema: blockSchemaFromRow(d, row), created: false };
    }
    return { schema: await readBlockSchema(ctx, id ?? ""), created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const row = await existing();
    if (!row) throw error;
    return { schema: blockSchemaFromRow(d, row), created: false };
  }
}

export async function readBlockSchema(ctx: AppContext, id: string): Promise<BlockSchema> {
  await ensureSystemBlockTypes(ctx);
  const row = await schemas.readBlockSchemaRow(ctx.database.db, id);
  if (!row) throw notFound();
  return blockSchemaFromRow(ctx.database.dialect, row);
}

/** The schema of this checksum and version (the newest of the checksum when no version is given). */
export async function readBlockSchemaByChecksum(
  ctx: AppContext,
  checksum: string,
  version?: string | null,
): Promise<BlockSchema> {
  await ensureSystemBlockTypes(ctx);
  const row = await schemas.readBlockSchemaRowByChecksum(ctx.database.db, checksum, version);
  if (!row) throw notFound();
  return blockSchemaFromRow(ctx.database.dialect, row);
}

export async function filterBlockSchemas(
  ctx: AppContext,
  listing: { block_schemas?: BlockSchemaFilter | null; limit?: number; offset?: number } = {},
): Promise<BlockSchema[]> {
  await ensureSystemBlockTypes(ctx);
  const rows = await schemas.filterBlockSchemaRows(ctx.database, {
    filter: listing.block_schemas,
    limit: listing.limit ?? 200,
    offset: listing.offset ?? 0,
  });
  return rows.map((r) => blockSchemaFromRow(ctx.database.dialect, r));
}

/** Delete a schema (and its documents); a protected type's schemas refuse (403). */
export async function deleteBlockSchema(ctx: AppContext, id: string): Promise<void> {
  await ensureSystemBlockTypes(ctx);
  await inTransaction(ctx, async ({ db }) => {
    const row = await schemas.readBlockSchemaRow(db, id);
    if (!row) throw notFound();
    if (ctx.database.dialect.fromBool(row.t_is_protected)) {
      throw new InvalidRequestError(
        "Block schemas for protected block types cannot be deleted.",
        403,
      );
    }
    await schemas.deleteBlockSchemaRow(db, id);
  });
}

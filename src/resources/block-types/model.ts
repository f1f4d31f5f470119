/**
 * Block types (Prefect's `api/block_types.py`, `models/block_types.py`): created by clients
 * registering a block class (names beginning with "Prefect" are reserved), read by id or slug,
 * listed by name; the system types (`system-registration.ts`) are protected: they cannot be
 * changed or deleted through the API. Deleting a type deletes its schemas and documents.
 */
import type {
  BlockSchemaFilter,
  BlockType,
  BlockTypeCreate,
  BlockTypeFilter,
  BlockTypeUpdate,
} from "../../core/blocks.ts";
import { ConflictError, InvalidRequestError, ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import { blockTypeFromRow } from "../../storage/block-rows.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import * as types from "./queries.ts";
import { ensureSystemBlockTypes, htmlEscape } from "./system-registration.ts";

const notFound = () => new ObjectNotFoundError("Block type not found");

export async function createBlockType(ctx: AppContext, input: BlockTypeCreate): Promise<BlockType> {
  await ensureSystemBlockTypes(ctx);
  if (input.name.toLowerCase().startsWith("prefect")) {
    throw new InvalidRequestError("Block type names beginning with 'Prefect' are reserved.", 403);
  }
  const now = ctx.clock.nowIso();
  const row = {
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name,
    slug: input.slug,
    logo_url: input.logo_url ?? null,
    documentation_url: input.documentation_url ?? null,
    description: htmlEscape(input.description),
    code_example: htmlEscape(input.code_example),
    is_protected: ctx.database.dialect.toBool(false),
  };
  try {
    await inTransaction(ctx, ({ db }) => types.insertBlockTypeRow(db, row));
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`Block type with name "${input.name}" already exists`);
    }
    throw error;
  }
  return blockTypeFromRow(ctx.database.dialect, row);
}

export async function readBlockType(ctx: AppContext, id: string): Promise<BlockType> {
  await ensureSystemBlockTypes(ctx);
  const row = await types.readBlockTypeRow(ctx.database.db, id);
  if (!row) throw notFound();
  return blockTypeFromRow(ctx.database.dialect, row);
}

export async function readBlockTypeBySlug(ctx: AppContext, slug: string): Promise<BlockType> {
  await ensureSystemBlockTypes(ctx);
  const row = await types.readBlockTypeRowBySlug(ctx.database.db, slug);
  if (!row) throw notFound();
  return blockTypeFromRow(ctx.database.dialect, row);
}

export async function filterBlockTypes(
  ctx: AppContext,
  listing: {
    block_types?: BlockTypeFilter | null;
    block_schemas?: BlockSchemaFilter | null;
    limit?: number;
    offset?: number;
  } = {},
): Promise<BlockType[]> {
  await ensureSystemBlockTypes(ctx);
  const rows = await types.filterBlockTypeRows(ctx.database, {
    types: listing.block_types,
    schemas: listing.block_schemas,
    limit: listing.limit ?? 200,
    offset: listing.offset ?? 0,
  });
  return rows.map((r) => blockTypeFromRow(ctx.database.dialect, r));
}

const htmlUnescape = (s: string | null | undefined) =>
  s?.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") ?? s;

/**
 * Change a type's logo, documentation, description or code example. A change that changes
 * nothing is no change (as Prefect's `_should_update_block_type` decides, texts compared
 * unescaped); a protected type refuses any other (403).
 */
export async function updateBlockType(
  ctx: AppContext,
  id: string,
  update: BlockTypeUpdate,
): Promise<void> {
  await ensureSystemBlockTypes(ctx);
  await inTransaction(ctx, async ({ db }) => {
    const row = await types.readBlockTypeRow(db, id);
    if (!row) throw notFound();
    const keys = (["logo_url", "documentation_url", "description", "code_example"] as const).filter(
      (k) => update[k] !== undefined,
    );
    const changed = keys.filter((k) => htmlUnescape(update[k]) !== htmlUnescape(row[k]));
    if (changed.length === 0) return;
    if (ctx.database.dialect.fromBool(row.is_protected)) {
      throw new InvalidRequestError("protected block types cannot be updated.", 403);
    }
    await types.updateBlockTypeRow(db, id, {
      ...Object.fromEntries(keys.map((k) => [k, update[k] ?? null])),
      updated: ctx.clock.nowIso(),
    });
  });
}

/** Delete a type with its schemas and documents; a protected type refuses (403). */
export async function deleteBlockType(ctx: AppContext, id: string): Promise<void> {
  await ensureSystemBlockTypes(ctx);
  await inTransaction(ctx, async ({ db }) => {
    const row = await types.readBlockTypeRow(db, id);
    if (!row) throw notFound();
    if (ctx.database.dialect.fromBool(row.is_protected)) {
      throw new InvalidRequestError("protected block types cannot be deleted.", 403);
    }
    await types.deleteBlockTypeRow(db, id);
  });
}

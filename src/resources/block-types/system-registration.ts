/**
 * The system block types (`core/system-blocks.ts`) registered in a database, as Prefect's server
 * does at start (`run_block_auto_registration`): each type upserted by slug and marked protected,
 * its schema added when no schema of that checksum and version is there. Idempotent, and safe
 * when processes race (a unique violation means the other one wrote it). Done once per database
 * per process, before the first block operation.
 */
import { blockSchemaChecksum } from "../../core/block-checksum.ts";
import { uuid4 } from "../../core/ids.ts";
import { SYSTEM_BLOCKS, type SystemBlock } from "../../core/system-blocks.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import type { Database } from "../../storage/database.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import { encryptionKey } from "../block-documents/encryption.ts";
import { insertBlockSchemaRow, readBlockSchemaRowByChecksum } from "../block-schemas/queries.ts";
import { insertBlockTypeRow, readBlockTypeRowBySlug, updateBlockTypeRow } from "./queries.ts";

/** Python's `html.escape(text, quote=False)`: what Prefect stores a type's texts as. */
export function htmlEscape(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const TEXT_COLUMNS = [
  "name",
  "logo_url",
  "documentation_url",
  "description",
  "code_example",
] as const;

async function registerOne(ctx: AppContext, block: SystemBlock): Promise<void> {
  const d = ctx.database.dialect;
  await inTransaction(ctx, async ({ db }) => {
    const now = ctx.clock.nowIso();
    const values = {
      name: block.type.name,
      logo_url: block.type.logo_url,
      documentation_url: block.type.documentation_url,
      description: htmlEscape(block.type.description),
      code_example: htmlEscape(block.type.code_example),
      is_protected: d.toBool(true),
    };
    let type = await readBlockTypeRowBySlug(db, block.type.slug);
    if (!type) {
      const row = { id: uuid4(), created: now, updated: now, slug: block.type.slug, ...values };
      await insertBlockTypeRow(db, row);
      type = row;
    } else if (
      !d.fromBool(type.is_protected) ||
      TEXT_COLUMNS.some((k) => (type as Record<string, unknown>)[k] !== values[k])
    ) {
      await updateBlockTypeRow(db, type.id, { ...values, updated: now });
    }
    const checksum = blockSchemaChecksum(block.fields);
    if (await readBlockSchemaRowByChecksum(db, checksum, block.version)) return;
    await insertBlockSchemaRow(db, {
      id: uuid4(),
      created: now,
      updated: now,
      checksum,
      fields: d.toJson(block.fields),
      block_type_id: type.id,
      capabilities: d.toJson(block.capabilities),
      version: block.version,
    });
  });
}

/** Register every system block type now (`POST /block_types/install_system_block_types`). */
export async function installSystemBlockTypes(ctx: AppContext): Promise<void> {
  for (const block of SYSTEM_BLOCKS) {
    try {
      await registerOne(ctx, block);
    } catch (error) {
      // another process registered it between our read and our write
      if (!isUniqueViolation(error)) throw error;
      await registerOne(ctx, block);
    }
  }
}

const registered = new WeakMap<Database, Promise<void>>();

/** Register the system block types once per database in this process (later calls wait for it). */
export function ensureSystemBlockTypes(ctx: AppContext): Promise<void> {
  let done = registered.get(ctx.database);
  if (!done) {
    // the key block data is encrypted with is made here too, never as a side effect of a request
    done = installSystemBlockTypes(ctx)
      .then(() => encryptionKey(ctx))
      .then(() => undefined);
    done.catch(() => registered.delete(ctx.database));
    registered.set(ctx.database, done);
  }
  return done;
}

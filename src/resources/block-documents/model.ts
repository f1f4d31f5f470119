/**
 * Block documents (Prefect's `api/block_documents.py`, `models/block_documents.py`): saved values
 * of a block schema, unique by type and name (409 `Block already exists`). Data is held to the
 * schema (422 naming the field), encrypted at rest (`encryption.ts`), and answered with its secret
 * fields masked (`********`) unless secrets are asked for. A value `{"$ref": {"block_document_id":
 * …}}` nests another document: stored as a reference, answered as the nested document's data, with
 * `block_document_references` saying which. An update that sends a masked secret back keeps the
 * secret; it merges into the stored data unless `merge_existing_data` is false.
 */
import { maskSecrets, restoreMaskedSecrets, secretPaths } from "../../core/block-secrets.ts";
import {
  type BlockDocument,
  type BlockDocumentCreate,
  type BlockDocumentListing,
  type BlockDocumentReferenceInfo,
  type BlockDocumentUpdate,
  type BlockSchema,
  isBlockReference,
} from "../../core/blocks.ts";
import { ConflictError, InvalidRequestError, ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import { blockSchemaFromRow } from "../../storage/block-rows.ts";
import type { Db } from "../../storage/database.ts";
import { isUniqueViolation } from "../../storage/database-errors.ts";
import { filterBlockSchemaRows, readBlockSchemaRow } from "../block-schemas/queries.ts";
import { readBlockTypeRow, readBlockTypeRowBySlug } from "../block-types/queries.ts";
import { ensureSystemBlockTypes } from "../block-types/system-registration.ts";
import { blockDataProblem } from "./data-validation.ts";
import { decryptData, encryptData } from "./encryption.ts";
import * as documents from "./queries.ts";

const notFound = () => new ObjectNotFoundError("Block document not found");
const taken = () => new ConflictError("Block already exists");

/** A block document's name: not empty, none of `/ % & > <` (Prefect's pattern). */
const NAME = /^[^/%&><]+$/;

/** The data without references, and the references by field name. */
function separateReferences(data: Record<string, unknown>) {
  const own: Record<string, unknown> = {};
  const references: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    if (isBlockReference(value)) {
      const id = value.$ref.block_document_id;
      if (typeof id !== "string") {
        throw new InvalidRequestError(
          `Received block reference without a block_document_id in key ${key}`,
          422,
        );
      }
      references.push([key, id]);
    } else {
      own[key] = value;
    }
  }
  return { own, references };
}

async function checkData(
  db: Db,
  data: Record<string, unknown>,
  schema: BlockSchema,
  references: readonly [string, string][],
): Promise<void> {
  for (const [key, id] of references) {
    const found = await documents.readBlockDocumentRows(db, [id]);
    if (found.length === 0) {
      throw new ConflictError(`The block document ${id} referenced by '${key}' does not exist.`);
    }
  }
  const problem = await blockDataProblem(data, schema.fields, secretPaths(schema.fields));
  if (problem) throw new InvalidRequestError(problem, 422);
}

async function insertReferences(
  ctx: AppContext,
  db: Db,
  parentId: string,
  references: readonly [string, string][],
): Promise<void> {
  const now = ctx.clock.nowIso();
  for (const [name, id] of references) {
    await documents.insertReferenceRow(db, {
      id: uuid4(),
      created: now,
      updated: now,
      name,
      parent_block_document_id: parentId,
      reference_block_document_id: id,
    });
  }
}

/** Create a document; answered with its secrets masked. */
export async function createBlockDocument(
  ctx: AppContext,
  input: BlockDocumentCreate,
): Promise<BlockDocument> {
  await ensureSystemBlockTypes(ctx);
  const anonymous = input.is_anonymous ?? false;
  if (!anonymous && !input.name)
    throw new InvalidRequestError("Names must be provided for block documents.", 422);
  if (input.name != null && !NAME.test(input.name)) {
    throw new InvalidRequestError("name must not contain any of the characters / % & > <", 422);
  }
  const name = input.name || `anonymous-${uuid4()}`;
  const { own, references } = separateReferences(input.data);
  const token = await encryptData(ctx, own);
  const d = ctx.database.dialect;
  const id = uuid4();
  try {
    await inTransaction(ctx, async ({ db }) => {
      const type = await readBlockTypeRow(db, input.block_type_id);
      if (!type) throw new ObjectNotFoundError("Block type not found");
      const schemaRow = await readBlockSchemaRow(db, input.block_schema_id);
      if (!schemaRow) throw new ObjectNotFoundError("Block schema not found");
      if (schemaRow.block_type_id !== type.id) {
        throw new InvalidRequestError("The block schema is not a schema of the block type.", 422);
      }
      if (await documents.blockDocumentNameTaken(db, type.id, name)) throw taken();
      await checkData(db, input.data, blockSchemaFromRow(d, schemaRow), references);
      const now = ctx.clock.nowIso();
      await documents.insertBlockDocumentRow(db, {
        id,
        created: now,
        updated: now,
        name,
        data: token,
        block_schema_id: schemaRow.id,
        block_type_id: type.id,
        block_type_name: type.name,
        is_anonymous: d.toBool(anonymous),
      });
      await insertReferences(ctx, db, id, references);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
  return readBlockDocument(ctx, id);
}

/** Documents by id with the documents they nest, data decrypted and (unless asked) masked. */
async function hydrate(
  ctx: AppContext,
  ids: readonly string[],
  includeSecrets: boolean,
): Promise<BlockDocument[]> {
  const d = ctx.database.dialect;
  const db = ctx.database.db;
  const rows = new Map((await documents.readBlockDocumentRows(db, ids)).map((r) => [r.id, r]));
  const references = new Map<string, { name: string; id: string }[]>();
  let frontier = [...rows.keys()];
  while (frontier.length > 0) {
    const found = await documents.readReferenceRows(db, frontier);
    const next: string[] = [];
    for (const r of found) {
      const list = references.get(r.parent_block_document_id) ?? [];
      list.push({ name: r.name, id: r.reference_block_document_id });
      references.set(r.parent_block_document_id, list);
      if (!rows.has(r.reference_block_document_id)) next.push(r.reference_block_document_id);
    }
    for (const r of await documents.readBlockDocumentRows(db, [...new Set(next)]))
      rows.set(r.id, r);
    frontier = [...new Set(next)];
  }
  const schemaIds = [...new Set([...rows.values()].map((r) => r.block_schema_id))];
  const schemas = new Map(
    (await filterBlockSchemaRows(ctx.database, { filter: { id: { any_: schemaIds } } })).map(
      (r) => [r.id, blockSchemaFromRow(d, r)],
    ),
  );
  const data = new Map<string, Record<string, unknown>>();
  for (const row of rows.values()) {
    const own = await decryptData(ctx, row.data);
    const schema = schemas.get(row.block_schema_id);
    data.set(
      row.id,
      includeSecrets || !schema ? own : maskSecrets(own, secretPaths(schema.fields)),
    );
  }
  const build = (id: string, seen: ReadonlySet<string>): BlockDocument => {
    const row = rows.get(id);
    const schema = row ? schemas.get(row.block_schema_id) : undefined;
    if (!row || !schema) throw notFound();
    const doc: BlockDocument = {
      id: row.id,
      created: row.created,
      updated: row.updated,
      name: row.name,
      data: { ...(data.get(id) ?? {}) },
      block_schema_id: row.block_schema_id,
      block_schema: schema,
      block_type_id: row.block_type_id,
      block_type_name: row.block_type_name,
      block_type: schema.block_type,
      block_document_references: {},
      is_anonymous: d.fromBool(row.is_anonymous),
    };
    for (const ref of references.get(id) ?? []) {
      if (seen.has(ref.id) || !rows.has(ref.id)) continue;
      const child = build(ref.id, new Set([...seen, ref.id]));
      doc.data[ref.name] = child.data;
      const info: BlockDocumentReferenceInfo = {
        block_document: {
          id: child.id,
          name: child.name,
          block_type: child.block_type,
          is_anonymous: child.is_anonymous,
          block_document_references: child.block_document_references,
        },
      };
      doc.block_document_references[ref.name] = info;
    }
    return doc;
  };
  return ids.filter((id) => rows.has(id)).map((id) => build(id, new Set([id])));
}

export async function readBlockDocument(
  ctx: AppContext,
  id: string,
  options: { includeSecrets?: boolean } = {},
): Promise<BlockDocument> {
  await ensureSystemBlockTypes(ctx);
  const [doc] = await hydrate(ctx, [id], options.includeSecrets ?? false);
  if (!doc) throw notFound();
  return doc;
}

/** The document of this name of the type of this slug (`<slug>/<name>`). */
export async function readBlockDocumentByName(
  ctx: AppContext,
  blockTypeSlug: string,
  name: string,
  options: { includeSecrets?: boolean } = {},
): Promise<BlockDocument> {
  await ensureSystemBlockTypes(ctx);
  const id = await documents.readBlockDocumentIdByName(ctx.database.db, blockTypeSlug, name);
  if (!id) throw notFound();
  return readBlockDocument(ctx, id, options);
}

export async function filterBlockDocuments(
  ctx: AppContext,
  listing: BlockDocumentListing = {},
): Promise<BlockDocument[]> {
  await ensureSystemBlockTypes(ctx);
  const ids = await documents.filterBlockDocumentIds(ctx.database, {
    ...listing,
    limit: listing.limit ?? 200,
  });
  return hydrate(ctx, ids, listing.include_secrets ?? false);
}

export async function countBlockDocuments(
  ctx: AppContext,
  listing: Omit<BlockDocumentListing, "include_secrets" | "sort" | "limit" | "offset"> = {},
): Promise<number> {
  await ensureSystemBlockTypes(ctx);
  return documents.countBlockDocuments(ctx.database, listing);
}

/** The documents of a type (`GET /block_types/slug/{slug}/block_documents`); 404 for an unknown type. */
export async function readBlockDocumentsOfType(
  ctx: AppContext,
  blockTypeSlug: string,
  options: { includeSecrets?: boolean } = {},
): Promise<BlockDocument[]> {
  await ensureSystemBlockTypes(ctx);
  const type = await readBlockTypeRowBySlug(ctx.database.db, blockTypeSlug);
  if (!type) throw new ObjectNotFoundError("Block type not found");
  return filterBlockDocuments(ctx, {
    block_documents: { block_type_id: { any_: [type.id] }, is_anonymous: { eq_: false } },
    include_secrets: options.includeSecrets,
  });
}

export async function updateBlockDocument(
  ctx: AppContext,
  id: string,
  update: BlockDocumentUpdate,
): Promise<void> {
  await ensureSystemBlockTypes(ctx);
  const merge = update.merge_existing_data ?? true;
  const d = ctx.database.dialect;
  await inTransaction(ctx, async ({ db }) => {
    const [row] = await documents.readBlockDocumentRows(db, [id]);
    if (!row) throw notFound();
    const sent = update.data ?? (merge ? undefined : {});
    if (sent === undefined) return;
    const currentSchemaRow = await readBlockSchemaRow(db, row.block_schema_id);
    const current = await decryptData(ctx, row.data);
    const paths = secretPaths(
      currentSchemaRow ? blockSchemaFromRow(d, currentSchemaRow).fields : {},
    );
    const restored = restoreMaskedSecrets(sent, current, paths);
    const data = merge ? { ...current, ...restored } : restored;
    let schemaId = row.block_schema_id;
    const proposed = update.block_schema_id;
    if (proposed && proposed !== row.block_schema_id) {
      const next = await readBlockSchemaRow(db, proposed);
      if (!next) throw new ObjectNotFoundError("Block schema not found");
      if (next.block_type_id !== row.block_type_id) {
        throw new InvalidRequestError(
          "Must migrate block document to a block schema of the same block type.",
          400,
        );
      }
      schemaId = proposed;
    }
    const schemaRow =
      schemaId === row.block_schema_id ? currentSchemaRow : await readBlockSchemaRow(db, schemaId);
    const { own, references } = separateReferences(data);
    if (schemaRow) await checkData(db, data, blockSchemaFromRow(d, schemaRow), references);
    await documents.updateBlockDocumentRow(db, id, {
      data: await encryptData(ctx, own),
      block_schema_id: schemaId,
      updated: ctx.clock.nowIso(),
    });
    const existing = await documents.readReferenceRows(db, [id]);
    const kept = existing.filter((r) =>
      references.some(([name, ref]) => r.name === name && r.reference_block_document_id === ref),
    );
    await documents.deleteReferenceRows(
      db,
      existing.filter((r) => !kept.includes(r)).map((r) => r.id),
    );
    await insertReferences(
      ctx,
      db,
      id,
      references.filter(
        ([name, ref]) =>
          !kept.some((r) => r.name === name && r.reference_block_document_id === ref),
      ),
    );
  });
}

export async function deleteBlockDocument(ctx: AppContext, id: string): Promise<void> {
  await ensureSystemBlockTypes(ctx);
  const deleted = await inTransaction(ctx, ({ db }) => documents.deleteBlockDocumentRow(db, id));
  if (!deleted) throw notFound();
}

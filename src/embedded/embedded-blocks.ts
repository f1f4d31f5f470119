/**
 * Block types, schemas and documents on the local database, for the embedded client: the same
 * models as the server's routes. What the HTTP edge checks with zod (a name's characters) the
 * models check too.
 */
import type {
  BlockSchemaListing,
  BlocksApi,
  BlockTypeListing,
  ReadOptions,
} from "../client/blocks-api.ts";
import {
  type BlockDocument,
  type BlockDocumentCreate,
  type BlockDocumentListing,
  type BlockDocumentUpdate,
  type BlockSchema,
  type BlockSchemaCreate,
  type BlockType,
  type BlockTypeCreate,
  type BlockTypeUpdate,
  DEFAULT_BLOCK_SCHEMA_VERSION,
} from "../core/blocks.ts";
import { readBlockCapabilities } from "../resources/block-capabilities/model.ts";
import * as documents from "../resources/block-documents/model.ts";
import * as schemas from "../resources/block-schemas/model.ts";
import * as types from "../resources/block-types/model.ts";
import type { AppContext } from "../services/context.ts";

export class EmbeddedBlocks implements BlocksApi {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  createBlockType(input: BlockTypeCreate): Promise<BlockType> {
    return types.createBlockType(this.#ctx, input);
  }
  readBlockType(id: string): Promise<BlockType> {
    return types.readBlockType(this.#ctx, id);
  }
  readBlockTypeBySlug(slug: string): Promise<BlockType> {
    return types.readBlockTypeBySlug(this.#ctx, slug);
  }
  listBlockTypes(listing?: BlockTypeListing): Promise<BlockType[]> {
    return types.filterBlockTypes(this.#ctx, listing);
  }
  updateBlockType(id: string, update: BlockTypeUpdate): Promise<void> {
    return types.updateBlockType(this.#ctx, id, update);
  }
  deleteBlockType(id: string): Promise<void> {
    return types.deleteBlockType(this.#ctx, id);
  }

  async createBlockSchema(input: BlockSchemaCreate): Promise<BlockSchema> {
    const { schema } = await schemas.createBlockSchema(this.#ctx, {
      ...input,
      capabilities: input.capabilities ?? [],
      version: input.version ?? DEFAULT_BLOCK_SCHEMA_VERSION,
    });
    return schema;
  }
  readBlockSchema(id: string): Promise<BlockSchema> {
    return schemas.readBlockSchema(this.#ctx, id);
  }
  readBlockSchemaByChecksum(checksum: string, version?: string): Promise<BlockSchema> {
    return schemas.readBlockSchemaByChecksum(this.#ctx, checksum, version);
  }
  listBlockSchemas(listing?: BlockSchemaListing): Promise<BlockSchema[]> {
    return schemas.filterBlockSchemas(this.#ctx, listing);
  }
  deleteBlockSchema(id: string): Promise<void> {
    return schemas.deleteBlockSchema(this.#ctx, id);
  }

  createBlockDocument(input: BlockDocumentCreate): Promise<BlockDocument> {
    return documents.createBlockDocument(this.#ctx, input);
  }
  readBlockDocument(id: string, options?: ReadOptions): Promise<BlockDocument> {
    return documents.readBlockDocument(this.#ctx, id, options);
  }
  readBlockDocumentByName(slug: string, name: string, options?: ReadOptions) {
    return documents.readBlockDocumentByName(this.#ctx, slug, name, options);
  }
  listBlockDocuments(listing?: BlockDocumentListing): Promise<BlockDocument[]> {
    return documents.filterBlockDocuments(this.#ctx, listing);
  }
  countBlockDocuments(listing?: BlockDocumentListing): Promise<number> {
    return documents.countBlockDocuments(this.#ctx, listing);
  }
  updateBlockDocument(id: string, update: BlockDocumentUpdate): Promise<void> {
    return documents.updateBlockDocument(this.#ctx, id, update);
  }
  deleteBlockDocument(id: string): Promise<void> {
    return documents.deleteBlockDocument(this.#ctx, id);
  }

  capabilities(): Promise<string[]> {
    return readBlockCapabilities(this.#ctx);
  }
}

/**
 * Block types, schemas and documents through a client: what `Block.define`'s classes, the CLI and
 * code use. Inputs and answers are Prefect's wire records (`core/blocks.ts`). `HttpBlocks` speaks
 * Prefect's `/block_types`, `/block_schemas`, `/block_documents` and `/block_capabilities` API; the
 * embedded client calls the same models over the local database (`embedded/embedded-blocks.ts`).
 */
import type {
  BlockDocument,
  BlockDocumentCreate,
  BlockDocumentListing,
  BlockDocumentUpdate,
  BlockSchema,
  BlockSchemaCreate,
  BlockSchemaFilter,
  BlockType,
  BlockTypeCreate,
  BlockTypeFilter,
  BlockTypeUpdate,
} from "../core/blocks.ts";
import type { HttpTransport } from "./http-transport.ts";

export interface BlockTypeListing {
  block_types?: BlockTypeFilter | null;
  block_schemas?: BlockSchemaFilter | null;
  limit?: number;
  offset?: number;
}

export interface BlockSchemaListing {
  block_schemas?: BlockSchemaFilter | null;
  limit?: number;
  offset?: number;
}

export interface ReadOptions {
  /** Answer secret fields in the clear (default: masked as `********`). */
  includeSecrets?: boolean;
}

export interface BlocksApi {
  createBlockType(input: BlockTypeCreate): Promise<BlockType>;
  /** `ObjectNotFoundError("Block type not found")` when there is none. */
  readBlockType(id: string): Promise<BlockType>;
  readBlockTypeBySlug(slug: string): Promise<BlockType>;
  listBlockTypes(listing?: BlockTypeListing): Promise<BlockType[]>;
  /** A protected type refuses a change (403 `InvalidRequestError`). */
  updateBlockType(id: string, update: BlockTypeUpdate): Promise<void>;
  deleteBlockType(id: string): Promise<void>;

  /** The schema of this checksum already there is answered as it is. */
  createBlockSchema(input: BlockSchemaCreate): Promise<BlockSchema>;
  readBlockSchema(id: string): Promise<BlockSchema>;
  readBlockSchemaByChecksum(checksum: string, version?: string): Promise<BlockSchema>;
  listBlockSchemas(listing?: BlockSchemaListing): Promise<BlockSchema[]>;
  deleteBlockSchema(id: string): Promise<void>;

  /** A taken name: `ConflictError("Block already exists")`; data the schema refuses: 422. */
  createBlockDocument(input: BlockDocumentCreate): Promise<BlockDocument>;
  readBlockDocument(id: string, options?: ReadOptions): Promise<BlockDocument>;
  readBlockDocumentByName(
    slug: string,
    name: string,
    options?: ReadOptions,
  ): Promise<BlockDocument>;
  listBlockDocuments(listing?: BlockDocumentListing): Promise<BlockDocument[]>;
  countBlockDocuments(
    listing?: Omit<BlockDocumentListing, "include_secrets" | "sort" | "limit" | "offset">,
  ): Promise<number>;
  updateBlockDocument(id: string, update: BlockDocumentUpdate): Promise<void>;
  deleteBlockDocument(id: string): Promise<void>;

  /** Every capability of the registered schemas. */
  capabilities(): Promise<string[]>;
}

const encode = encodeURIComponent;
const secrets = (o?: ReadOptions) => `include_secrets=${o?.includeSecrets ? "true" : "false"}`;

export class HttpBlocks implements BlocksApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  createBlockType(input: BlockTypeCreate): Promise<BlockType> {
    return this.#http.request("POST", "/block_types/", input);
  }
  readBlockType(id: string): Promise<BlockType> {
    return this.#http.request("GET", `/block_types/${encode(id)}`);
  }
  readBlockTypeBySlug(slug: string): Promise<BlockType> {
    return this.#http.request("GET", `/block_types/slug/${encode(slug)}`);
  }
  listBlockTypes(listing: BlockTypeListing = {}): Promise<BlockType[]> {
    return this.#http.request("POST", "/block_types/filter", listing);
  }
  async updateBlockType(id: string, update: BlockTypeUpdate): Promise<void> {
    await this.#http.request("PATCH", `/block_types/${encode(id)}`, update);
  }
  async deleteBlockType(id: string): Promise<void> {
    await this.#http.request("DELETE", `/block_types/${encode(id)}`);
  }

  createBlockSchema(input: BlockSchemaCreate): Promise<BlockSchema> {
    return this.#http.request("POST", "/block_schemas/", input);
  }
  readBlockSchema(id: string): Promise<BlockSchema> {
    return this.#http.request("GET", `/block_schemas/${encode(id)}`);
  }
  readBlockSchemaByChecksum(checksum: string, version?: string): Promise<BlockSchema> {
    const query = version === undefined ? "" : `?version=${encode(version)}`;
    return this.#http.request("GET", `/block_schemas/checksum/${encode(checksum)}${query}`);
  }
  listBlockSchemas(listing: BlockSchemaListing = {}): Promise<BlockSchema[]> {
    return this.#http.request("POST", "/block_schemas/filter", listing);
  }
  async deleteBlockSchema(id: string): Promise<void> {
    await this.#http.request("DELETE", `/block_schemas/${encode(id)}`);
  }

  createBlockDocument(input: BlockDocumentCreate): Promise<BlockDocument> {
    return this.#http.request("POST", "/block_documents/", input);
  }
  readBlockDocument(id: string, options?: ReadOptions): Promise<BlockDocument> {
    return this.#http.request("GET", `/block_documents/${encode(id)}?${secrets(options)}`);
  }
  readBlockDocumentByName(slug: string, name: string, options?: ReadOptions) {
    return this.#http.request<BlockDocument>(
      "GET",
      `/block_types/slug/${encode(slug)}/block_documents/name/${encode(name)}?${secrets(options)}`,
    );
  }
  listBlockDocuments(listing: BlockDocumentListing = {}): Promise<BlockDocument[]> {
    return this.#http.request("POST", "/block_documents/filter", listing);
  }
  countBlockDocuments(listing: BlockDocumentListing = {}): Promise<number> {
    return this.#http.request("POST", "/block_documents/count", listing);
  }
  async updateBlockDocument(id: string, update: BlockDocumentUpdate): Promise<void> {
    await this.#http.request("PATCH", `/block_documents/${encode(id)}`, update);
  }
  async deleteBlockDocument(id: string): Promise<void> {
    await this.#http.request("DELETE", `/block_documents/${encode(id)}`);
  }

  capabilities(): Promise<string[]> {
    return this.#http.request("GET", "/block_capabilities/");
  }
}

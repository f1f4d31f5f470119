/**
 * Blocks as Prefect's API has them (`prefect.server.schemas.core`): block types (a kind of
 * configuration, by slug), block schemas (a JSON Schema of a type's fields, known by checksum and
 * version) and block documents (saved values of a schema, by type and name). Secret fields are
 * named by `fields.secret_fields` (dotted paths, `*` for every key below) and answered as
 * `OBFUSCATED` unless secrets are asked for.
 */

/** What a secret is answered as (Prefect's `obfuscate`). */
export const OBFUSCATED = "********";

/** The version of a block schema registered without one (Prefect's `DEFAULT_BLOCK_SCHEMA_VERSION`). */
export const DEFAULT_BLOCK_SCHEMA_VERSION = "non-versioned";

/** A block schema's `fields`: JSON Schema with Prefect's keys (`block_type_slug`, `secret_fields`, …). */
export type BlockSchemaFields = Record<string, unknown>;

export interface BlockType {
  id: string;
  created: string;
  updated: string;
  name: string;
  slug: string;
  logo_url: string | null;
  documentation_url: string | null;
  description: string | null;
  code_example: string | null;
  /** Registered by the server (`secret`, `local-file-system`, …): cannot be changed or deleted. */
  is_protected: boolean;
}

export interface BlockSchema {
  id: string;
  created: string;
  updated: string;
  checksum: string;
  fields: BlockSchemaFields;
  block_type_id: string;
  block_type: BlockType;
  capabilities: string[];
  version: string;
}

/** What a nested block document is known by in its parent (`block_document_references`). */
export interface BlockDocumentReferenceInfo {
  block_document: {
    id: string;
    name: string;
    block_type: BlockType;
    is_anonymous: boolean;
    block_document_references: Record<string, BlockDocumentReferenceInfo>;
  };
}

export interface BlockDocument {
  id: string;
  created: string;
  updated: string;
  name: string;
  data: Record<string, unknown>;
  block_schema_id: string;
  block_schema: BlockSchema;
  block_type_id: string;
  block_type_name: string | null;
  block_type: BlockType;
  block_document_references: Record<string, BlockDocumentReferenceInfo>;
  is_anonymous: boolean;
}

export interface BlockTypeCreate {
  name: string;
  slug: string;
  logo_url?: string | null;
  documentation_url?: string | null;
  description?: string | null;
  code_example?: string | null;
}

export interface BlockTypeUpdate {
  logo_url?: string | null;
  documentation_url?: string | null;
  description?: string | null;
  code_example?: string | null;
}

export interface BlockSchemaCreate {
  fields: BlockSchemaFields;
  block_type_id: string;
  capabilities: string[];
  version: string;
}

export interface BlockDocumentCreate {
  name?: string | null;
  data: Record<string, unknown>;
  block_schema_id: string;
  block_type_id: string;
  is_anonymous?: boolean;
}

export interface BlockDocumentUpdate {
  block_schema_id?: string | null;
  data?: Record<string, unknown>;
  /** Merge `data` into what is stored (default), or replace it. */
  merge_existing_data?: boolean;
}

export interface BlockTypeFilter {
  name?: { like_?: string | null } | null;
  slug?: { any_?: string[] | null } | null;
}

export interface BlockSchemaFilter {
  operator?: "and_" | "or_";
  block_type_id?: { any_?: string[] | null } | null;
  block_capabilities?: { all_?: string[] | null } | null;
  id?: { any_?: string[] | null } | null;
  version?: { any_?: string[] | null } | null;
}

export interface BlockDocumentFilter {
  operator?: "and_" | "or_";
  id?: { any_?: string[] | null } | null;
  is_anonymous?: { eq_?: boolean | null } | null;
  block_type_id?: { any_?: string[] | null } | null;
  name?: { any_?: string[] | null; like_?: string | null } | null;
}

export const BlockDocumentSort = {
  NAME_DESC: "NAME_DESC",
  NAME_ASC: "NAME_ASC",
  BLOCK_TYPE_AND_NAME_ASC: "BLOCK_TYPE_AND_NAME_ASC",
} as const;
export type BlockDocumentSort = (typeof BlockDocumentSort)[keyof typeof BlockDocumentSort];

/** How block documents are listed (`POST /block_documents/filter`). */
export interface BlockDocumentListing {
  block_documents?: BlockDocumentFilter | null;
  block_types?: BlockTypeFilter | null;
  block_schemas?: BlockSchemaFilter | null;
  include_secrets?: boolean;
  sort?: BlockDocumentSort | null;
  offset?: number;
  limit?: number;
}

/** The slug of a block type name, as Prefect's `slugify` makes it (`Local File System` → `local-file-system`). */
export function blockTypeSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['"]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** A block document's data with `$ref`s to other documents: what a reference is sent as. */
export function blockReference(blockDocumentId: string): { $ref: { block_document_id: string } } {
  return { $ref: { block_document_id: blockDocumentId } };
}

/** Whether a data value is a reference to another block document (`{"$ref": {...}}`). */
export function isBlockReference(
  value: unknown,
): value is { $ref: { block_document_id?: unknown } } {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    "$ref" in value &&
    typeof (value as { $ref: unknown }).$ref === "object" &&
    (value as { $ref: unknown }).$ref !== null
  );
}

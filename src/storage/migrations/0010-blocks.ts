import type { Migration } from "./column-types.ts";

/**
 * Blocks, with Prefect's tables and columns:
 *
 * - `block_type`: unique by name and by slug; `is_protected` for the types the server registers.
 * - `block_schema`: a type's JSON Schema (`fields`), unique by checksum and version; deleting a
 *   type deletes its schemas (and their documents).
 * - `block_document`: saved values, unique by type and name. `data` is the document's data without
 *   references to other documents, encrypted as Prefect encrypts it (a Fernet token, with the key
 *   of `PREFECT_SERVER_ENCRYPTION_KEY` or the one kept in `configuration`).
 * - `block_document_reference`: a document nested in another under a field name; deleting either
 *   deletes the reference.
 * - `configuration`: Prefect's key/value table (`ENCRYPTION_KEY`).
 */
export const blocksMigration: Migration = {
  id: 10,
  name: "blocks",
  statements: (t) => [
    `CREATE TABLE block_type (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      slug ${t.text} NOT NULL,
      logo_url ${t.text},
      documentation_url ${t.text},
      description ${t.text},
      code_example ${t.text},
      is_protected ${t.bool} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_block_type__name ON block_type (name)",
    "CREATE UNIQUE INDEX uq_block_type__slug ON block_type (slug)",
    `CREATE TABLE block_schema (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      checksum ${t.text} NOT NULL,
      fields ${t.json} NOT NULL,
      block_type_id ${t.uuid} NOT NULL REFERENCES block_type (id) ON DELETE CASCADE,
      capabilities ${t.json} NOT NULL,
      version ${t.text} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_block_schema__checksum_version ON block_schema (checksum, version)",
    "CREATE INDEX ix_block_schema__block_type_id ON block_schema (block_type_id)",
    "CREATE INDEX ix_block_schema__created ON block_schema (created)",
    `CREATE TABLE block_document (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      data ${t.text} NOT NULL,
      block_schema_id ${t.uuid} NOT NULL REFERENCES block_schema (id) ON DELETE CASCADE,
      block_type_id ${t.uuid} NOT NULL REFERENCES block_type (id) ON DELETE CASCADE,
      block_type_name ${t.text},
      is_anonymous ${t.bool} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_block__type_id_name ON block_document (block_type_id, name)",
    "CREATE INDEX ix_block_document__block_schema_id ON block_document (block_schema_id)",
    "CREATE INDEX ix_block_document__is_anonymous ON block_document (is_anonymous)",
    "CREATE INDEX ix_block_document__name ON block_document (name)",
    `CREATE TABLE block_document_reference (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      parent_block_document_id ${t.uuid} NOT NULL REFERENCES block_document (id) ON DELETE CASCADE,
      reference_block_document_id ${t.uuid} NOT NULL REFERENCES block_document (id) ON DELETE CASCADE
    )`,
    "CREATE UNIQUE INDEX uq_block_document_reference__parent_name ON block_document_reference (parent_block_document_id, name)",
    "CREATE INDEX ix_block_document_reference__reference_id ON block_document_reference (reference_block_document_id)",
    `CREATE TABLE configuration (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      key ${t.text} NOT NULL,
      value ${t.json} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_configuration__key ON configuration (key)",
  ],
};

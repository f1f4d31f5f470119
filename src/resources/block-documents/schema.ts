/**
 * The HTTP edge of `/block_documents`: `BlockDocumentCreate`, `BlockDocumentUpdate`, the filter and
 * count bodies (Prefect's `BlockDocumentFilter`, whose `is_anonymous` defaults to `{"eq_": false}`
 * when left out) and `BlockDocument` as answered.
 */
import { z } from "zod";
import {
  JsonObject,
  LikePattern,
  nullAsAbsent,
  orDefault,
  Uuid,
} from "../../server/schemas/common.ts";
import { LimitSchema, OperatorSchema } from "../../server/schemas/filters.ts";
import { id, json, time } from "../../server/schemas/responses.ts";
import { BlockSchemaResponse } from "../block-schemas/schema.ts";
import {
  BlockName,
  BlockSchemaFilterSchema,
  BlockTypeFilterSchema,
  BlockTypeResponse,
  offset,
} from "../block-types/schema.ts";

export const BlockDocumentCreateSchema = z
  .strictObject({
    name: BlockName.nullish(),
    data: orDefault(JsonObject, () => ({})),
    block_schema_id: Uuid,
    block_type_id: Uuid,
    is_anonymous: orDefault(z.boolean(), () => false),
  })
  .meta({ id: "BlockDocumentCreate" });

export const BlockDocumentUpdateSchema = z
  .strictObject({
    block_schema_id: Uuid.nullish(),
    data: nullAsAbsent(JsonObject),
    merge_existing_data: orDefault(z.boolean(), () => true),
  })
  .meta({ id: "BlockDocumentUpdate" });

/** Left out: anonymous documents are not listed; `null`: they are. */
const IsAnonymous = z
  .strictObject({ eq_: z.boolean().nullish() })
  .nullish()
  .transform((v) => (v === undefined ? { eq_: false } : v));

export const BlockDocumentFilterSchema = z
  .strictObject({
    operator: orDefault(OperatorSchema, () => "and_" as const),
    id: z.strictObject({ any_: z.array(Uuid).nullish() }).nullish(),
    is_anonymous: IsAnonymous,
    block_type_id: z.strictObject({ any_: z.array(Uuid).nullish() }).nullish(),
    name: z
      .strictObject({ any_: z.array(z.string()).nullish(), like_: LikePattern.nullish() })
      .nullish(),
  })
  .meta({ id: "BlockDocumentFilter" });

export const BlockDocumentSortSchema = z
  .enum(["NAME_DESC", "NAME_ASC", "BLOCK_TYPE_AND_NAME_ASC"])
  .meta({ id: "BlockDocumentSort" });

/** `POST /block_documents/count`. */
export const BlockDocumentsCountBodySchema = z.object({
  block_documents: nullAsAbsent(BlockDocumentFilterSchema),
  block_types: nullAsAbsent(BlockTypeFilterSchema),
  block_schemas: nullAsAbsent(BlockSchemaFilterSchema),
});

/** `POST /block_documents/filter`. */
export const BlockDocumentsFilterBodySchema = BlockDocumentsCountBodySchema.extend({
  include_secrets: orDefault(z.boolean(), () => false),
  sort: orDefault(BlockDocumentSortSchema, () => "NAME_ASC" as const),
  limit: LimitSchema,
  offset,
});

export const BlockDocumentResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    data: json,
    block_schema_id: id,
    block_schema: BlockSchemaResponse,
    block_type_id: id,
    block_type_name: z.string().nullable(),
    block_type: BlockTypeResponse,
    block_document_references: z.record(z.string(), json),
    is_anonymous: z.boolean(),
  })
  .meta({ id: "BlockDocument" });

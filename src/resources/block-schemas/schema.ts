/** The HTTP edge of `/block_schemas`: `BlockSchemaCreate`, the filter body and `BlockSchema` as answered. */
import { z } from "zod";
import { DEFAULT_BLOCK_SCHEMA_VERSION } from "../../core/blocks.ts";
import { JsonObject, nullAsAbsent, orDefault, Uuid } from "../../server/schemas/common.ts";
import { LimitSchema } from "../../server/schemas/filters.ts";
import { id, json, time } from "../../server/schemas/responses.ts";
import { BlockSchemaFilterSchema, BlockTypeResponse, offset } from "../block-types/schema.ts";

export const BlockSchemaCreateSchema = z
  .strictObject({
    fields: orDefault(JsonObject, () => ({})),
    block_type_id: Uuid,
    capabilities: orDefault(z.array(z.string()), () => []),
    version: orDefault(z.string(), () => DEFAULT_BLOCK_SCHEMA_VERSION),
  })
  .meta({ id: "BlockSchemaCreate" });

/** `POST /block_schemas/filter`. */
export const BlockSchemasFilterBodySchema = z.object({
  block_schemas: nullAsAbsent(BlockSchemaFilterSchema),
  limit: LimitSchema,
  offset,
});

export const BlockSchemaResponse = z
  .object({
    id,
    created: time,
    updated: time,
    checksum: z.string(),
    fields: json,
    block_type_id: id,
    block_type: BlockTypeResponse,
    capabilities: z.array(z.string()),
    version: z.string(),
  })
  .meta({ id: "BlockSchema" });

/**
 * The HTTP edge of `/block_types`: `BlockTypeCreate`, `BlockTypeUpdate`, the filter body (with
 * Prefect's `BlockTypeFilter` and `BlockSchemaFilter`), and `BlockType` as answered.
 */
import { z } from "zod";
import {
  indexedText,
  LikePattern,
  nullAsAbsent,
  orDefault,
  Uuid,
} from "../../server/schemas/common.ts";
import { LimitSchema, OperatorSchema } from "../../server/schemas/filters.ts";
import { id, time } from "../../server/schemas/responses.ts";

/** A block type's or document's name: none of `/ % & > <` (Prefect's pattern). */
export const BlockName = indexedText().regex(/^[^/%&><]+$/, {
  message: "String should match pattern '^[^/%&><]+$'",
});

const text = z.string().nullish();
export const offset = orDefault(z.number().int().min(0), () => 0);

export const BlockTypeFilterSchema = z
  .strictObject({
    name: z.strictObject({ like_: LikePattern.nullish() }).nullish(),
    slug: z.strictObject({ any_: z.array(z.string()).nullish() }).nullish(),
  })
  .meta({ id: "BlockTypeFilter" });

export const BlockSchemaFilterSchema = z
  .strictObject({
    operator: orDefault(OperatorSchema, () => "and_" as const),
    block_type_id: z.strictObject({ any_: z.array(Uuid).nullish() }).nullish(),
    block_capabilities: z.strictObject({ all_: z.array(z.string()).nullish() }).nullish(),
    id: z.strictObject({ any_: z.array(Uuid).nullish() }).nullish(),
    version: z.strictObject({ any_: z.array(z.string()).nullish() }).nullish(),
  })
  .meta({ id: "BlockSchemaFilter" });

export const BlockTypeCreateSchema = z
  .strictObject({
    name: BlockName,
    slug: indexedText().min(1),
    logo_url: text,
    documentation_url: text,
    description: text,
    code_example: text,
  })
  .meta({ id: "BlockTypeCreate" });

export const BlockTypeUpdateSchema = z
  .strictObject({
    logo_url: text,
    documentation_url: text,
    description: text,
    code_example: text,
  })
  .meta({ id: "BlockTypeUpdate" });

/** `POST /block_types/filter`. */
export const BlockTypesFilterBodySchema = z.object({
  block_types: nullAsAbsent(BlockTypeFilterSchema),
  block_schemas: nullAsAbsent(BlockSchemaFilterSchema),
  limit: LimitSchema,
  offset,
});

export const BlockTypeResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    slug: z.string(),
    logo_url: z.string().nullable(),
    documentation_url: z.string().nullable(),
    description: z.string().nullable(),
    code_example: z.string().nullable(),
    is_protected: z.boolean(),
  })
  .meta({ id: "BlockType" });

/** `include_secrets` of a query string (`true`/`false`, as FastAPI reads a bool). */
export const IncludeSecretsQuery = z.object({
  include_secrets: z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off", "True", "False"])
    .optional()
    .transform((v) => v !== undefined && ["true", "1", "yes", "on", "True"].includes(v)),
});

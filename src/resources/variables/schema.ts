/**
 * The HTTP edge of `/variables`: Prefect's `VariableCreate`, `VariableUpdate`, the filter and
 * count bodies (`VariableFilter`, `VariableSort`), and `Variable` as answered. Names and values
 * are held to Prefect's rules (`core/variables.ts`): a refusal is a 422 naming the field, with
 * Prefect's message.
 */
import { z } from "zod";
import type * as core from "../../core/variables.ts";
import {
  MAX_VARIABLE_NAME_LENGTH,
  variableNameProblem,
  variableValueProblem,
} from "../../core/variables.ts";
import {
  type Agrees,
  jsonDepthWithin,
  LikePattern,
  nullAsAbsent,
  orDefault,
  Tags,
  Uuid,
} from "../../server/schemas/common.ts";
import { LimitSchema, OperatorSchema } from "../../server/schemas/filters.ts";
import { id, time } from "../../server/schemas/responses.ts";

/** Prefect's `VariableName`: at most 255 characters, lowercase letters, digits, `-` and `_`. */
export const VariableNameSchema = z
  .string()
  .max(MAX_VARIABLE_NAME_LENGTH)
  .refine((name) => variableNameProblem(name) === null, {
    message:
      "Variable name must only contain lowercase letters, numbers, and dashes or underscores.",
  });

/**
 * Prefect's `StrictVariableValue`: any JSON value whose JSON text is at most 5,000 characters
 * (`null` included); required where the field is (a missing one is pydantic's `missing`).
 */
function variableValue(required: boolean) {
  return z.unknown().superRefine((value, ctx) => {
    if (value === undefined) {
      if (required) {
        ctx.addIssue({ code: "invalid_type", expected: "nonoptional", input: value });
      }
      return;
    }
    const problem = jsonDepthWithin(value)
      ? variableValueProblem(value)
      : "Variable value nests too deep";
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  });
}

export const VariableCreateSchema = z
  .strictObject({ name: VariableNameSchema, value: variableValue(true), tags: Tags })
  .meta({ id: "VariableCreate" });

/** A field left out keeps its value; `value: null` sets it to JSON `null`. */
export const VariableUpdateSchema = z
  .strictObject({
    name: nullAsAbsent(VariableNameSchema),
    value: variableValue(false).optional(),
    tags: nullAsAbsent(z.array(z.string())),
  })
  .meta({ id: "VariableUpdate" });

const operator = orDefault(OperatorSchema, () => "and_" as const);
const strings = z.array(z.string()).nullish();

export const VariableFilterSchema = z.strictObject({
  operator,
  id: z.strictObject({ any_: z.array(Uuid).nullish() }).nullish(),
  name: z.strictObject({ any_: strings, like_: LikePattern.nullish() }).nullish(),
  tags: z.strictObject({ operator, all_: strings, is_null_: z.boolean().nullish() }).nullish(),
});

export const VariableSortSchema = z.enum(["CREATED_DESC", "UPDATED_DESC", "NAME_DESC", "NAME_ASC"]);

export const VariablesCountBodySchema = z.object({ variables: VariableFilterSchema.nullish() });
export const VariablesFilterBodySchema = z.object({
  variables: VariableFilterSchema.nullish(),
  sort: orDefault(VariableSortSchema, () => "NAME_ASC" as const),
  limit: LimitSchema,
  offset: orDefault(z.number().int().min(0), () => 0),
});

export const NameParams = z.object({ name: z.string() });

export const VariableResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    value: z.unknown(),
    tags: z.array(z.string()),
  })
  .meta({ id: "Variable" });

const agreement: [
  Agrees<typeof VariableFilterSchema, core.VariableFilter>,
  Agrees<typeof VariableSortSchema, core.VariableSort>,
  Agrees<typeof VariablesCountBodySchema, core.VariablesQuery>,
] = [true, true, true];
void agreement;

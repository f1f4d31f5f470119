/** Building blocks of the REST API's request schemas (zod 4), shaped after Prefect's pydantic models. */
import { z } from "zod";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";

export const Uuid = z.uuid();
export const DateTimeString = z.iso.datetime({ offset: true, local: true });
export const StateTypeSchema = z.enum(ALL_STATE_TYPES as [StateType, ...StateType[]]);
export const Tags = z.array(z.string()).default([]);
export const Labels = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .default({});
export const JsonObject = z.record(z.string(), z.unknown());

/** A body that may be left out entirely (Prefect's filter routes): a missing body is `{}`. */
export function optionalBody<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => value ?? {}, schema);
}

/**
 * Whether a schema agrees with a domain type (checked at compile time, `const x: Agrees<…> =
 * true`): what the schema parses is a value of the type, and every value of the type is one the
 * schema takes.
 */
export type Agrees<S extends z.ZodType, T> = [z.output<S>] extends [T]
  ? [T] extends [z.input<S>]
    ? true
    : false
  : false;

/** Building blocks of the REST API's request schemas (zod 4), shaped after Prefect's pydantic models. */
import { z } from "zod";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";

export const Uuid = z.uuid();
/** The instants a timestamp may name: years 1 to 9999 in UTC (what both databases and Prefect hold). */
const EARLIEST_MS = Date.parse("0001-01-01T00:00:00Z");
const LATEST_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether an ISO 8601 date-time (a naive one is UTC) falls in years 1 to 9999, in UTC. */
function inTimestampRange(iso: string): boolean {
  const ms = Date.parse(/(Z|[+-]\d\d(:?\d\d)?)$/i.test(iso) ? iso : `${iso}Z`);
  return !Number.isNaN(ms) && ms >= EARLIEST_MS && ms <= LATEST_MS;
}

export const DateTimeString = z.iso
  .datetime({ offset: true, local: true })
  .refine(inTimestampRange, { message: "Input should be a datetime in the years 1 to 9999 (UTC)" });
export const StateTypeSchema = z.enum(ALL_STATE_TYPES as [StateType, ...StateType[]]);

/**
 * An optional body field whose `null` means its default, as Prefect reads its bodies (the Python
 * client sends `"sort": null`, `"offset": null`, … for "the default"): missing or `null` →
 * `fallback()`. Every optional field of every request body is either this, `nullAsAbsent`, or
 * nullable with `null` a value of its own (`test/api/optional-null.test.ts` holds every route to it).
 */
export function orDefault<T extends z.ZodType>(schema: T, fallback: () => z.output<NoInfer<T>>) {
  return schema
    .nullish()
    .default(() => fallback() as z.core.util.NoUndefined<z.output<T>>)
    .transform((value): z.output<T> => value ?? fallback());
}

/** An optional field without a default (a change left out): `null` is the same as leaving it out. */
export function nullAsAbsent<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value): z.output<T> | undefined => value ?? undefined);
}

export const Tags = orDefault(z.array(z.string()), () => []);
export const Labels = orDefault(
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  () => ({}),
);

/** PostgreSQL's `integer`: what an integer stored in an `INTEGER` column (a log level) may be. */
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;
export const Int4 = z.number().int().min(INT4_MIN).max(INT4_MAX);

/**
 * The longest text of an indexed column, in UTF-8 bytes: PostgreSQL's btree holds an index entry
 * of at most 2,704 bytes (text that does not compress takes its full size), so an indexed text
 * must stay well below it — on both databases alike. Prefect sets no limit (and fails there).
 */
export const INDEXED_TEXT_MAX_BYTES = 2000;

/** A string of at most `maxBytes` characters and UTF-8 bytes (a name, a key: indexed). */
export function indexedText(maxBytes = INDEXED_TEXT_MAX_BYTES) {
  return z
    .string()
    .max(maxBytes)
    .refine((s) => Buffer.byteLength(s, "utf8") <= maxBytes, {
      message: `String should have at most ${maxBytes} bytes as UTF-8`,
    });
}

/**
 * The longest `like_` of a filter, in characters: SQLite refuses a LIKE pattern over 50,000 bytes
 * (4 bytes a character at most, plus the `%` around it).
 */
export const LIKE_MAX_LENGTH = 10_000;
export const LikePattern = z.string().max(LIKE_MAX_LENGTH);

/**
 * How deep a free-form JSON value (parameters, context, state data, an event's payload) may nest:
 * deeper values cannot be written back as JSON reliably (the serialiser's stack), nor read by
 * SQLite's JSON functions (1,000 levels).
 */
export const MAX_JSON_DEPTH = 500;

/** Whether `value` nests at most `max` arrays and objects deep (iterative: any depth). */
export function jsonDepthWithin(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== "object") return true;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > max) return false;
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const child of children) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return true;
}

const depthMessage = `JSON may nest at most ${MAX_JSON_DEPTH} levels deep`;

/** Any JSON value nested at most `MAX_JSON_DEPTH` deep. */
export const JsonValue = z.unknown().refine((v) => jsonDepthWithin(v), { message: depthMessage });
/** A JSON object nested at most `MAX_JSON_DEPTH` deep. */
export const JsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => jsonDepthWithin(v), { message: depthMessage });

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

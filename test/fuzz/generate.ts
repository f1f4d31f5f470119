/**
 * A small seeded generator of requests for the API fuzz suite: values built from a route's JSON
 * Schema (as `/api/openapi.json` documents it), then mutated the ways a user or a broken client
 * mutates them — NUL characters, lone surrogates, huge strings, huge, negative and fractional
 * numbers, wrong types, deep nesting, extra keys, nulls, huge arrays, empty bodies, text that is
 * not JSON and content types that are not JSON. Everything follows from the seed.
 */

/** A seeded pseudo-random source (mulberry32). */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** JSON text put into a body as it is (a nesting too deep for `JSON.stringify` to write). */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A value as JSON text; `RawJson` parts are written as they are. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const parts = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

type Schema = Record<string, unknown>;

/** Ids of stored objects the generator mixes in, so that requests reach past "not found". */
export interface KnownIds {
  uuids: string[];
  names: string[];
}

const FAR_UUID = "00000000-0000-4000-8000-000000000000";
const DATES = [
  "2026-01-01T00:00:00Z",
  "2025-06-30T12:34:56.789+02:00",
  "2026-12-31T23:59:59.999999Z",
];

function resolve(schema: Schema, doc: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.split("/").at(-1) ?? "";
  const components = (doc.components as { schemas?: Record<string, Schema> } | undefined)?.schemas;
  return resolve(components?.[name] ?? {}, doc);
}

/** A value the schema describes (valid as far as the schema tells), `depth` levels deep at most. */
export function sample(
  schemaIn: Schema,
  doc: Schema,
  rng: Random,
  known: KnownIds,
  depth = 0,
): unknown {
  const schema = resolve(schemaIn, doc);
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants && variants.length > 0) {
    // prefer the non-null variant: null is one of the mutations
    const nonNull = variants.filter((v) => v.type !== "null");
    return sample(rng.pick(nonNull.length ? nonNull : variants), doc, rng, known, depth);
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return rng.pick(schema.enum);
  if ("const" in schema) return schema.const;
  let type = schema.type;
  if (Array.isArray(type)) type = rng.pick(type.filter((t) => t !== "null")) ?? "null";
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [key, prop] of Object.entries(props)) {
        if (required.has(key) || (depth < 4 && rng.chance(0.5))) {
          out[key] = sample(prop, doc, rng, known, depth + 1);
        }
      }
      const extra = schema.additionalProperties;
      if (extra && typeof extra === "object" && Object.keys(props).length === 0) {
        for (let i = rng.int(3); i > 0; i--) {
          out[`k${rng.int(100)}`] = sample(extra as Schema, doc, rng, known, depth + 1);
        }
      }
      return out;
    }
    case "array": {
      if (Array.isArray(schema.prefixItems)) {
        return (schema.prefixItems as Schema[]).map((s) => sample(s, doc, rng, known, depth + 1));
      }
      const items = (schema.items ?? {}) as Schema;
      const n = depth > 4 ? 0 : rng.int(3) + ((schema.minItems as number | undefined) ?? 0);
      return Array.from({ length: n }, () => sample(items, doc, rng, known, depth + 1));
    }
    case "string": {
      if (schema.format === "uuid") return rng.chance(0.7) ? rng.pick(known.uuids) : FAR_UUID;
      if (schema.format === "date-time" || String(schema.pattern ?? "").includes("-02-29")) {
        return rng.pick(DATES);
      }
      if (rng.chance(0.3) && known.names.length) return rng.pick(known.names);
      return `s${rng.int(1000)}`;
    }
    case "integer": {
      const min = (schema.minimum as number | undefined) ?? 0;
      const max = (schema.maximum as number | undefined) ?? min + 100;
      return min + rng.int(Math.max(1, Math.min(max - min, 1000) + 1));
    }
    case "number":
      return rng.int(100) / 4;
    case "boolean":
      return rng.chance(0.5);
    case "null":
      return null;
    default:
      return depth > 3 ? null : { a: rng.int(10) };
  }
}

/** A random incompressible string of `n` characters, some of them beyond ASCII. */
function noise(rng: Random, n: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.é日本😀";
  const chars = [...alphabet];
  let out = "";
  for (let i = 0; i < n; i++) out += chars[rng.int(chars.length)];
  return out;
}

/** Replacement values for a spot of a body: each a way input goes wrong. */
export const LEAF_MUTATIONS: readonly [string, (rng: Random) => unknown][] = [
  ["nul", () => "a\u0000b"],
  ["lone surrogate", (rng) => rng.pick(["\ud800", "x\udfffy", "\udbff"])],
  ["huge string", (rng) => "x".repeat(rng.pick([2_001, 50_000, 100_000]))],
  ["huge noise string", (rng) => noise(rng, rng.pick([1_300, 3_000, 12_000]))],
  ["like-sized string", () => "%_".repeat(25_000)],
  ["empty string", () => ""],
  ["huge number", (rng) => rng.pick([2 ** 31, 2 ** 40, 2 ** 63, 1e308, Number.MAX_SAFE_INTEGER])],
  ["negative number", (rng) => rng.pick([-1, -(2 ** 31) - 1, -(2 ** 63), -1e308])],
  ["fraction", (rng) => rng.pick([0.5, 1e-9, -0.1, 123.456])],
  ["wrong type", (rng) => rng.pick([true, 0, "str", [], {}, [1, "a"], { x: 1 }])],
  ["null", () => null],
  ["deep array", (rng) => deepArray(rng.pick([600, 2_000, 100_000]))],
  ["deep object", (rng) => deepObject(rng.pick([600, 2_000, 20_000]))],
  ["huge array", (rng) => Array.from({ length: rng.pick([501, 70_000]) }, (_, i) => `v${i}`)],
  ["huge uuid array", (rng) => Array.from({ length: rng.pick([501, 70_000]) }, () => FAR_UUID)],
  [
    "odd date",
    (rng) =>
      rng.pick([
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",
        "2026-02-30T00:00:00Z",
        "yesterday",
      ]),
  ],
  ["odd key", () => ({ "\ud800": 1, "a\u0000": 2, __proto__x: 3 })],
];

function deepArray(n: number): RawJson {
  return new RawJson(`${"[".repeat(n)}${"]".repeat(n)}`);
}

function deepObject(n: number): RawJson {
  return new RawJson(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`);
}

const byName = new Map(LEAF_MUTATIONS);

/** A mutation of the same kind as `current` (a number for a number, a date for a date). */
function fitting(current: unknown, rng: Random): [string, (rng: Random) => unknown] {
  const names =
    typeof current === "number"
      ? ["huge number", "negative number", "fraction"]
      : typeof current === "string" && /^\d{4}-\d\d-\d\dT/.test(current)
        ? ["odd date"]
        : typeof current === "string"
          ? ["nul", "lone surrogate", "huge string", "huge noise string", "like-sized string"]
          : Array.isArray(current)
            ? ["huge array", "huge uuid array", "deep array"]
            : ["deep object", "odd key", "wrong type", "null"];
  const name = rng.pick(names);
  return [name, byName.get(name) as (rng: Random) => unknown];
}

/** Every spot of a value (paths to its leaves and containers). */
function spots(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(path);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) spots(v, [...path, i], out);
  } else if (value !== null && typeof value === "object" && !(value instanceof RawJson)) {
    for (const [k, v] of Object.entries(value)) spots(v, [...path, k], out);
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: unknown = Array.isArray(root) ? [...root] : { ...(root as object) };
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const container = copy as Record<string | number, unknown>;
  container[head] = setAt(container[head], rest, value);
  return copy;
}

export interface Mutated {
  value: unknown;
  what: string;
}

/** `value` with one to three spots replaced by a mutation, or a key added. */
export function mutate(value: unknown, rng: Random): Mutated {
  let out = value;
  const whats: string[] = [];
  // mostly one mutation: a request wrong in one way reaches further than one wrong in three
  for (let n = rng.chance(0.6) ? 1 : 2 + rng.int(2); n > 0; n--) {
    const all = spots(out);
    const at = rng.pick(all);
    if (rng.chance(0.15)) {
      // an extra key (a NUL or surrogate one now and then) where there is an object
      const target = at.reduce<unknown>(
        (v, k) => (v as Record<string | number, unknown>)?.[k],
        out,
      );
      if (target !== null && typeof target === "object" && !Array.isArray(target)) {
        const key = rng.pick(["extra", "\u0000", "\udc00", "x".repeat(3000)]);
        out = setAt(out, [...at, key], rng.pick([1, "v", null]));
        whats.push(`extra key at ${JSON.stringify(at)}`);
        continue;
      }
    }
    const current = at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], out);
    const [name, make] = rng.chance(0.5) ? fitting(current, rng) : rng.pick(LEAF_MUTATIONS);
    out = setAt(out, at, make(rng));
    whats.push(`${name} at ${JSON.stringify(at)}`);
  }
  return { value: out, what: whats.join(", ") };
}

/** A path parameter: mostly a known id, sometimes a wrong one. */
export function pathValue(rng: Random, known: KnownIds, isId: boolean): [string, string] {
  const choices: [string, () => string][] = [
    [
      "known",
      () => (isId ? rng.pick(known.uuids) : rng.pick(known.names.length ? known.names : ["x"])),
    ],
    ["unknown uuid", () => FAR_UUID],
    ["not a uuid", () => "not-a-uuid"],
    ["nul", () => "a%00b"],
    ["bad utf-8", () => "a%ED%A0%80b"],
    ["huge", () => "x".repeat(rng.pick([200, 9_000]))],
    ["encoded slash", () => "a%2Fb"],
    ["countable", () => rng.pick(["day", "time", "event", "resource", "weekday"])],
  ];
  const [what, make] = rng.chance(0.6) ? (choices[0] as [string, () => string]) : rng.pick(choices);
  return [make(), what];
}

/** Content types a body may be sent under (most JSON). */
export const CONTENT_TYPES: readonly (string | undefined)[] = [
  "application/json",
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  undefined,
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "text/plain",
  "application/xml",
];

/** Bodies that are not JSON at all. */
export const NOT_JSON: readonly string[] = [
  '{"name": ',
  "name=x&tags=a",
  "\u0000",
  "nan",
  "[1,]",
  '{"a":1}{"b":2}',
  "\ufeff{}",
  '"\\ud800"',
  '"\\u0000"',
];

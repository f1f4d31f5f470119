/**
 * A block schema's checksum, computed as Prefect computes it (`Block._calculate_schema_checksum`
 * over `prefect.utilities.hashing.hash_objects`): the fields without any `secret_fields` key (at
 * any depth of nested objects), `definitions` narrowed to those that are not blocks (dropped when
 * none is left), then SHA-256 of Python's `json.dumps(((fields,), {}), sort_keys=True)`. A Python
 * client and ours find the same schema by the same checksum.
 */
import { createHash } from "node:crypto";
import type { BlockSchemaFields } from "./blocks.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A float as Python's `repr` writes it (`1e-07`, `1e+16`, `0.5`). */
function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exponent = "0"] = n.toExponential().split("e");
    const e = Number(exponent);
    const digits = String(Math.abs(e)).padStart(2, "0");
    return `${mantissa}e${e < 0 ? "-" : "+"}${digits}`;
  }
  return String(n);
}

/** A string as Python's `json.dumps` writes it with `ensure_ascii=True`. */
function pythonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * `json.dumps(value, sort_keys=True)` as Python writes it: `", "` and `": "` between items, keys
 * sorted by code point, non-ASCII escaped.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") return pythonFloat(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(byCodePoint);
    const items = keys.map(
      (k) => `${pythonString(k)}: ${pythonJsonDumps((value as Record<string, unknown>)[k])}`,
    );
    return `{${items.join(", ")}}`;
  }
  return pythonString(String(value));
}

/** Python sorts str by code point; JS `<` compares UTF-16 units (the same below U+D800). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Prefect's `remove_nested_keys`: the keys dropped from every nested object (lists are left as they are). */
function removeNestedKeys(keys: readonly string[], value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!keys.includes(k)) out[k] = removeNestedKeys(keys, v);
  }
  return out;
}

/** Every `$ref` string under `value` (objects and lists), depth first. */
export function nestedReferenceStrings(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
    } else if (v !== null && typeof v === "object") {
      const ref = (v as Record<string, unknown>).$ref;
      if (typeof ref === "string" && ref !== "") found.push(ref);
      for (const item of Object.values(v)) walk(item);
    }
  };
  walk(value);
  return found;
}

const isNonEmptyObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0;

/**
 * The definitions `object` refers to (directly or through them) that are not blocks (Prefect's
 * `_get_non_block_reference_definitions`).
 */
export function nonBlockReferenceDefinitions(
  object: unknown,
  definitions: Record<string, unknown>,
  seen: Set<string> = new Set(),
): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const ref of nestedReferenceStrings(object)) {
    const key = ref.replace("#/definitions/", "");
    const definition = definitions[key];
    if (!isNonEmptyObject(definition) || definition.block_type_slug != null) continue;
    if (seen.has(key)) {
      out = { ...out, [key]: definition };
      continue;
    }
    seen.add(key);
    out = {
      ...out,
      [key]: definition,
      ...nonBlockReferenceDefinitions(definition, definitions, seen),
    };
  }
  return out;
}

/** SHA-256 hex of Prefect's `hash_objects(value)`. */
export function hashObjects(value: unknown): string {
  return createHash("sha256")
    .update(pythonJsonDumps([[value], {}]))
    .digest("hex");
}

/** `sha256:<hex>`: the checksum Prefect gives a block schema of these fields. */
export function blockSchemaChecksum(fields: BlockSchemaFields): string {
  const forChecksum = removeNestedKeys(["secret_fields"], fields) as Record<string, Json>;
  const definitions = forChecksum.definitions;
  if (isNonEmptyObject(definitions)) {
    const nonBlock = nonBlockReferenceDefinitions(forChecksum, definitions);
    if (Object.keys(nonBlock).length > 0) forChecksum.definitions = nonBlock as Json;
    else delete forChecksum.definitions;
  }
  return `sha256:${hashObjects(forChecksum)}`;
}

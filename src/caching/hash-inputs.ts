/**
 * Stable hashing of task inputs, flow parameters and other values: a canonical JSON (object keys
 * sorted, Date/Map/Set/BigInt/typed arrays tagged) hashed with md5, as Prefect's `hash_objects`.
 * Values with no stable form (functions, promises, sockets and other class instances without
 * `toJSON`, circular structures) are refused with an error naming the input and its type.
 */
import { createHash } from "node:crypto";
import { typeName } from "../results/errors.ts";

/** An input that cannot be hashed: the caching layer warns and does not cache the run. */
export class UnhashableInputError extends Error {
  readonly path: string;
  readonly valueType: string;
  constructor(path: string, valueType: string, reason = "has no stable form") {
    super(`input '${path || "<root>"}' of type '${valueType}' ${reason}`);
    this.name = "UnhashableInputError";
    this.path = path;
    this.valueType = valueType;
  }
}

function canonical(value: unknown, path: string, seen: Set<object>, out: string[]): void {
  switch (typeof value) {
    case "string":
      out.push(JSON.stringify(value));
      return;
    case "number":
      out.push(Number.isFinite(value) ? JSON.stringify(value) : `{"$n":"${String(value)}"}`);
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "undefined":
      out.push('{"$u":1}');
      return;
    case "bigint":
      out.push(`{"$big":"${value.toString()}"}`);
      return;
    case "function":
    case "symbol":
      throw new UnhashableInputError(path, typeName(value));
  }
  if (value === null) {
    out.push("null");
    return;
  }
  const obj = value as object;
  if (obj instanceof Date) {
    out.push(`{"$date":${JSON.stringify(Number.isNaN(obj.getTime()) ? null : obj.toISOString())}}`);
    return;
  }
  if (obj instanceof RegExp) {
    out.push(`{"$re":${JSON.stringify(obj.toString())}}`);
    return;
  }
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    const bytes =
      obj instanceof ArrayBuffer
        ? Buffer.from(obj)
        : Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength);
    out.push(`{"$bytes":"${typeName(obj)}:${bytes.toString("base64")}"}`);
    return;
  }
  if (seen.has(obj)) throw new UnhashableInputError(path, typeName(obj), "is circular");
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      out.push("[");
      obj.forEach((v, i) => {
        if (i) out.push(",");
        canonical(v, `${path}[${i}]`, seen, out);
      });
      out.push("]");
      return;
    }
    if (obj instanceof Map || obj instanceof Set) {
      // entries in a canonical order, so insertion order does not change the hash
      const parts = [...(obj instanceof Map ? obj : [...obj].map((v) => [v, true] as const))].map(
        ([k, v], i) => {
          const kOut: string[] = [];
          canonical(k, `${path}<key ${i}>`, seen, kOut);
          const vOut: string[] = [];
          canonical(v, `${path}<value ${i}>`, seen, vOut);
          return `[${kOut.join("")},${vOut.join("")}]`;
        },
      );
      parts.sort();
      out.push(`{"$${obj instanceof Map ? "map" : "set"}":[${parts.join(",")}]}`);
      return;
    }
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const toJSON = (obj as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON !== "function") throw new UnhashableInputError(path, typeName(obj));
      canonical(toJSON.call(obj), path, seen, out);
      return;
    }
    const keys = Object.keys(obj).sort();
    out.push("{");
    keys.forEach((k, i) => {
      if (i) out.push(",");
      out.push(JSON.stringify(k), ":");
      canonical((obj as Record<string, unknown>)[k], path ? `${path}.${k}` : k, seen, out);
    });
    out.push("}");
  } finally {
    seen.delete(obj);
  }
}

/** The canonical JSON text of a value (sorted keys). Throws UnhashableInputError. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  canonical(value, "", new Set(), out);
  return out.join("");
}

/** md5 hex of the canonical form of the values (Prefect's `hash_objects`). */
export function hashObjects(...values: unknown[]): string {
  const out: string[] = ["["];
  const seen = new Set<object>();
  values.forEach((v, i) => {
    if (i) out.push(",");
    canonical(v, values.length === 1 ? "" : `[${i}]`, seen, out);
  });
  out.push("]");
  return createHash("md5").update(out.join("")).digest("hex");
}

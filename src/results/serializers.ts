/**
 * Result serializers, named as Prefect names them in a result record's metadata: `json` (plain
 * JSON, readable by a Python client), `rich-json` (JSON that round-trips Date, Map, Set, BigInt,
 * undefined, NaN/±Infinity, RegExp and typed arrays) and `compressed/<inner>` (zlib + base64 of
 * the inner serializer's text, the shape of Prefect's `CompressedSerializer`).
 */
import { deflateSync, inflateSync } from "node:zlib";
import { SerializationError, typeName } from "./errors.ts";

export interface Serializer {
  /** The `serializer.type` of a result record (`json`, `rich-json`, `compressed`). */
  readonly type: string;
  /** The name to resolve this serializer by (`json`, `compressed/rich-json` …). */
  readonly name: string;
  dumps(value: unknown): string;
  loads(text: string): unknown;
  /** The `serializer` object of a result record's metadata. */
  toJSON(): Record<string, unknown>;
}

function unsupported(value: unknown, serializer: string, path: string): never {
  const where = path ? ` at ${path}` : "";
  const hint =
    serializer === "json"
      ? ' Use resultSerializer: "rich-json" for Date, Map, Set, BigInt and typed arrays.'
      : "";
  throw new SerializationError(
    `Failed to serialize object of type '${typeName(value)}'${where} with serializer '${serializer}'.${hint}`,
  );
}

/** Walk a value as JSON.stringify would, failing on what plain JSON would lose or reject. */
function checkPlainJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) unsupported(value, "json", path);
      return;
    case "undefined":
      if (path !== "") unsupported(value, "json", path);
      return;
    case "bigint":
    case "function":
    case "symbol":
      unsupported(value, "json", path);
  }
  if (value === null) return;
  const obj = value as object;
  if (obj instanceof Date) return;
  if (
    obj instanceof Map ||
    obj instanceof Set ||
    obj instanceof WeakMap ||
    obj instanceof WeakSet ||
    obj instanceof Promise ||
    obj instanceof RegExp ||
    ArrayBuffer.isView(obj) ||
    obj instanceof ArrayBuffer
  )
    unsupported(value, "json", path);
  if (typeof (obj as { toJSON?: unknown }).toJSON === "function") return;
  if (seen.has(obj))
    throw new SerializationError(
      `Failed to serialize a circular structure${path ? ` at ${path}` : ""} with serializer 'json'.`,
    );
  seen.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) checkPlainJson(obj[i], `${path}[${i}]`, seen);
  } else
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || typeof v === "function") continue;
      checkPlainJson(v, path ? `${path}.${k}` : k, seen);
    }
  seen.delete(obj);
}

export class JsonSerializer implements Serializer {
  readonly type = "json";
  readonly name = "json";
  dumps(value: unknown): string {
    try {
      return JSON.stringify(value) ?? "null";
    } catch (error) {
      checkPlainJson(value, "", new Set());
      throw new SerializationError(
        `Failed to serialize object of type '${typeName(value)}' with serializer 'json': ${String(error)}`,
        { cause: error },
      );
    }
  }
  loads(text: string): unknown {
    return JSON.parse(text);
  }
  toJSON(): Record<string, unknown> {
    return {
      type: "json",
      jsonlib: "json",
      object_encoder: "prefect.serializers.prefect_json_object_encoder",
      object_decoder: "prefect.serializers.prefect_json_object_decoder",
      dumps_kwargs: {},
      loads_kwargs: {},
    };
  }
}

/** Strict JSON: fails with a clear error instead of silently losing a Map, a BigInt or a NaN. */
export class StrictJsonSerializer extends JsonSerializer {
  override dumps(value: unknown): string {
    checkPlainJson(value, "", new Set());
    return super.dumps(value);
  }
}

const TAG = "$t";
const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED;

function encodeRich(value: unknown, path: string, seen: Set<object>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value))
        return Object.is(value, -0) ? { [TAG]: "Number", v: "-0" } : value;
      return { [TAG]: "Number", v: String(value) };
    case "undefined":
      return { [TAG]: "undefined" };
    case "bigint":
      return { [TAG]: "BigInt", v: value.toString() };
    case "function":
    case "symbol":
      return unsupported(value, "rich-json", path);
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Date)
    return { [TAG]: "Date", v: Number.isNaN(obj.getTime()) ? null : obj.toISOString() };
  if (obj instanceof RegExp) return { [TAG]: "RegExp", v: obj.source, f: obj.flags };
  if (obj instanceof ArrayBuffer)
    return { [TAG]: "ArrayBuffer", v: Buffer.from(obj).toString("base64") };
  if (ArrayBuffer.isView(obj)) {
    const name = (Buffer.isBuffer(obj) ? "Uint8Array" : obj.constructor.name) as TypedName;
    if (!(name in TYPED)) unsupported(value, "rich-json", path);
    const bytes = Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength);
    return { [TAG]: name, v: bytes.toString("base64") };
  }
  if (seen.has(obj))
    throw new SerializationError(
      `Failed to serialize a circular structure${path ? ` at ${path}` : ""} with serializer 'rich-json'.`,
    );
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v, i) => encodeRich(v, `${path}[${i}]`, seen));
    if (obj instanceof Map)
      return {
        [TAG]: "Map",
        v: [...obj].map(([k, v], i) => [
          encodeRich(k, `${path}<key ${i}>`, seen),
          encodeRich(v, `${path}<value ${i}>`, seen),
        ]),
      };
    if (obj instanceof Set)
      return { [TAG]: "Set", v: [...obj].map((v, i) => encodeRich(v, `${path}<${i}>`, seen)) };
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const toJSON = (obj as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON === "function") return encodeRich(toJSON.call(obj), path, seen);
      unsupported(value, "rich-json", path);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj))
      out[k] = encodeRich(v, path ? `${path}.${k}` : k, seen);
    return TAG in out ? { [TAG]: "Object", v: out } : out;
  } finally {
    seen.delete(obj);
  }
}

function decodeRich(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeRich);
  const obj = value as Record<string, unknown>;
  const tag = obj[TAG];
  if (typeof tag !== "string") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = decodeRich(v);
    return out;
  }
  const v = obj.v;
  switch (tag) {
    case "undefined":
      return undefined;
    case "Number":
      return Number(v);
    case "BigInt":
      return BigInt(v as string);
    case "Date":
      return new Date(v === null ? Number.NaN : (v as string));
    case "RegExp":
      return new RegExp(v as string, obj.f as string);
    case "ArrayBuffer": {
      const b = Buffer.from(v as string, "base64");
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }
    case "Map":
      return new Map((v as [unknown, unknown][]).map(([k, x]) => [decodeRich(k), decodeRich(x)]));
    case "Set":
      return new Set((v as unknown[]).map(decodeRich));
    case "Object": {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = decodeRich(x);
      return out;
    }
  }
  if (tag in TYPED) {
    const b = Buffer.from(v as string, "base64");
    const copy = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    const Ctor = TYPED[tag as TypedName];
    return new Ctor(copy);
  }
  return obj;
}

export class RichJsonSerializer implements Serializer {
  readonly type = "rich-json";
  readonly name = "rich-json";
  dumps(value: unknown): string {
    return JSON.stringify(encodeRich(value, "", new Set()));
  }
  loads(text: string): unknown {
    return decodeRich(JSON.parse(text));
  }
  toJSON(): Record<string, unknown> {
    return { type: "rich-json" };
  }
}

/** zlib-compressed, base64 text of an inner serializer (Prefect's `compressed` type). */
export class CompressedSerializer implements Serializer {
  readonly type = "compressed";
  readonly name: string;
  readonly inner: Serializer;
  constructor(inner: Serializer) {
    this.inner = inner;
    this.name = `compressed/${inner.name}`;
  }
  dumps(value: unknown): string {
    return deflateSync(Buffer.from(this.inner.dumps(value), "utf8")).toString("base64");
  }
  loads(text: string): unknown {
    return this.inner.loads(inflateSync(Buffer.from(text, "base64")).toString("utf8"));
  }
  toJSON(): Record<string, unknown> {
    return { type: "compressed", serializer: this.inner.toJSON(), compressionlib: "zlib" };
  }
}

/** `json`, `rich-json`, `compressed/json`, `compressed/rich-json` (or a serializer object). */
export type SerializerLike =
  | Serializer
  | "json"
  | "rich-json"
  | "compressed/json"
  | "compressed/rich-json"
  | (string & {});

const BY_NAME = new Map<string, Serializer>();

export function resolveSerializer(spec: SerializerLike): Serializer {
  if (typeof spec !== "string") return spec;
  const known = BY_NAME.get(spec);
  if (known) return known;
  let made: Serializer;
  if (spec === "json") made = new StrictJsonSerializer();
  else if (spec === "rich-json") made = new RichJsonSerializer();
  else if (spec === "compressed") made = new CompressedSerializer(new StrictJsonSerializer());
  else if (spec.startsWith("compressed/"))
    made = new CompressedSerializer(resolveSerializer(spec.slice("compressed/".length)));
  else
    throw new SerializationError(
      `Unknown result serializer '${spec}': use json, rich-json, compressed/json or compressed/rich-json`,
    );
  BY_NAME.set(spec, made);
  return made;
}

/** The serializer a record's metadata names (`{type: "json"}`, `{type: "compressed", serializer}`). */
export function serializerFromMetadata(meta: unknown): Serializer {
  const m = (meta ?? {}) as { type?: unknown; serializer?: unknown };
  if (m.type === "compressed")
    return new CompressedSerializer(serializerFromMetadata(m.serializer));
  if (m.type === "json") return resolveSerializer("json");
  if (m.type === "rich-json") return resolveSerializer("rich-json");
  throw new SerializationError(
    `Result record uses serializer '${String(m.type)}', which Prefect TS cannot read (pickle is Python-only)`,
  );
}

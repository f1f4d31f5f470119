/**
 * A block document's data held to its schema's fields (JSON Schema): the first problem is the
 * answer, naming the field — `Validation failed for field 'port'. Failure reason: 'x' is not of
 * type 'integer'`. A secret field's value is never written in the message. Prefect's server does
 * not check data (its clients do, with pydantic); ours does, so that an SDK in any language, the
 * CLI and the UI meet the same rules. Values that reference another document (`{"$ref": …}`) are
 * the nested block's own business, and `$ref`s to definitions the schema does not carry (Prefect
 * keeps nested blocks' definitions out of stored fields) accept anything.
 */
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { isBlockReference, OBFUSCATED } from "../../core/blocks.ts";
import { pythonRepr } from "../deployments/parameter-validation.ts";

let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction | null>();
const CACHE_SIZE = 200;

type Schema = Record<string, unknown>;

/** The schema with `$ref`s it cannot resolve made open (`{}`), and Prefect's own keys left out. */
function resolvable(fields: Schema): Schema {
  const definitions = (fields.definitions ?? {}) as Record<string, unknown>;
  const defs = (fields.$defs ?? {}) as Record<string, unknown>;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const ref = (value as Schema).$ref;
    if (typeof ref === "string") {
      const name = ref.replace(/^#\/(definitions|\$defs)\//, "");
      if (!(name in definitions) && !(name in defs)) return {};
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
  };
  const { block_schema_references: _r, secret_fields: _s, $schema: _x, $id: _i, ...rest } = fields;
  return walk(rest) as Schema;
}

async function validatorFor(fields: Schema): Promise<ValidateFunction | null> {
  const key = JSON.stringify(fields);
  if (compiled.has(key)) return compiled.get(key) ?? null;
  if (!ajv) {
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  }
  let validate: ValidateFunction | null;
  try {
    validate = ajv.compile(resolvable(fields));
  } catch {
    // a schema JSON Schema cannot read is not held against the data
    validate = null;
  }
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value ?? "");
  compiled.set(key, validate);
  return validate;
}

function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (error.keyword === "required") parts.push(String(error.params.missingProperty));
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    value = value !== null && typeof value === "object" ? (value as Schema)[key] : undefined;
  }
  return value;
}

function reason(error: ErrorObject, shown: string): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${pythonRepr(p.missingProperty)} is a required property`;
    case "type":
      return `${shown} is not of type ${String(p.type)
        .split(",")
        .map((t) => `'${t}'`)
        .join(", ")}`;
    case "enum":
      return `${shown} is not one of ${pythonRepr(p.allowedValues)}`;
    case "anyOf":
    case "oneOf":
      return `${shown} is not valid under any of the given schemas`;
    default:
      return `${shown} ${error.message ?? "is not valid"}`;
  }
}

/**
 * Why `data` does not hold to `fields` (Prefect's wording, naming the field), or null when it
 * does. `secretPaths` are the schema's secret fields: their values are written as `********`.
 */
export async function blockDataProblem(
  data: Record<string, unknown>,
  fields: Schema,
  secretPaths: readonly string[][],
): Promise<string | null> {
  const validate = await validatorFor(fields);
  if (!validate) return null;
  // references to other documents stand for values validated where they were saved (nested
  // blocks' definitions are not kept in stored fields: their properties take anything)
  const own = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, isBlockReference(v) ? {} : v]),
  );
  if (validate(own)) return null;
  const error = validate.errors?.[0];
  if (!error) return "Validation failed.";
  const field = fieldOf(error);
  const secret = secretPaths.some((path) => {
    const prefix = path.includes("*") ? path.slice(0, path.indexOf("*")) : path;
    return prefix.join(".") === field || field.startsWith(`${prefix.join(".")}.`);
  });
  const shown = secret ? `'${OBFUSCATED}'` : pythonRepr(valueAt(own, error.instancePath));
  const head = field ? `Validation failed for field '${field}'.` : "Validation failed.";
  return `${head} Failure reason: ${reason(error, shown)}`;
}

/**
 * Parameters held to a deployment's `parameter_openapi_schema`, as Prefect's server holds them
 * (`prefect.utilities.schema_tools.validation.validate`, Draft 2020-12): the first error found is
 * the answer, in Python jsonschema's words and naming the field — `Validation failed for field
 * 'day'. Failure reason: 5 is not of type 'string'` (`Validation failed.` for the whole object, a
 * missing required parameter). Keywords a schema may carry that JSON Schema does not know
 * (`position`, Pydantic's) are ignored. Compiled schemas are cached by their text.
 */
import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";

/** Loaded on first use: what does not validate parameters does not pay for it. */
let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction | Error>();
const CACHE_SIZE = 500;

/** A schema that refers to itself: Prefect refuses to validate against it. */
export class CircularSchemaError extends Error {}

async function validatorFor(schema: Record<string, unknown>): Promise<ValidateFunction> {
  const key = JSON.stringify(schema);
  let entry = compiled.get(key);
  if (!entry) {
    if (!ajv) {
      const { Ajv2020 } = await import("ajv/dist/2020.js");
      ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
    }
    // Pydantic v1 schemas name their definitions `definitions`: both are reachable as refs
    const { $schema: _, $id: _id, ...body } = schema;
    try {
      entry = ajv.compile(body);
    } catch (error) {
      entry = error instanceof Error ? error : new Error(String(error));
    }
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value ?? "");
    compiled.set(key, entry);
  }
  if (entry instanceof Error) throw new CircularSchemaError(entry.message);
  return entry;
}

/** A value as Python's `repr` writes it (how jsonschema's messages quote instances). */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
    return `${quote}${quote === "'" ? escaped.replace(/'/g, "\\'") : escaped}${quote}`;
  }
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    const items = Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`);
    return `{${items.join(", ")}}`;
  }
  return String(value);
}

/** The instance at a JSON Pointer (`/day/0`). */
function at(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    value =
      value !== null && typeof value === "object"
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

/** jsonschema's `json_path` without `$.`: `day`, `items[0]`. */
function fieldPath(pointer: string): string {
  let path = "";
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    path += /^\d+$/.test(key) ? `[${key}]` : path === "" ? key : `.${key}`;
  }
  return path;
}

/** An ajv error in Python jsonschema's words. */
function reason(error: ErrorObject, instance: unknown): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type": {
      const types = String(p.type).split(",");
      return types.length === 1
        ? `${pythonRepr(instance)} is not of type '${types[0]}'`
        : `${pythonRepr(instance)} is not of type ${types.map((t) => `'${t}'`).join(", ")}`;
    }
    case "required":
      return `${pythonRepr(p.missingProperty)} is a required property`;
    case "enum":
      return `${pythonRepr(instance)} is not one of ${pythonRepr(p.allowedValues)}`;
    case "const":
      return `${pythonRepr(p.allowedValue)} was expected`;
    case "minimum":
      return `${pythonRepr(instance)} is less than the minimum of ${pythonRepr(p.limit)}`;
    case "maximum":
      return `${pythonRepr(instance)} is greater than the maximum of ${pythonRepr(p.limit)}`;
    case "exclusiveMinimum":
      return `${pythonRepr(instance)} is less than or equal to the minimum of ${pythonRepr(p.limit)}`;
    case "exclusiveMaximum":
      return `${pythonRepr(instance)} is greater than or equal to the maximum of ${pythonRepr(p.limit)}`;
    case "minLength":
      return `${pythonRepr(instance)} is too short`;
    case "maxLength":
      return `${pythonRepr(instance)} is too long`;
    case "pattern":
      return `${pythonRepr(instance)} does not match ${pythonRepr(p.pattern)}`;
    case "additionalProperties":
      return `Additional properties are not allowed (${pythonRepr(p.additionalProperty)} was unexpected)`;
    case "anyOf":
    case "oneOf":
      return `${pythonRepr(instance)} is not valid under any of the given schemas`;
    default:
      return `${pythonRepr(instance)} ${error.message ?? "is not valid"}`;
  }
}

/**
 * Why `parameters` do not validate against `schema` (Prefect's message), or null when they do.
 * `ignoreRequired`: missing required parameters are not errors (updating a deployment's defaults).
 * Throws `CircularSchemaError` for a schema that cannot be compiled (refers to itself, or is not
 * a schema).
 */
export async function parameterProblem(
  parameters: Record<string, unknown>,
  schema: Record<string, unknown>,
  options: { ignoreRequired?: boolean } = {},
): Promise<string | null> {
  const effective = options.ignoreRequired ? { ...schema, required: [] } : schema;
  const validate = await validatorFor(effective);
  if (validate(parameters)) return null;
  const error = validate.errors?.[0];
  if (!error) return "Validation failed.";
  const pointer = error.instancePath;
  const head =
    pointer === "" ? "Validation failed." : `Validation failed for field '${fieldPath(pointer)}'.`;
  return `${head} Failure reason: ${reason(error, at(parameters, pointer))}`;
}

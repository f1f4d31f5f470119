/**
 * A block schema's fields (Prefect's JSON Schema with `secret_fields` and
 * `block_schema_references`) read as form fields: the parameter-form reading of each property,
 * plus whether it is a secret (a password input that never shows the stored value) or a
 * reference to another block document (a choice among the documents of its type).
 */
import { OBFUSCATED } from "../../api/blocks.ts";
import {
  type FieldValue,
  fieldOfRefusal,
  initialValue,
  type JsonSchema,
  type ParameterField,
  parameterFields,
  parameterOf,
} from "../../lib/parameter-schema.ts";

export type BlockField =
  | { kind: "plain"; field: ParameterField }
  | { kind: "secret"; field: ParameterField }
  | { kind: "reference"; field: ParameterField; blockTypeSlugs: string[] };

const isObject = (v: unknown): v is JsonSchema =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The block type slugs a `block_schema_references` entry names (one, or a list of them). */
function referencedSlugs(reference: unknown): string[] {
  const entries = Array.isArray(reference) ? reference : [reference];
  return entries.flatMap((e) =>
    isObject(e) && typeof e.block_type_slug === "string" ? [e.block_type_slug] : [],
  );
}

/** `db_creds` as pydantic titles it: `Db Creds`. */
const titled = (name: string) =>
  name
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");

/** The schema's fields, in `position` order. */
export function blockFields(schema: JsonSchema | undefined): BlockField[] {
  if (!schema) return [];
  const secrets = new Set(
    (Array.isArray(schema.secret_fields) ? schema.secret_fields : []).map(String),
  );
  const references = isObject(schema.block_schema_references) ? schema.block_schema_references : {};
  return parameterFields(schema).map((parsed): BlockField => {
    // an untitled property (a nested block's `$ref`) is titled as pydantic titles one: `Creds`
    const field = parsed.title === parsed.name ? { ...parsed, title: titled(parsed.name) } : parsed;
    const slugs = referencedSlugs(references[field.name]);
    if (slugs.length > 0) return { kind: "reference", field, blockTypeSlugs: slugs };
    if (secrets.has(field.name)) return { kind: "secret", field };
    return { kind: "plain", field };
  });
}

/** What each input holds while the form is edited: text, a checkbox, options, a document id. */
export type BlockValues = Record<string, FieldValue>;

/**
 * The values a form starts with: a document's data (its secrets masked by the API: a secret
 * input starts empty, meaning "keep it"), its references' document ids, else the defaults.
 */
export function initialBlockValues(
  fields: readonly BlockField[],
  document?: {
    data?: Record<string, unknown>;
    block_document_references?: Record<string, Record<string, unknown>>;
  },
): BlockValues {
  const values: BlockValues = {};
  for (const f of fields) {
    const name = f.field.name;
    if (f.kind === "secret") values[name] = "";
    else if (f.kind === "reference") {
      const ref = document?.block_document_references?.[name]?.block_document;
      values[name] = isObject(ref) && typeof ref.id === "string" ? ref.id : "";
    } else {
      const data = document?.data;
      values[name] = initialValue(f.field, data && name in data ? { value: data[name] } : null);
    }
  }
  return values;
}

/**
 * The document's data from the form, or the problem of each field. An empty secret input of a
 * document that has the secret sends back `********`: the server keeps the stored value.
 */
export function blockDataOf(
  fields: readonly BlockField[],
  values: BlockValues,
  schema: JsonSchema,
  stored?: Record<string, unknown>,
): { data: Record<string, unknown> } | { errors: Record<string, string> } {
  const data: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const name = f.field.name;
    const value = values[name];
    if (f.kind === "reference") {
      if (typeof value === "string" && value) data[name] = { $ref: { block_document_id: value } };
      else if (f.field.required) errors[name] = "Required: choose a block";
      continue;
    }
    if (f.kind === "secret" && (value === "" || value === undefined)) {
      if (stored && name in stored) data[name] = OBFUSCATED;
      else if (f.field.required) errors[name] = "Required";
      continue;
    }
    if (f.kind === "secret") {
      data[name] = value;
      continue;
    }
    const result = parameterOf(f.field, value ?? "", schema);
    if (result.error) errors[name] = result.error;
    else if ("value" in result) data[name] = result.value;
  }
  return Object.keys(errors).length > 0 ? { errors } : { data };
}

/** The field a server's refusal names (`Validation failed for field 'port'. …`), if any. */
export function refusedField(message: string, fields: readonly BlockField[]): string | null {
  const named = fieldOfRefusal(message);
  return named && fields.some((f) => f.field.name === named) ? named : null;
}

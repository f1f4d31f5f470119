/**
 * A deployment's `parameter_openapi_schema` (JSON Schema, as Prefect's client and ours write it:
 * pydantic's `definitions`/`$defs` with `$ref`, `anyOf` for optional values, zod's `required`)
 * read as form fields, and the values typed in them checked and turned into parameters.
 *
 * The browser checks what a form can say about a field — required, type, enum, const, minimum
 * and maximum, lengths, pattern, items, properties — so most mistakes are answered before
 * anything is sent. Other keywords (`multipleOf`, `uniqueItems`, `not`, `if`…) are left to the
 * server, whose refusal names the field.
 */

export type JsonSchema = { [key: string]: unknown };

export type FieldKind = "string" | "integer" | "number" | "boolean" | "enum" | "enum-list" | "json";

export interface ParameterField {
  name: string;
  /** The schema's `title`, or the name. */
  title: string;
  description: string | null;
  required: boolean;
  kind: FieldKind;
  /** The field's schema, `$ref`s and optional wrappers resolved. */
  schema: JsonSchema;
  /** The schema as written (what the value is checked against). */
  raw: JsonSchema;
  /** Allowed values of an `enum` field, or of the items of an `enum-list` field. */
  options: unknown[];
  /** `format` of a string field (`date`, `date-time`…). */
  format: string | null;
  /** The schema's default, when it has one. */
  defaultValue: { value: unknown } | null;
  /** The JSON type the `json` kind holds, when the schema says (`array`, `object`). */
  jsonType: string | null;
}

/** What a field holds while it is edited: text, a checkbox, or chosen option indexes. */
export type FieldValue = string | boolean | number[];

const isObject = (v: unknown): v is JsonSchema =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** `#/definitions/Name` or `#/$defs/Name` in `root`. */
function resolveRef(ref: string, root: JsonSchema): JsonSchema | null {
  if (!ref.startsWith("#/")) return null;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : undefined;
  }
  return isObject(node) ? node : null;
}

/**
 * A schema with its `$ref` (also inside a one-element `allOf`, pydantic v1's way of referring to
 * an enum) followed, the referring schema's own keywords (title, default) kept over it.
 */
export function resolve(schema: JsonSchema, root: JsonSchema, depth = 0): JsonSchema {
  if (depth > 20) return schema;
  let target: JsonSchema | null = null;
  let rest: JsonSchema = schema;
  if (typeof schema.$ref === "string") {
    target = resolveRef(schema.$ref, root);
    const { $ref: _, ...others } = schema;
    rest = others;
  } else if (
    Array.isArray(schema.allOf) &&
    schema.allOf.length === 1 &&
    isObject(schema.allOf[0])
  ) {
    target = resolve(schema.allOf[0], root, depth + 1);
    const { allOf: _, ...others } = schema;
    rest = others;
  }
  if (!target) return schema;
  return { ...resolve(target, root, depth + 1), ...rest };
}

/** `anyOf: [X, {type: "null"}]` (an optional value) read as X, and whether null is allowed. */
function unwrapOptional(
  schema: JsonSchema,
  root: JsonSchema,
): { schema: JsonSchema; nullable: boolean } {
  const variants = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : null;
  if (!variants) return { schema, nullable: false };
  const resolved = variants.filter(isObject).map((v) => resolve(v, root));
  const others = resolved.filter((v) => v.type !== "null");
  if (others.length === 1 && others[0]) {
    const { anyOf: _, oneOf: _o, ...rest } = schema;
    return { schema: { ...others[0], ...rest }, nullable: others.length < resolved.length };
  }
  return { schema, nullable: resolved.length > others.length };
}

function typeOf(schema: JsonSchema): string | null {
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== "null");
    return types.length === 1 && typeof types[0] === "string" ? types[0] : null;
  }
  return null;
}

function kindOf(
  schema: JsonSchema,
  root: JsonSchema,
): Pick<ParameterField, "kind" | "options" | "jsonType"> {
  if (Array.isArray(schema.enum)) return { kind: "enum", options: schema.enum, jsonType: null };
  if ("const" in schema) return { kind: "enum", options: [schema.const], jsonType: null };
  const type = typeOf(schema);
  if (type === "array" && isObject(schema.items)) {
    const items = resolve(schema.items, root);
    if (Array.isArray(items.enum))
      return { kind: "enum-list", options: items.enum, jsonType: "array" };
  }
  if (type === "string" || type === "integer" || type === "number" || type === "boolean")
    return { kind: type, options: [], jsonType: null };
  return { kind: "json", options: [], jsonType: type };
}

/** The schema's top-level properties as form fields, in their `position` order when they have one. */
export function parameterFields(root: JsonSchema | null | undefined): ParameterField[] {
  if (!root || !isObject(root.properties)) return [];
  const required = new Set(Array.isArray(root.required) ? root.required.map(String) : []);
  const fields = Object.entries(root.properties).flatMap(([name, raw], index) => {
    if (!isObject(raw)) return [];
    const { schema } = unwrapOptional(resolve(raw, root), root);
    // the property's own title (a `$ref`'s title names its type: `Mode`, not `mode`)
    const title = typeof raw.title === "string" ? raw.title : name;
    const description =
      typeof raw.description === "string"
        ? raw.description
        : typeof schema.description === "string"
          ? schema.description
          : null;
    const position = typeof raw.position === "number" ? raw.position : index;
    const field: ParameterField = {
      name,
      title,
      description,
      required: required.has(name),
      ...kindOf(schema, root),
      schema,
      raw,
      format: typeof schema.format === "string" ? schema.format : null,
      defaultValue:
        "default" in raw
          ? { value: raw.default }
          : "default" in schema
            ? { value: schema.default }
            : null,
    };
    return [{ field, position, index }];
  });
  fields.sort((a, b) => a.position - b.position || a.index - b.index);
  return fields.map((f) => f.field);
}

/** The value a field starts with: the deployment's parameter, else the schema's default. */
export function initialValue(field: ParameterField, given: { value: unknown } | null): FieldValue {
  const start = given ?? field.defaultValue;
  const value = start?.value;
  switch (field.kind) {
    case "boolean":
      return value === true;
    case "enum": {
      const i = start ? field.options.findIndex((o) => sameJson(o, value)) : -1;
      return i < 0 ? "" : String(i);
    }
    case "enum-list":
      return Array.isArray(value)
        ? value.map((v) => field.options.findIndex((o) => sameJson(o, v))).filter((i) => i >= 0)
        : [];
    case "string":
      return typeof value === "string" ? value : value == null ? "" : String(value);
    case "integer":
    case "number":
      return typeof value === "number" ? String(value) : "";
    default:
      return start === null || value === undefined || value === null
        ? ""
        : JSON.stringify(value, null, 2);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A field's value as a parameter: `{ value }`, `{}` when it is left empty (not sent: the
 * deployment's value or the flow's default applies), or `{ error }` saying what is wrong.
 */
export function parameterOf(
  field: ParameterField,
  input: FieldValue,
  root: JsonSchema,
  /** false (a deployment with `enforce_parameter_schema` off): only what cannot be read is refused. */
  enforce = true,
): { value?: unknown; error?: string } {
  let value: unknown;
  if (field.kind === "boolean") value = input === true;
  else if (field.kind === "enum-list") {
    value = Array.isArray(input) ? input.map((i) => field.options[i]) : [];
  } else {
    const text = typeof input === "string" ? input : "";
    if (text.trim() === "") return field.required && enforce ? { error: "Required" } : {};
    if (field.kind === "enum") value = field.options[Number(text)];
    else if (field.kind === "string") value = text;
    else if (field.kind === "integer" || field.kind === "number") {
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: "Enter a number" };
      if (field.kind === "integer" && !Number.isInteger(n))
        return { error: "Enter a whole number" };
      value = n;
    } else {
      try {
        value = JSON.parse(text);
      } catch {
        return { error: "Enter valid JSON" };
      }
    }
  }
  const problem = enforce ? schemaProblem(field.raw, value, root) : null;
  return problem ? { error: problem } : { value };
}

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => typeof v === "number" && Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: isObject,
  null: (v) => v === null,
};

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** `items[0].name: …` for a nested problem. */
function at(path: string, message: string): string {
  return path ? `${path}: ${message}` : message;
}

/**
 * Why `value` does not fit `schema` (the keywords a form can check), or null. Keywords not
 * listed in this module's comment are not checked here.
 */
export function schemaProblem(
  schema: JsonSchema,
  value: unknown,
  root: JsonSchema,
  path = "",
  depth = 0,
): string | null {
  if (depth > 30) return null;
  const s = resolve(schema, root);
  for (const key of ["anyOf", "oneOf"] as const) {
    const variants = s[key];
    if (Array.isArray(variants) && variants.length > 0) {
      const fits = variants.some(
        (v) => isObject(v) && schemaProblem(v, value, root, path, depth + 1) === null,
      );
      if (!fits) {
        const single = variants.filter(isObject).filter((v) => resolve(v, root).type !== "null");
        return single.length === 1 && single[0]
          ? schemaProblem(single[0], value, root, path, depth + 1)
          : at(path, "Does not match any of the allowed forms");
      }
    }
  }
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) {
      if (!isObject(part)) continue;
      const problem = schemaProblem(part, value, root, path, depth + 1);
      if (problem) return problem;
    }
  }
  const types =
    typeof s.type === "string" ? [s.type] : Array.isArray(s.type) ? s.type.map(String) : [];
  if (types.length > 0 && !types.some((t) => JSON_TYPES[t]?.(value))) {
    const wanted = types.filter((t) => t !== "null");
    return at(path, `Must be ${wanted.map(article).join(" or ") || "null"}`);
  }
  if (Array.isArray(s.enum) && !s.enum.some((o) => sameJson(o, value)))
    return at(path, `Must be one of ${s.enum.map((o) => JSON.stringify(o)).join(", ")}`);
  if ("const" in s && !sameJson(s.const, value))
    return at(path, `Must be ${JSON.stringify(s.const)}`);
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum)
      return at(path, `Must be at least ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum)
      return at(path, `Must be at most ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum)
      return at(path, `Must be more than ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum)
      return at(path, `Must be less than ${s.exclusiveMaximum}`);
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof s.minLength === "number" && length < s.minLength)
      return at(
        path,
        `Must be at least ${s.minLength} character${s.minLength === 1 ? "" : "s"} long`,
      );
    if (typeof s.maxLength === "number" && length > s.maxLength)
      return at(
        path,
        `Must be at most ${s.maxLength} character${s.maxLength === 1 ? "" : "s"} long`,
      );
    if (typeof s.pattern === "string") {
      let re: RegExp | null = null;
      try {
        re = new RegExp(s.pattern, "u");
      } catch {
        re = null; // a pattern JavaScript cannot read: the server decides
      }
      if (re && !re.test(value)) return at(path, `Must match ${s.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems)
      return at(path, `Must have at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems)
      return at(path, `Must have at most ${s.maxItems} item${s.maxItems === 1 ? "" : "s"}`);
    if (isObject(s.items)) {
      for (const [i, item] of value.entries()) {
        const problem = schemaProblem(s.items, item, root, `${path}[${i}]`, depth + 1);
        if (problem) return problem;
      }
    }
  }
  if (isObject(value)) {
    const props = isObject(s.properties) ? s.properties : {};
    for (const name of Array.isArray(s.required) ? s.required.map(String) : []) {
      if (!(name in value)) return at(path, `${JSON.stringify(name)} is required`);
    }
    for (const [name, item] of Object.entries(value)) {
      const child = path ? `${path}.${name}` : name;
      const sub = props[name];
      if (isObject(sub)) {
        const problem = schemaProblem(sub, item, root, child, depth + 1);
        if (problem) return problem;
      } else if (s.additionalProperties === false) {
        return at(path, `${JSON.stringify(name)} is not allowed here`);
      } else if (isObject(s.additionalProperties)) {
        const problem = schemaProblem(s.additionalProperties, item, root, child, depth + 1);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/**
 * The parameter a server's refusal is about: Prefect's `Validation failed for field 'day'.`
 * (`day` of `day.name` or `items[0]`), or the property of `'day' is a required property`.
 */
export function fieldOfRefusal(message: string): string | null {
  const named = /Validation failed for field '((?:[^'\\]|\\.)+)'/.exec(message);
  if (named?.[1]) return /^[^.[]+/.exec(named[1])?.[0] ?? named[1];
  const missing = /'((?:[^'\\]|\\.)+)' is a required property/.exec(message);
  return missing?.[1] ?? null;
}

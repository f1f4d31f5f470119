/**
 * A zod issue as an item of Prefect's 422 `exception_detail`: FastAPI's (pydantic 2's) error
 * `{type, loc, msg, input}` with pydantic's type names and messages for the common cases —
 * `missing`, `string_type`, `enum`, `less_than_equal`, `uuid_parsing`, `extra_forbidden`, … —
 * and `value_error` for the rest.
 */

export interface PrefectValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

/** What fastify-type-provider-zod keeps of a zod issue. */
export interface ZodIssueSummary {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The value at `path` in `root` (undefined where there is none). */
function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function pathOf(instancePath: string): (string | number)[] {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const TYPES: Record<string, [string, string]> = {
  string: ["string_type", "Input should be a valid string"],
  number: ["float_type", "Input should be a valid number"],
  int: ["int_type", "Input should be a valid integer"],
  boolean: ["bool_type", "Input should be a valid boolean"],
  array: ["list_type", "Input should be a valid list"],
  object: ["dict_type", "Input should be a valid dictionary"],
  record: ["dict_type", "Input should be a valid dictionary"],
};

/** `'a', 'b' or 'c'`, as pydantic lists the permitted values. */
function choices(values: readonly unknown[]): string {
  const quoted = values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
  return quoted.length <= 1
    ? (quoted[0] ?? "")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/** The detail items of one issue found in `context` (`body`, `query`, …) of `source`. */
export function prefectValidationDetails(
  context: string,
  source: unknown,
  issue: ZodIssueSummary,
): PrefectValidationDetail[] {
  const path = pathOf(issue.instancePath);
  const params = issue.params ?? {};
  const input = valueAt(source, path);
  const at = (type: string, msg: string, where = path, value = input) => ({
    type,
    loc: [context, ...where],
    msg,
    input: value,
  });
  switch (issue.keyword) {
    case "invalid_type": {
      // pydantic's `missing` shows the object the field is missing from
      if (input === undefined) {
        return [at("missing", "Field required", path, valueAt(source, path.slice(0, -1)))];
      }
      const known = TYPES[String(params.expected)];
      return [known ? at(known[0], known[1]) : at("value_error", issue.message ?? "invalid")];
    }
    case "invalid_value": {
      const values = Array.isArray(params.values) ? params.values : [];
      return [at("enum", `Input should be ${choices(values)}`)];
    }
    case "too_big":
    case "too_small": {
      const big = issue.keyword === "too_big";
      const bound = big ? params.maximum : params.minimum;
      if (params.origin === "number" || params.origin === "int") {
        const inclusive = params.inclusive !== false;
        const type = `${big ? "less" : "greater"}_than${inclusive ? "_equal" : ""}`;
        const words = `${big ? "less" : "greater"} than${inclusive ? " or equal to" : ""}`;
        return [at(type, `Input should be ${words} ${bound}`)];
      }
      const unit = params.origin === "string" ? "character" : "item";
      const type = `${params.origin === "string" ? "string_" : ""}too_${big ? "long" : "short"}`;
      const words = big ? "at most" : "at least";
      return [at(type, `Value should have ${words} ${bound} ${unit}${bound === 1 ? "" : "s"}`)];
    }
    case "invalid_format":
      if (params.format === "uuid") {
        return [at("uuid_parsing", "Input should be a valid UUID")];
      }
      if (params.format === "datetime") {
        return [at("datetime_from_date_parsing", "Input should be a valid datetime")];
      }
      return [at("value_error", issue.message ?? "invalid")];
    case "unrecognized_keys": {
      const keys = Array.isArray(params.keys) ? params.keys.map(String) : [];
      return keys.map((key) =>
        at(
          "extra_forbidden",
          "Extra inputs are not permitted",
          [...path, key],
          valueAt(input, [key]),
        ),
      );
    }
    default:
      return [at("value_error", `Value error, ${issue.message ?? "invalid"}`)];
  }
}

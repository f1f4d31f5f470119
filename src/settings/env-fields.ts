/**
 * How one `PREFECT_*` environment variable is read: each field turns the variable's text into its
 * value, or says in a few words what it should have been. Small on purpose: settings are read by
 * every process at its start (a CLI command, a worker's flow run), which must not pay for loading
 * a schema library.
 */
import { timedeltaSeconds } from "../core/duration.ts";

/** A value, or what is wrong with the text. */
export type FieldResult<T> = { value: T } | { problem: string };

export type Field<T> = (text: string) => FieldResult<T>;

/** The value type a field reads. */
export type FieldValue<F> = F extends Field<infer T> ? T : never;

const ok = <T>(value: T): FieldResult<T> => ({ value });
const problem = (message: string): FieldResult<never> => ({ problem: message });

/** Any text, or (`nonEmpty`) any text but blanks. */
export function text(options: { nonEmpty?: boolean } = {}): Field<string> {
  return (v) => (options.nonEmpty && v.trim() === "" ? problem("must not be empty") : ok(v));
}

/** An absolute URL (`http(s)://…`). */
export function url(message: string): Field<string> {
  return (v) => {
    try {
      new URL(v);
      return ok(v);
    } catch {
      return problem(message);
    }
  };
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/** A boolean as pydantic reads one: 1/0, true/false, yes/no, on/off (any case). */
export function bool(): Field<boolean> {
  return (v) => {
    const t = v.trim().toLowerCase();
    if (TRUE.has(t)) return ok(true);
    if (FALSE.has(t)) return ok(false);
    return problem(`'${v}' is not a boolean: give true or false (1/0, yes/no, on/off)`);
  };
}

/** A number (`int`: whole), within `min`/`max`, `positive`: more than 0. */
export function number(
  options: { int?: boolean; min?: number; max?: number; positive?: boolean; message?: string } = {},
): Field<number> {
  const { int = false, min, max, positive = false } = options;
  const what =
    options.message ??
    `must be ${int ? "a whole number" : "a number"}${
      positive
        ? ", more than 0"
        : min !== undefined && max !== undefined
          ? ` from ${min} to ${max}`
          : min !== undefined
            ? `, ${min} or more`
            : ""
    }`;
  return (v) => {
    const n = v.trim() === "" ? Number.NaN : Number(v);
    if (!Number.isFinite(n)) return problem(`'${v}': ${what}`);
    if (int && !Number.isInteger(n)) return problem(`'${v}': ${what}`);
    if (positive && !(n > 0)) return problem(`'${v}': ${what}`);
    if (min !== undefined && n < min) return problem(`'${v}': ${what}`);
    if (max !== undefined && n > max) return problem(`'${v}': ${what}`);
    return ok(n);
  };
}

/** One of `values`, compared in upper case. */
export function upperOneOf<const V extends readonly string[]>(values: V): Field<V[number]> {
  return (v) => {
    const t = v.trim().toUpperCase();
    return (values as readonly string[]).includes(t)
      ? ok(t as V[number])
      : problem(`'${v}' is not one of ${values.join(", ")}`);
  };
}

/** A pydantic `timedelta`, as seconds: a number of seconds or an ISO 8601 duration, 0 or more. */
export function timedelta(): Field<number> {
  return (v) => {
    const seconds = timedeltaSeconds(v);
    if (!Number.isFinite(seconds)) {
      return problem(
        `'${v}' is not a duration: give seconds (3600) or an ISO 8601 duration (P7D, PT1H)`,
      );
    }
    if (seconds < 0) return problem(`'${v}' is negative: give a duration of 0 or more`);
    return ok(seconds);
  };
}

/** Seconds between heartbeats: whole seconds, 30 or more (Prefect's minimum), or off (null). */
export function heartbeatFrequency(): Field<number | null> {
  return (v) => {
    if (["off", "none", "false"].includes(v.trim().toLowerCase())) return ok(null);
    const seconds = Number(v);
    if (!Number.isInteger(seconds) || seconds < 30) {
      return problem(`'${v}': give whole seconds, 30 or more (Prefect's minimum), or 'off'`);
    }
    return ok(seconds);
  };
}

/** A comma-separated list of HTTP status codes (100–599). */
export function statusCodes(): Field<number[]> {
  return (v) => {
    const codes = v
      .split(",")
      .map((c) => c.trim())
      .filter((c) => c !== "")
      .map(Number);
    if (codes.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) {
      return problem(`'${v}' is not a list of HTTP status codes, such as 500,502`);
    }
    return ok(codes);
  };
}

/**
 * Read every field of `fields` that `picked` has; one list of every problem (`  NAME: problem`),
 * empty when all were read.
 */
export function readFields<F extends Record<string, Field<unknown>>>(
  fields: F,
  picked: Readonly<Record<string, string>>,
): { values: { [K in keyof F]?: FieldValue<F[K]> }; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, text] of Object.entries(picked)) {
    const field = fields[name];
    if (!field) continue;
    const result = field(text);
    if ("problem" in result) problems.push(`  ${name}: ${result.problem}`);
    else values[name] = result.value;
  }
  return { values: values as { [K in keyof F]?: FieldValue<F[K]> }, problems };
}

/**
 * Prefect's templating of `prefect.yaml` values and deployment steps (`prefect.utilities.templating`):
 * `{{ name }}` placeholders in strings, looked up in step outputs (`{{ step-id.stdout }}`), the
 * environment (`{{ $NAME }}`) or Prefect variables (`{{ prefect.variables.name }}`). A string that
 * is one placeholder and nothing else becomes the value itself (a number, an object); a
 * placeholder inside text is replaced by the value as text. Templates are plain JSON values.
 */
import { ValidationError } from "../core/errors.ts";

const PLACEHOLDER = /\{\{\s*([\w.\-[\]$]+)\s*\}\}/g;
const BLOCK_PREFIX = "prefect.blocks.";
const VARIABLE_PREFIX = "prefect.variables.";
const ENV_PREFIX = "$";

type Kind = "standard" | "block" | "variable" | "env";

interface Placeholder {
  full: string;
  name: string;
  kind: Kind;
}

/** A value no placeholder filled: dropped from objects and lists, as Prefect's `NotSet`. */
export const NOT_SET: unique symbol = Symbol("NotSet");
type Applied = unknown | typeof NOT_SET;

function kindOf(name: string): Kind {
  if (name.startsWith(BLOCK_PREFIX)) return "block";
  if (name.startsWith(VARIABLE_PREFIX)) return "variable";
  if (name.startsWith(ENV_PREFIX)) return "env";
  return "standard";
}

function placeholders(text: string): Placeholder[] {
  const seen = new Map<string, Placeholder>();
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    seen.set(m[0], { full: m[0], name, kind: kindOf(name) });
  }
  return [...seen.values()];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `a.b[0].c` in `values` (Prefect's `get_from_dict`), or `NOT_SET`. */
export function getFromDict(values: unknown, path: string): Applied {
  let current: unknown = values;
  for (const part of path.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return NOT_SET;
    const [, key = "", indexes = ""] = m;
    if (key !== "") {
      if (!isRecord(current) || !Object.hasOwn(current, key)) return NOT_SET;
      current = current[key];
    }
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(current)) return NOT_SET;
      const i = Number(index[1]);
      if (i >= current.length) return NOT_SET;
      current = current[i];
    }
  }
  return current;
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export interface ApplyOptions {
  /** Drop what no value filled (default true); false leaves the placeholder as it was. */
  removeNotSet?: boolean;
  /** The environment `{{ $NAME }}` reads (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Told of each placeholder no value filled (a missing step output or variable). */
  onNotSet?: (placeholder: string) => void;
}

/**
 * Fill the step-output and environment placeholders of `template` from `values` and the
 * environment (Prefect's `apply_values`). Variables are left for `resolveVariables`.
 */
export function applyValues(
  template: unknown,
  values: Record<string, unknown>,
  options: ApplyOptions = {},
): Applied {
  const removeNotSet = options.removeNotSet ?? true;
  const env = options.env ?? process.env;
  if (typeof template === "string") {
    const found = placeholders(template);
    if (found.length === 0) return template;
    const only = found.length === 1 ? found[0] : undefined;
    if (only && only.full === template && only.kind === "standard") {
      const value = getFromDict(values, only.name);
      if (value === NOT_SET) {
        options.onNotSet?.(only.full);
        return removeNotSet ? NOT_SET : template;
      }
      return value;
    }
    let text = template;
    for (const p of found) {
      let value: Applied;
      if (p.kind === "standard") value = getFromDict(values, p.name);
      else if (p.kind === "env") value = env[p.name.slice(ENV_PREFIX.length)] ?? NOT_SET;
      else continue;
      if (value === NOT_SET) {
        if (!removeNotSet) continue;
        options.onNotSet?.(p.full);
        text = text.split(p.full).join("");
      } else {
        text = text.split(p.full).join(asText(value));
      }
    }
    return text;
  }
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (const item of template) {
      const applied = applyValues(item, values, options);
      if (applied !== NOT_SET) out.push(applied);
    }
    return out;
  }
  if (isRecord(template)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(template)) {
      const applied = applyValues(item, values, options);
      if (applied !== NOT_SET) out[key] = applied;
      else if (!removeNotSet) out[key] = item;
    }
    return out;
  }
  return template;
}

/** `applyValues` that keeps the template's type (what no value filled is dropped). */
export function applyValuesTo<T>(
  template: T,
  values: Record<string, unknown>,
  o?: ApplyOptions,
): T {
  const applied = applyValues(template, values, o);
  return (applied === NOT_SET ? undefined : applied) as T;
}

/** Reads a Prefect variable's value by name; `null` when there is none. */
export type VariableReader = (name: string) => Promise<unknown>;

/**
 * Fill `{{ prefect.variables.name }}` placeholders (Prefect's `resolve_variables`): a string that
 * is one such placeholder becomes the variable's value; a missing variable is the empty string.
 * Without a reader, a variable placeholder is an error naming it.
 */
export async function resolveVariables<T>(template: T, read: VariableReader | null): Promise<T> {
  if (typeof template === "string") {
    const found = placeholders(template).filter((p) => p.kind === "variable");
    if (found.length === 0) return template;
    const value = async (p: Placeholder) => {
      const name = p.name.slice(VARIABLE_PREFIX.length);
      if (!read)
        throw new ValidationError(
          `${p.full}: Prefect variables cannot be read here (no variables API in this client)`,
        );
      return read(name);
    };
    const [first] = found;
    if (found.length === 1 && first && first.full === template) {
      const v = await value(first);
      return (v ?? "") as T;
    }
    let text: string = template;
    for (const p of found) text = text.split(p.full).join(asText(await value(p)));
    return text as T;
  }
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (const item of template) out.push(await resolveVariables(item, read));
    return out as T;
  }
  if (isRecord(template)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(template))
      out[key] = await resolveVariables(item, read);
    return out as T;
  }
  return template;
}

/** The block placeholders of a template (`{{ prefect.blocks.type.name }}`), which prefect-ts cannot fill yet. */
export function blockPlaceholders(template: unknown): string[] {
  if (typeof template === "string")
    return placeholders(template)
      .filter((p) => p.kind === "block")
      .map((p) => p.full);
  if (Array.isArray(template)) return template.flatMap(blockPlaceholders);
  if (isRecord(template)) return Object.values(template).flatMap(blockPlaceholders);
  return [];
}

/** Refuse block references with a message naming them. */
export function refuseBlocks(template: unknown, where: string): void {
  const blocks = blockPlaceholders(template);
  if (blocks.length > 0)
    throw new ValidationError(
      `${where}: block references are not supported in prefect-ts yet (${blocks.join(", ")}); use {{ $ENV_NAME }} or {{ prefect.variables.name }}`,
    );
}

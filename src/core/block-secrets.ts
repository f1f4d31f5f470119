/**
 * Secret fields of block data (a schema's `secret_fields`: dotted paths such as `password`,
 * `child.token`, `headers.*`): masked as `********` when data is answered without secrets, and
 * kept when an update sends back the masked value (Prefect's `BlockDocument.from_orm_model` and
 * `update_block_document`).
 */
import { OBFUSCATED } from "./blocks.ts";

type Data = Record<string, unknown>;

const isObject = (v: unknown): v is Data =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The secret paths a schema's fields name (`secret_fields`), split at dots. */
export function secretPaths(fields: Record<string, unknown> | null | undefined): string[][] {
  const listed = fields?.secret_fields;
  if (!Array.isArray(listed)) return [];
  return [...new Set(listed.filter((p): p is string => typeof p === "string"))].map((p) =>
    p.split("."),
  );
}

/** Every value below `value` replaced (objects walked; anything else is a leaf). */
function maskAll(value: unknown): unknown {
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v)]));
  return OBFUSCATED;
}

/** A deep copy of `data` (JSON values) with the values at the secret paths masked. */
export function maskSecrets(data: Data, paths: readonly string[][]): Data {
  const copy = structuredClone(data);
  for (const path of paths) {
    const star = path.indexOf("*");
    const prefix = star === -1 ? path : path.slice(0, star);
    if (prefix.length === 0) {
      for (const key of Object.keys(copy)) copy[key] = maskAll(copy[key]);
      continue;
    }
    let parent: unknown = copy;
    for (const key of prefix.slice(0, -1)) parent = isObject(parent) ? parent[key] : undefined;
    const last = prefix[prefix.length - 1] as string;
    if (!isObject(parent) || parent[last] === undefined || parent[last] === null) continue;
    parent[last] = star === -1 ? OBFUSCATED : maskAll(parent[last]);
  }
  return copy;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return value;
}

/**
 * `update` with every masked value at a secret path put back to what `current` holds there: a
 * caller that sends back what it read (masked) does not overwrite the secret with the mask.
 */
export function restoreMaskedSecrets(
  update: Data,
  current: Data,
  paths: readonly string[][],
): Data {
  const out = structuredClone(update);
  const restore = (at: unknown, was: unknown): unknown => {
    if (at === OBFUSCATED) return was === undefined ? at : was;
    if (isObject(at) && isObject(was)) {
      for (const key of Object.keys(at)) at[key] = restore(at[key], was[key]);
    }
    return at;
  };
  for (const path of paths) {
    const star = path.indexOf("*");
    const prefix = star === -1 ? path : path.slice(0, star);
    if (prefix.length === 0) continue;
    const parent = valueAt(out, prefix.slice(0, -1));
    const last = prefix[prefix.length - 1] as string;
    if (!isObject(parent) || !(last in parent)) continue;
    parent[last] = restore(parent[last], valueAt(current, prefix));
  }
  return out;
}

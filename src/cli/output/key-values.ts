/** A readable key/value rendering of a record (what `inspect` prints without `-o json`). */

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

function isInline(value: unknown): boolean {
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  if (Array.isArray(value)) return value.every((v) => !isPlainObject(v) && !Array.isArray(v));
  return true;
}

/**
 * `key: value` lines, keys padded to a common column per level; nested objects indent by two
 * spaces under their key; lists of scalars and empty objects stay on one line as JSON.
 */
export function renderKeyValues(record: Record<string, unknown>, indent = 0): string[] {
  const keys = Object.keys(record);
  const keyWidth = Math.max(0, ...keys.map((k) => k.length + 1));
  const prefix = " ".repeat(indent);
  const lines: string[] = [];
  for (const key of keys) {
    const value = record[key];
    if (isInline(value)) {
      const text =
        Array.isArray(value) || isPlainObject(value) ? JSON.stringify(value) : scalar(value);
      lines.push(`${prefix}${`${key}:`.padEnd(keyWidth)} ${text}`.trimEnd());
    } else if (Array.isArray(value)) {
      lines.push(`${prefix}${key}:`);
      value.forEach((item, i) => {
        if (isPlainObject(item)) lines.push(...renderKeyValues({ [`[${i}]`]: item }, indent + 2));
        else lines.push(`${prefix}  - ${JSON.stringify(item)}`);
      });
    } else if (isPlainObject(value)) {
      lines.push(`${prefix}${key}:`);
      lines.push(...renderKeyValues(value, indent + 2));
    }
  }
  return lines;
}

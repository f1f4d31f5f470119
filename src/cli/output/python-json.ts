/**
 * JSON as Python's `json.dumps(value)` writes it (what Prefect's CLI prints for a variable's
 * value): `", "` and `": "` between items, keys in their order, non-ASCII escaped (`\u00e9`).
 */

function pythonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "NaN";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (typeof value === "object") {
    const items = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `${pythonString(key)}: ${pythonJson(item)}`,
    );
    return `{${items.join(", ")}}`;
  }
  return pythonString(String(value));
}

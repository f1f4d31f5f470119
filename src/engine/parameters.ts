/**
 * Parameters of flows and tasks: names read from the function's source, the call's arguments
 * bound to them, and run-name templates such as `"fetch-{url}"`.
 */

/** Parameter names of a function, from its source (`(a, b = 1, ...rest)` → `["a", "b", "rest"]`). */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const src = Function.prototype.toString.call(fn);
  let params: string;
  const arrow = /^(?:async\s*)?(?:\(([^)]*)\)|([A-Za-z_$][\w$]*))\s*=>/.exec(src);
  if (arrow) params = arrow[1] ?? arrow[2] ?? "";
  else {
    const m = /^[^(]*\(([^)]*)\)/.exec(src);
    params = m?.[1] ?? "";
  }
  const names: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of params) {
    if (ch === "{" || ch === "[" || ch === "(") depth++;
    if (ch === "}" || ch === "]" || ch === ")") depth--;
    if (ch === "," && depth === 0) {
      names.push(current);
      current = "";
    } else current += ch;
  }
  if (current.trim()) names.push(current);
  return names.map((raw, i) => {
    const name =
      raw
        .replace(/\/\*.*?\*\//g, "")
        .split("=")[0]
        ?.replace(/\.\.\./, "")
        .replace(/:.*$/s, "")
        .trim() ?? "";
    return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `__arg${i}`;
  });
}

/** Bind call arguments to parameter names. A single destructured object argument is the parameters. */
export function bindParameters(
  names: readonly string[],
  args: readonly unknown[],
): Record<string, unknown> {
  if (args.length === 1 && names.length <= 1 && names[0]?.startsWith("__arg")) {
    const only = args[0];
    if (only !== null && typeof only === "object" && !Array.isArray(only))
      return { ...(only as object) };
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) out[names[i] ?? `__arg${i}`] = args[i];
  return out;
}

/** Fill `{name}` placeholders of a run-name template from parameters. */
export function formatRunName(template: string, parameters: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z_$][\w$.]*)\}/g, (whole, key: string) => {
    let value: unknown = parameters;
    for (const part of key.split(".")) {
      if (value === null || typeof value !== "object") return whole;
      value = (value as Record<string, unknown>)[part];
    }
    if (value === undefined) return whole;
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

/** A JSON-safe copy of parameters for storage (functions, symbols and cycles dropped). */
export function jsonSafe(value: unknown): unknown {
  const seen = new WeakSet<object>();
  try {
    return JSON.parse(
      JSON.stringify(value, (_k, v: unknown) => {
        if (typeof v === "bigint") return v.toString();
        if (typeof v === "function" || typeof v === "symbol") return undefined;
        if (v !== null && typeof v === "object") {
          if (seen.has(v)) return "<cycle>";
          seen.add(v);
        }
        return v;
      }) ?? "null",
    );
  } catch {
    return null;
  }
}

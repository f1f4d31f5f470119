/** This package's version, from its package.json (the same relative place from src/ and dist/). */
import { readFileSync } from "node:fs";

let cached: string | undefined;

/** `version` of package.json, or "unknown" when it cannot be read. */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  cached = "unknown";
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "version" in parsed) {
      cached = String(parsed.version);
    }
  } catch {
    // stays "unknown"
  }
  return cached;
}

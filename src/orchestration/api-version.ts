/** `X-Prefect-Api-Version` comparisons for the transforms that depend on it. */
import type { BaseOrchestrationContext } from "./context.ts";

function parts(version: string): number[] {
  return version.split(".").map((p) => Number.parseInt(p, 10) || 0);
}

/** True when the caller sent no api-version, or one at least `minimum`. */
export function apiVersionAtLeast(ctx: BaseOrchestrationContext, minimum: string): boolean {
  const value = ctx.parameters.get("api-version");
  if (typeof value !== "string" || value === "") return true;
  const a = parts(value);
  const b = parts(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

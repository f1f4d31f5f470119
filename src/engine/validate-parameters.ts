/** Validate flow parameters against a Standard Schema, with messages that name the field. */
import type { StandardSchemaLike } from "./flow-spec.ts";

export type ParameterValidation =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string; issues: string[] };

function pathOf(
  path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined,
): string {
  if (!path || path.length === 0) return "(root)";
  return path.map((p) => String(typeof p === "object" && p !== null ? p.key : p)).join(".");
}

export async function validateParameters(
  schema: StandardSchemaLike,
  parameters: Record<string, unknown>,
): Promise<ParameterValidation> {
  const result = await schema["~standard"].validate(parameters);
  if (result.issues === undefined) {
    const value = result.value;
    return {
      ok: true,
      value: (value !== null && typeof value === "object" ? value : {}) as Record<string, unknown>,
    };
  }
  const issues = result.issues.map((i) => `${pathOf(i.path)}: ${i.message}`);
  return {
    ok: false,
    issues,
    message: `Validation of flow parameters failed with error:\n${issues.map((i) => `  - ${i}`).join("\n")}`,
  };
}

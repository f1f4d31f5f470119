/**
 * A flow run's job configuration (Prefect's `BaseJobConfiguration.from_template_and_values`): the
 * pool's `base_job_template.job_configuration` with its `{{ placeholders }}` filled from the job
 * variables — the template's defaults, under the deployment's `job_variables`, under the run's.
 * A value that is exactly one placeholder takes the variable's value as it is (an object, a
 * number, null); placeholders inside a longer string are replaced by the value's text. A
 * placeholder with no value is null (alone) or empty (in a string).
 */
import type { BaseJobTemplate } from "../core/work-pools.ts";

const ONLY = /^\s*\{\{\s*([\w.-]+)\s*\}\}\s*$/;
const ANY = /\{\{\s*([\w.-]+)\s*\}\}/g;

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The defaults of the template's variables (its JSON Schema's `properties.*.default`). */
export function templateDefaults(template: BaseJobTemplate): Record<string, unknown> {
  const properties = asRecord(asRecord(template.variables).properties);
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    const s = asRecord(schema);
    if ("default" in s) out[name] = s.default;
  }
  return out;
}

function fill(value: unknown, variables: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const only = ONLY.exec(value);
    if (only?.[1] !== undefined) return variables[only[1]] ?? null;
    return value.replace(ANY, (_, name: string) => {
      const v = variables[name];
      if (v === undefined || v === null) return "";
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, variables));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fill(v, variables);
    return out;
  }
  return value;
}

/** The job configuration of a run: the template filled from the variables, later ones winning. */
export function jobConfiguration(
  template: BaseJobTemplate | null | undefined,
  ...variables: (Record<string, unknown> | null | undefined)[]
): Record<string, unknown> {
  const t = template ?? {};
  const merged: Record<string, unknown> = { ...templateDefaults(t) };
  for (const v of variables) if (v) Object.assign(merged, v);
  const configuration = asRecord(t.job_configuration);
  return asRecord(fill(Object.keys(configuration).length ? configuration : {}, merged));
}

/** What the process worker reads of a job configuration. */
export interface ProcessJobConfiguration {
  /** The command that runs the flow run; null: `prefect-ts flow-run execute` (a warm process). */
  command: string | null;
  env: Record<string, string>;
  labels: Record<string, string>;
  name: string | null;
  streamOutput: boolean;
  workingDir: string | null;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value))) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/** The process worker's view of a job configuration. */
export function processJobConfiguration(
  configuration: Record<string, unknown>,
): ProcessJobConfiguration {
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);
  return {
    command: text(configuration.command),
    env: stringRecord(configuration.env),
    labels: stringRecord(configuration.labels),
    name: text(configuration.name),
    streamOutput: configuration.stream_output !== false,
    workingDir: text(configuration.working_dir),
  };
}

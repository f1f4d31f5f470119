/**
 * Job variables held to a work pool's base job template, as Prefect's server holds them
 * (`prefect.server.api.validation`): the variables are the template's defaults, then the
 * deployment's `job_variables`, then the run's, checked against the template's `variables` JSON
 * Schema. A deployment's are checked without the schema's `required` (the run may give them); a
 * run's with it, unless a default of the template itself does not validate. `null` passes for a
 * variable with a default (Prefect's `allow_none_with_default`). A refusal is a 422 naming the
 * field: `Error creating deployment: Validation failed for field 'env'. Failure reason: 1 is not
 * of type 'object'`.
 */
import { InvalidRequestError } from "../../core/errors.ts";
import type { BaseJobTemplate } from "../../core/work-pools.ts";
import { CircularSchemaError, parameterProblem } from "../deployments/parameter-validation.ts";

type Vars = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The template's `variables` schema, or null when it has none to check against. */
function variablesSchema(template: BaseJobTemplate | null | undefined): Vars | null {
  const schema = template?.variables;
  return isObject(schema) && Object.keys(schema).length > 0 ? schema : null;
}

function properties(schema: Vars): Vars {
  return isObject(schema.properties) ? schema.properties : {};
}

/** The schema's problem with `values`, or null; a schema that cannot be compiled is a 422. */
async function problemOf(
  values: Vars,
  schema: Vars,
  ignoreRequired: boolean,
): Promise<string | null> {
  // a null given for a variable with a default counts as not given (Prefect allows it)
  const props = properties(schema);
  const checked = Object.fromEntries(
    Object.entries(values).filter(
      ([key, value]) => !(value === null && isObject(props[key]) && "default" in props[key]),
    ),
  );
  try {
    return await parameterProblem(checked, schema, { ignoreRequired });
  } catch (error) {
    if (error instanceof CircularSchemaError) {
      throw new InvalidRequestError(`Invalid schema: ${error.message}`);
    }
    throw error;
  }
}

/** The template's defaults; those that do not validate are left out and reported. */
async function defaultsOf(schema: Vars): Promise<{ defaults: Vars; invalid: boolean }> {
  const defaults: Vars = {};
  let invalid = false;
  for (const [name, attrs] of Object.entries(properties(schema))) {
    if (!isObject(attrs) || !("default" in attrs)) continue;
    if (await problemOf({ [name]: attrs.default }, schema, true)) invalid = true;
    else defaults[name] = attrs.default;
  }
  return { defaults, invalid };
}

/**
 * A pool's template as created or updated: its defaults must validate against its own schema
 * (`Validation failed for work pool's job variable defaults: …`).
 */
export async function checkBaseJobTemplate(template: BaseJobTemplate | null | undefined) {
  const schema = variablesSchema(template);
  if (!schema) return;
  const defaults: Vars = {};
  for (const [name, attrs] of Object.entries(properties(schema))) {
    if (isObject(attrs) && "default" in attrs) defaults[name] = attrs.default;
  }
  const problem = await problemOf(defaults, schema, true);
  if (problem) {
    throw new InvalidRequestError(
      `Validation failed for work pool's job variable defaults: ${problem}`,
    );
  }
}

/** A deployment's job variables (`created`: on create, else on update); required ones may wait. */
export async function checkDeploymentJobVariables(
  template: BaseJobTemplate | null | undefined,
  jobVariables: Vars | null | undefined,
  created: boolean,
): Promise<void> {
  const schema = variablesSchema(template);
  if (!schema || !jobVariables || Object.keys(jobVariables).length === 0) return;
  const { defaults } = await defaultsOf(schema);
  const problem = await problemOf({ ...defaults, ...jobVariables }, schema, true);
  if (problem) {
    const verb = created ? "creating" : "updating";
    throw new InvalidRequestError(`Error ${verb} deployment: ${problem}`);
  }
}

/** A run's job variables over its deployment's: all of them must now be there. */
export async function checkFlowRunJobVariables(
  template: BaseJobTemplate | null | undefined,
  deploymentVariables: Vars | null | undefined,
  runVariables: Vars | null | undefined,
  verb: "creating" | "updating" = "creating",
): Promise<void> {
  const schema = variablesSchema(template);
  if (!schema) return;
  const { defaults, invalid } = await defaultsOf(schema);
  const values = { ...defaults, ...(deploymentVariables ?? {}), ...(runVariables ?? {}) };
  const problem = await problemOf(values, schema, invalid);
  if (problem) throw new InvalidRequestError(`Error ${verb} flow run: ${problem}`);
}

/**
 * From a `prefect.yaml` and the options of `prefect-ts deploy` to the deployments to register, as
 * Prefect's `prefect deploy` does it: pick the file's deployments (`--name`, `--all`), lay the
 * command line's options over the one picked, fill the templates (variables and the environment
 * first, then — once the `build` and `push` steps have run — their outputs), and keep the `pull`
 * steps as written (a worker fills them when it runs them), or Prefect's default for a project on
 * this machine.
 */
import { relative, resolve, sep } from "node:path";
import type { DeploymentScheduleOptions, ScheduleInput } from "../client/deployments-api.ts";
import { ValidationError } from "../core/errors.ts";
import type { FlowDeployOptions } from "../sdk/deploy.ts";
import type {
  DeploymentConfig,
  DeploymentEntry,
  PrefectYaml,
  ScheduleConfig,
} from "./prefect-yaml.ts";
import { runSteps, setWorkingDirectoryStep } from "./pull-steps.ts";
import type { DeploymentStep } from "./steps.ts";
import {
  applyValuesTo,
  refuseBlocks,
  resolveVariables,
  type VariableReader,
} from "./templating.ts";

/** What the command line says of a deployment (all optional: the file may say it). */
export interface DeployOverrides {
  entrypoint?: string;
  name?: string;
  pool?: string;
  workQueue?: string;
  cron: string[];
  interval: number[];
  rrule: string[];
  timezone?: string;
  anchorDate?: string;
  param?: Record<string, unknown>;
  params?: Record<string, unknown>;
  jobVariables?: Record<string, unknown>;
  tags: string[];
  description?: string;
  version?: string;
  concurrencyLimit?: number;
  enforceParameterSchema?: boolean;
  paused?: boolean;
}

/** True when the command line gives any deployment field (ignored when several are deployed). */
export function hasOverrides(o: DeployOverrides): boolean {
  return (
    o.entrypoint !== undefined ||
    o.pool !== undefined ||
    o.workQueue !== undefined ||
    o.cron.length + o.interval.length + o.rrule.length + o.tags.length > 0 ||
    o.timezone !== undefined ||
    o.anchorDate !== undefined ||
    o.param !== undefined ||
    o.params !== undefined ||
    o.jobVariables !== undefined ||
    o.description !== undefined ||
    o.version !== undefined ||
    o.concurrencyLimit !== undefined ||
    o.enforceParameterSchema !== undefined ||
    o.paused !== undefined
  );
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

/** The export an entrypoint names, as Prefect matches `flow/deployment` against it. */
const exportOf = (config: DeploymentConfig) => (config.entrypoint ?? "").split(":").pop() ?? "";

function matches(entry: DeploymentEntry, name: string): boolean {
  const slash = name.indexOf("/");
  const deploymentName = slash >= 0 ? name.slice(slash + 1) : name;
  if (!entry.config.name || !glob(deploymentName).test(entry.config.name)) return false;
  if (slash < 0) return true;
  const flow = glob(name.slice(0, slash));
  const candidates = [exportOf(entry.config), entry.config.flow_name ?? ""];
  return candidates.some(
    (c) =>
      c !== "" &&
      (flow.test(c) || flow.test(c.replace(/_/g, "-")) || flow.test(c.replace(/-/g, "_"))),
  );
}

export interface Picked {
  entries: DeploymentEntry[];
  warnings: string[];
}

/**
 * The deployments of the file to deploy (Prefect's rules without prompts): every one with `all`;
 * those matching `names` (`name`, `flow/name`, `*` patterns); the only one there is; or, when the
 * file has none or none matches, a new one from the command line alone.
 */
export function pickDeployments(file: PrefectYaml | null, names: string[], all: boolean): Picked {
  const entries = file?.deployments ?? [];
  const warnings: string[] = [];
  const fresh: DeploymentEntry = { config: {}, location: "the command line" };
  if (all && names.length > 0)
    throw new ValidationError(
      "Cannot use both `--all` and `--name` at the same time. Use only one.",
    );
  if (entries.length === 0) {
    if (all) throw new ValidationError(`--all: ${file?.file ?? "prefect.yaml"} has no deployments`);
    return { entries: [fresh], warnings };
  }
  if (all) return { entries, warnings };
  if (names.length <= 1 && entries.length === 1) {
    const [only] = entries as [DeploymentEntry];
    const [name] = names;
    if (name === undefined || matches(only, name) || !only.config.name)
      return { entries, warnings };
  }
  if (names.length === 0)
    throw new ValidationError(
      `${file?.file}: it has ${entries.length} deployments and no name was given; choose with --name NAME (or deploy them all with --all)`,
    );
  const picked: DeploymentEntry[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const found = entries.filter((e) => matches(e, name));
    if (found.length === 0) missing.push(name);
    for (const e of found) if (!picked.includes(e)) picked.push(e);
  }
  if (picked.length === 0) {
    warnings.push(
      `No deployment of ${file?.file} is named ${names.map((n) => `'${n}'`).join(", ")}: deploying a new one from the command line.`,
    );
    return { entries: [{ ...fresh }], warnings };
  }
  if (missing.length > 0)
    warnings.push(
      `These deployment(s) could not be found and will not be deployed: ${missing.join(", ")}`,
    );
  return { entries: picked, warnings };
}

/** The entry's config with the command line laid over it (Prefect's `_apply_cli_options_to_deploy_config`). */
export function applyOverrides(
  config: DeploymentConfig,
  o: DeployOverrides,
  names: string[],
): DeploymentConfig {
  const out: DeploymentConfig = structuredClone(config);
  if (o.param && o.params)
    throw new ValidationError("Can only pass one of `--param` or `--params` options");
  if (names.length === 1) out.name = (names[0] as string).split("/").pop() ?? null;
  if (o.entrypoint !== undefined) out.entrypoint = o.entrypoint;
  if (o.description !== undefined) out.description = o.description;
  if (o.version !== undefined) out.version = o.version;
  if (o.tags.length > 0) out.tags = o.tags;
  if (o.concurrencyLimit !== undefined) out.concurrency_limit = o.concurrencyLimit;
  if (o.enforceParameterSchema !== undefined)
    out.enforce_parameter_schema = o.enforceParameterSchema;
  if (o.paused !== undefined) out.paused = o.paused;
  if (o.pool !== undefined || o.workQueue !== undefined || o.jobVariables !== undefined) {
    const pool = { ...(out.work_pool ?? {}) };
    if (o.pool !== undefined) pool.name = o.pool;
    if (o.workQueue !== undefined) pool.work_queue_name = o.workQueue;
    if (o.jobVariables !== undefined)
      pool.job_variables = { ...(pool.job_variables ?? {}), ...o.jobVariables };
    out.work_pool = pool;
  }
  const added: ScheduleConfig[] = [
    ...o.cron.map((cron) => ({ cron })),
    ...o.interval.map((interval) => ({ interval })),
    ...o.rrule.map((rrule) => ({ rrule })),
  ];
  if (added.length > 0) out.schedules = [...(out.schedules ?? []), ...added];
  for (const s of out.schedules ?? []) {
    if (o.anchorDate && s.interval !== undefined) s.anchor_date = o.anchorDate;
    if (o.timezone) s.timezone = o.timezone;
  }
  const parameters = o.param ?? o.params;
  if (parameters) out.parameters = { ...(out.parameters ?? {}), ...parameters };
  return out;
}

/** A schedule of the file as the API takes it. */
function scheduleOf(s: ScheduleConfig, where: string): DeploymentScheduleOptions {
  const kinds = (["cron", "interval", "rrule"] as const).filter((k) => s[k] !== undefined);
  if (kinds.length !== 1)
    throw new ValidationError(
      `${where}: a schedule has one of cron, interval or rrule${kinds.length > 1 ? ` (it has ${kinds.join(", ")})` : ""}`,
    );
  const timezone = s.timezone ?? undefined;
  let schedule: ScheduleInput;
  if (s.cron !== undefined)
    schedule = { cron: s.cron, timezone, ...(s.day_or === undefined ? {} : { day_or: s.day_or }) };
  else if (s.rrule !== undefined) schedule = { rrule: s.rrule, timezone };
  else {
    const interval = Number(s.interval);
    if (!Number.isFinite(interval) || interval <= 0)
      throw new ValidationError(
        `${where}: interval '${s.interval}' is not a positive number of seconds`,
      );
    schedule = { interval, anchor_date: s.anchor_date ?? undefined, timezone };
  }
  let active: boolean | undefined;
  if (typeof s.active === "string") {
    if (!/^(true|false)$/i.test(s.active))
      throw new ValidationError(`${where}: active '${s.active}' is not true or false`);
    active = s.active.toLowerCase() === "true";
  } else active = s.active;
  return {
    schedule,
    active,
    parameters: s.parameters ?? undefined,
    slug: s.slug ?? undefined,
    maxScheduledRuns: s.max_scheduled_runs ?? undefined,
  };
}

export interface DeployContext {
  /** The project's directory: the entrypoint is relative to it, steps start in it. */
  projectDir: string;
  env: NodeJS.ProcessEnv;
  readVariable: VariableReader | null;
  log(line: string): void;
  warn(line: string): void;
}

/** A deployment ready to register: its entrypoint, and the options of `flow.deploy()`. */
export interface PreparedDeployment {
  location: string;
  entrypoint: string;
  /** The options without the entrypoint-dependent defaults the flow adds (version, description). */
  options: FlowDeployOptions;
}

type Sections = Pick<PrefectYaml, "build" | "push" | "pull"> | null;

/** `path/to/file.ts:export` relative to the project, with `/` (what a worker resolves). */
export function normalizeEntrypoint(entrypoint: string, projectDir: string): string {
  const colon = entrypoint.lastIndexOf(":");
  if (colon <= 0 || colon === entrypoint.length - 1)
    throw new ValidationError(
      `Invalid entrypoint '${entrypoint}': give it as path/to/file.ts:flowVariable (the file relative to ${projectDir}, a colon, the flow's export)`,
    );
  const file = relative(projectDir, resolve(projectDir, entrypoint.slice(0, colon)));
  return `${file.split(sep).join("/")}:${entrypoint.slice(colon + 1)}`;
}

/**
 * The first half of deploying one entry: the templates of the file filled from variables and the
 * environment, and the fields a deployment cannot go without checked (entrypoint, name, pool).
 */
export async function resolveConfig(
  entry: DeploymentEntry,
  ctx: DeployContext,
): Promise<{ config: DeploymentConfig; entrypoint: string; name: string; pool: string }> {
  const where = entry.location;
  const source = entry.config;
  if (source.schedule && source.schedules)
    throw new ValidationError(
      `${where}: both 'schedule' and 'schedules' are given; use only 'schedules'`,
    );
  const { build: _b, push: _p, pull: _l, ...fields } = source;
  if (fields.schedule) {
    fields.schedules = [fields.schedule];
    delete fields.schedule;
  }
  refuseBlocks(fields, where);
  let config = await resolveVariables(fields, ctx.readVariable);
  config = applyValuesTo(config, {}, { env: ctx.env, removeNotSet: false });
  if (config.triggers?.length)
    ctx.warn(`${where}: triggers are not supported in prefect-ts yet; ignored.`);
  if (config.sla?.length) ctx.warn(`${where}: SLAs are not supported in prefect-ts yet; ignored.`);
  if (!config.entrypoint)
    throw new ValidationError(
      `${where}: an entrypoint must be provided: prefect-ts deploy path/to/file.ts:flowVariable, or 'entrypoint' in the deployment of prefect.yaml`,
    );
  if (!config.name)
    throw new ValidationError(
      `${where}: a deployment name must be provided: --name NAME, or 'name' in prefect.yaml`,
    );
  const pool = config.work_pool?.name;
  if (!pool)
    throw new ValidationError(
      `${where}: a work pool is required to deploy this flow: --pool NAME, or work_pool.name in prefect.yaml (create one with prefect-ts work-pool create NAME --type process)`,
    );
  return {
    config,
    entrypoint: normalizeEntrypoint(config.entrypoint, ctx.projectDir),
    name: config.name,
    pool,
  };
}

/**
 * The second half: run the `build` and `push` steps (the entry's own, else the file's), fill the
 * templates with their outputs, and make the options of `flow.deploy()`.
 */
export async function finishConfig(
  entry: DeploymentEntry,
  resolved: Awaited<ReturnType<typeof resolveConfig>>,
  sections: Sections,
  ctx: DeployContext,
): Promise<PreparedDeployment> {
  const where = entry.location;
  const own = entry.config;
  const pick = (key: "build" | "push" | "pull"): DeploymentStep[] =>
    (own[key] !== undefined ? own[key] : sections?.[key]) ?? [];
  const stepOptions = {
    cwd: ctx.projectDir,
    env: ctx.env,
    readVariable: ctx.readVariable,
    log: ctx.log,
  };
  let outputs: Record<string, unknown> = {};
  const build = pick("build");
  if (build.length > 0) {
    ctx.log("Running deployment build steps...");
    outputs = (await runSteps(build, { ...stepOptions, section: "build" })).outputs;
  }
  const push = pick("push");
  if (push.length > 0) {
    ctx.log("Running deployment push steps...");
    outputs = (await runSteps(push, { ...stepOptions, section: "push", outputs })).outputs;
  }
  const notSet = (placeholder: string) =>
    ctx.warn(
      `${where}: ${placeholder} has no value (no step output or environment variable of that name)`,
    );
  const config = applyValuesTo(resolved.config, outputs, { env: ctx.env, onNotSet: notSet });
  const schedules = (config.schedules ?? []).map((s, i) =>
    scheduleOf(s, `${where}: schedules[${i}]`),
  );
  const written = pick("pull");
  refuseBlocks(written, `${where}: pull`);
  const pullSteps =
    written.length > 0
      ? applyValuesTo(written, outputs, { env: ctx.env, removeNotSet: false })
      : [setWorkingDirectoryStep(ctx.projectDir)];
  const limit = config.concurrency_limit;
  const options: FlowDeployOptions = {
    name: resolved.name,
    workPoolName: resolved.pool,
    workQueueName: config.work_pool?.work_queue_name ?? undefined,
    jobVariables: config.work_pool?.job_variables ?? {},
    parameters: config.parameters ?? {},
    schedules,
    tags: config.tags ?? [],
    description: config.description ?? undefined,
    version: config.version ?? undefined,
    paused: config.paused ?? undefined,
    enforceParameterSchema: config.enforce_parameter_schema ?? undefined,
    concurrencyLimit:
      typeof limit === "object" && limit !== null
        ? { limit: limit.limit, collisionStrategy: limit.collision_strategy }
        : (limit ?? undefined),
    entrypoint: resolved.entrypoint,
    path: ctx.projectDir,
    pullSteps,
  };
  return { location: where, entrypoint: resolved.entrypoint, options };
}

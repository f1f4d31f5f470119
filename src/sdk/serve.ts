/**
 * `flow.serve(options)`, `flow.toDeployment(options)` and `serve(...deployments, options)`: register
 * deployments of flows and run their flow runs in this process's children, as they come (Prefect's
 * `flow.serve`, `flow.to_deployment` and `serve`). The runner is loaded only when serving.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { DeploymentScheduleOptions, ScheduleInput } from "../client/deployments-api.ts";
import type { CollisionStrategy } from "../core/deployments.ts";
import { ValidationError } from "../core/errors.ts";
import { entrypointMode } from "../engine/flow-handle.ts";
import type { FlowSpec } from "../engine/flow-spec.ts";
import { isRunnerDeployment, type RunnerDeployment, type RunnerOptions } from "../runner/types.ts";
import { type DefinitionSite, entrypointOf } from "./definition-site.ts";

export type { RunnerDeployment, RunnerOptions };

/** A schedule as `schedules` takes it: a schedule, or a schedule with its options. */
export type ScheduleOption = ScheduleInput | DeploymentScheduleOptions;

export interface DeploymentOptions {
  /** The deployment's name (default: the flow's name). */
  name?: string;
  /** Cron expression(s), in `timezone`. */
  cron?: string | readonly string[];
  /** Interval(s) in seconds, from `anchorDate`. */
  interval?: number | readonly number[];
  /** RRule string(s). */
  rrule?: string | readonly string[];
  /** More schedules, with their own options (`active`, `parameters`, `slug`, …). */
  schedules?: readonly ScheduleOption[];
  /** IANA time zone of `cron`, `interval` and `rrule` (default UTC). */
  timezone?: string;
  /** Where intervals start from (ISO 8601). */
  anchorDate?: string;
  /** Parameters of the deployment's runs (a run's own parameters go over them). */
  parameters?: Record<string, unknown>;
  /** Refuse runs whose parameters do not match the flow's schema (default true). */
  enforceParameterSchema?: boolean;
  tags?: string[];
  description?: string;
  /** Default: the flow's version, else a hash of the flow's module. */
  version?: string;
  /** Runs of this deployment at once, across every process: a number, or with what to do over it. */
  concurrencyLimit?: number | { limit: number; collisionStrategy?: CollisionStrategy };
  /** Create the deployment paused (its schedules make no runs). */
  paused?: boolean;
  jobVariables?: Record<string, unknown>;
  /** `path/to/file.ts:exportName` (default: where the flow is defined, relative to the working directory). */
  entrypoint?: string;
}

export interface ServeOptions extends DeploymentOptions, RunnerOptions {}

/** A flow as `toDeployment` sees it. */
export interface DeployableFlow extends FlowSpec {
  readonly definedAt: () => DefinitionSite | null;
}

function list<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function schedulesOf(options: DeploymentOptions): DeploymentScheduleOptions[] {
  const timezone = options.timezone;
  const out: DeploymentScheduleOptions[] = [];
  for (const cron of list(options.cron)) out.push({ schedule: { cron, timezone } });
  for (const interval of list(options.interval)) {
    if (!Number.isFinite(interval) || interval <= 0)
      throw new ValidationError(`interval: ${interval} is not a positive number of seconds`);
    out.push({ schedule: { interval, anchor_date: options.anchorDate, timezone } });
  }
  for (const rrule of list(options.rrule)) out.push({ schedule: { rrule, timezone } });
  for (const s of options.schedules ?? []) {
    out.push("schedule" in s ? s : { schedule: s });
  }
  return out;
}

function versionOf(flow: DeployableFlow, site: DefinitionSite | null): string {
  if (flow.version) return flow.version;
  let source = Function.prototype.toString.call(flow.fn);
  if (site) {
    try {
      source = readFileSync(site.file, "utf8");
    } catch {
      // the function's source stands in
    }
  }
  return createHash("md5").update(source).digest("hex");
}

/** A deployment of `flow`, to give to `serve()`. */
export function toDeployment(
  flow: DeployableFlow,
  options: DeploymentOptions = {},
): RunnerDeployment {
  const site = flow.definedAt();
  const entrypoint = options.entrypoint ?? entrypointOf(site, flow.name);
  if (!entrypoint)
    throw new ValidationError(
      `flow '${flow.name}': cannot tell which file defines it; give the deployment an entrypoint ("path/to/file.ts:exportName")`,
    );
  const limit = options.concurrencyLimit;
  return {
    kind: "prefect-ts.runner-deployment",
    flow,
    entrypoint,
    create: {
      name: options.name ?? flow.name,
      paused: options.paused ?? false,
      schedules: schedulesOf(options),
      parameters: options.parameters ?? {},
      parameterOpenapiSchema: flow.parameterSchema(),
      enforceParameterSchema: options.enforceParameterSchema ?? true,
      tags: options.tags ?? [],
      description: options.description ?? flow.description ?? null,
      version: options.version ?? versionOf(flow, site),
      entrypoint,
      path: ".",
      jobVariables: options.jobVariables ?? {},
      concurrencyLimit: typeof limit === "object" ? limit.limit : (limit ?? null),
      concurrencyOptions:
        typeof limit === "object" && limit.collisionStrategy
          ? { collision_strategy: limit.collisionStrategy }
          : null,
    },
  };
}

/** A promise that never settles (a module's `serve()` while its flows are being loaded). */
const forever = () => new Promise<never>(() => undefined);

/**
 * Serve deployments: register them, then run their flow runs as they come — the scheduled ones
 * when due, the others at once — each in a child process of this one, at most `limit` at a time,
 * until SIGTERM/SIGINT (or `signal`). Resolves once stopped.
 */
export async function serve(
  ...args: [...RunnerDeployment[], RunnerOptions] | RunnerDeployment[]
): Promise<void> {
  const mode = entrypointMode();
  if (mode) {
    mode.served();
    return forever();
  }
  const last = args.at(-1);
  const options: RunnerOptions = last && !isRunnerDeployment(last) ? (last as RunnerOptions) : {};
  const deployments = (args as unknown[]).filter(isRunnerDeployment);
  if (deployments.length === 0)
    throw new ValidationError("serve() needs at least one deployment (flow.toDeployment(…))");
  const { Runner } = await import("../runner/runner.ts");
  const runner = new Runner(deployments, options);
  await runner.run();
}

/** `flow.serve(options)`: serve one deployment of the flow. */
export function serveFlow(flow: DeployableFlow, options: ServeOptions = {}): Promise<void> {
  const mode = entrypointMode();
  if (mode) {
    mode.served();
    return forever();
  }
  const {
    limit,
    pauseOnShutdown,
    runsPerProcess,
    maxChildMemoryMb,
    warmProcesses,
    pollSeconds,
    shutdownGraceSeconds,
    printStartingMessage,
    signal,
    ...deployment
  } = options;
  return serve(toDeployment(flow, deployment), {
    limit,
    pauseOnShutdown,
    runsPerProcess,
    maxChildMemoryMb,
    warmProcesses,
    pollSeconds,
    shutdownGraceSeconds,
    printStartingMessage,
    signal,
  });
}

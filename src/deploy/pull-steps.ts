/**
 * Running deployment steps in order (Prefect's `run_steps`): each step's inputs are templated with
 * the outputs of the steps before it (`{{ step-id.key }}`, or `{{ key }}` of any earlier step), the
 * Prefect variables (`{{ prefect.variables.name }}`) and the environment (`{{ $NAME }}`), then it
 * runs; its output is kept under its `id` and merged into the outputs.
 *
 * `runPullSteps` is what runs a deployment's `pull_steps` before its flow is loaded — in
 * `prefect-ts flow-run execute`, and in a worker:
 *
 * ```ts
 * const { directory } = await runPullSteps(deployment.pull_steps, { cwd: process.cwd() });
 * // load the entrypoint relative to `directory`
 * ```
 */
import { ValidationError } from "../core/errors.ts";
import { type DeploymentStep, runStep, type StepContext, StepError, splitStep } from "./steps.ts";
import {
  applyValuesTo,
  refuseBlocks,
  resolveVariables,
  type VariableReader,
} from "./templating.ts";

export type { DeploymentStep, VariableReader };
export { StepError };

export interface RunStepsOptions {
  /** Where the steps start (default: this process's working directory). */
  cwd?: string;
  /** The steps' commands' environment, and what `{{ $NAME }}` reads (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Reads `{{ prefect.variables.name }}`; without it such a placeholder is an error naming it. */
  readVariable?: VariableReader | null;
  /** Told " > Running git_clone step..." before each step (default: nothing). */
  log?: (line: string) => void;
  /** Where a step streams its commands' output (default: this process's stdout and stderr). */
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Outputs already there (a deployment's build and push outputs, for its pull steps). */
  outputs?: Record<string, unknown>;
  /** Names the section in messages (`pull`, `build`, …). */
  section?: string;
}

export interface RunStepsResult {
  /** The steps' outputs: under each step's `id`, and merged. */
  outputs: Record<string, unknown>;
  /** The working directory when the steps ended (absolute). */
  cwd: string;
  /** The last directory a step produced (absolute), else `cwd`. */
  directory: string;
}

/** Run `steps` in order; a step that fails throws a `StepError` naming it and its section. */
export async function runSteps(
  steps: readonly unknown[] | null | undefined,
  options: RunStepsOptions = {},
): Promise<RunStepsResult> {
  const env = options.env ?? process.env;
  const section = options.section ?? "steps";
  const ctx: StepContext = {
    cwd: options.cwd ?? process.cwd(),
    env,
    out: options.out ?? ((t) => void process.stdout.write(t)),
    err: options.err ?? ((t) => void process.stderr.write(t)),
  };
  const outputs: Record<string, unknown> = { ...(options.outputs ?? {}) };
  let directory: string | null = null;
  if (steps !== null && steps !== undefined && !Array.isArray(steps))
    throw new ValidationError(`${section}: the steps are a list`);
  for (const [i, step] of (steps ?? []).entries()) {
    if (step === null || step === undefined) continue;
    const where = `${section} step ${i + 1}`;
    const { name, id, inputs } = splitStep(step, where);
    const short = name.split(".").pop() ?? name;
    options.log?.(` > Running ${short} step...`);
    try {
      refuseBlocks(inputs, `${where} (${short})`);
      let resolved = applyValuesTo(inputs, outputs, { env });
      resolved = await resolveVariables(resolved, options.readVariable ?? null);
      const outcome = await runStep(name, resolved ?? {}, ctx);
      if (outcome.cwd) ctx.cwd = outcome.cwd;
      if (outcome.directory) directory = outcome.directory;
      if (id) outputs[id] = outcome.output;
      Object.assign(outputs, outcome.output);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new StepError(`${where} (${short}) failed: ${why}`, { cause: error });
    }
  }
  return { outputs, cwd: ctx.cwd, directory: directory ?? ctx.cwd };
}

export interface PullStepsResult {
  /** Where the flow's code is now: load the entrypoint relative to it. */
  directory: string;
  outputs: Record<string, unknown>;
}

/**
 * Run a deployment's `pull_steps` (Prefect's `set_working_directory`, `git_clone`,
 * `run_shell_script`) from `cwd`, and say where the flow's code is: the last directory a step set
 * or produced (a clone), else `cwd`. Runs nothing for no steps. Does not change this process's
 * working directory. Throws a `StepError` naming the step that failed.
 */
export async function runPullSteps(
  steps: readonly unknown[] | null | undefined,
  options: Omit<RunStepsOptions, "section"> = {},
): Promise<PullStepsResult> {
  const result = await runSteps(steps, { ...options, section: "pull" });
  return { directory: result.directory, outputs: result.outputs };
}

/** Prefect's pull step for a project on this machine: work in its directory. */
export function setWorkingDirectoryStep(directory: string): DeploymentStep {
  return { "prefect.deployments.steps.set_working_directory": { directory } };
}

/**
 * The deployment steps prefect-ts runs (Prefect's `prefect.deployments.steps`), in `build`, `push`
 * and `pull` sections: `set_working_directory`, `run_shell_script`, `git_clone`; and
 * `pip_install_requirements`, refused with the way out. A step is `{ "<qualified name>": inputs }`;
 * what it returns is its output, which later steps read (`{{ step-id.stdout }}`). Steps run in a
 * context that carries the working directory, so this process's own stays as it is.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ValidationError } from "../core/errors.ts";
import { expandEnvVars, shlexSplit, usesShellFeatures } from "./shlex.ts";

/** One step as `prefect.yaml` and a deployment's `pull_steps` hold it. */
export type DeploymentStep = Record<string, Record<string, unknown> | null>;

export interface StepContext {
  /** The working directory of the steps: `set_working_directory` changes it for the next ones. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where a step streams its command's output (`stream_output`). */
  out(text: string): void;
  err(text: string): void;
}

export interface StepOutcome {
  output: Record<string, unknown>;
  /** The directory the step made current (absolute), if it did. */
  cwd?: string;
  /** The directory the step produced (absolute), for `runPullSteps`'s result. */
  directory?: string;
}

/** A step that failed: the message names the step and why. */
export class StepError extends ValidationError {}

const PREFIX = "prefect.deployments.steps.";
const STEP_NAMES: Record<string, string> = {};
for (const [short, module] of [
  ["set_working_directory", "pull"],
  ["git_clone", "pull"],
  ["run_shell_script", "utility"],
  ["pip_install_requirements", "utility"],
] as const) {
  STEP_NAMES[`${PREFIX}${short}`] = short;
  STEP_NAMES[`${PREFIX}${module}.${short}`] = short;
}

/** The step's short name (`git_clone`) from its qualified one, or null when prefect-ts has no such step. */
export function stepKind(qualified: string): string | null {
  return STEP_NAMES[qualified] ?? null;
}

export const SUPPORTED_STEPS = [
  `${PREFIX}set_working_directory`,
  `${PREFIX}run_shell_script`,
  `${PREFIX}git_clone`,
] as const;

/** The step's qualified name and its inputs (without `id` and `requires`), and its id. */
export function splitStep(step: unknown, where: string) {
  if (typeof step !== "object" || step === null || Array.isArray(step))
    throw new StepError(`${where}: a step is a mapping of one step name to its inputs`);
  const keys = Object.keys(step);
  if (keys.length !== 1)
    throw new StepError(
      `${where}: a step has exactly one step name, found ${keys.length === 0 ? "none" : keys.join(", ")}`,
    );
  const name = keys[0] as string;
  const raw = (step as Record<string, unknown>)[name] ?? {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new StepError(`${where}: the inputs of ${name} are a mapping`);
  const { id, requires: _requires, ...inputs } = raw as Record<string, unknown>;
  return { name, id: typeof id === "string" ? id : null, inputs };
}

function check(
  step: string,
  inputs: Record<string, unknown>,
  known: readonly string[],
  required: readonly string[],
): void {
  const unknown = Object.keys(inputs).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new StepError(
      `${step}: unknown input ${unknown.map((k) => `'${k}'`).join(", ")} (it takes ${known.join(", ")})`,
    );
  for (const key of required)
    if (inputs[key] === undefined || inputs[key] === null || inputs[key] === "")
      throw new StepError(`${step}: '${key}' is required`);
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : String(value);

/** Run one step (its inputs already templated). */
export async function runStep(
  qualified: string,
  inputs: Record<string, unknown>,
  ctx: StepContext,
): Promise<StepOutcome> {
  switch (stepKind(qualified)) {
    case "set_working_directory":
      return setWorkingDirectory(inputs, ctx);
    case "run_shell_script":
      return runShellScript(inputs, ctx);
    case "git_clone":
      return gitClone(inputs, ctx);
    case "pip_install_requirements":
      throw new StepError(
        "pip_install_requirements is not supported in prefect-ts; use prefect.deployments.steps.run_shell_script with `npm ci` (script: npm ci) to install the project's packages",
      );
    default:
      throw new StepError(
        `Step '${qualified}' is not supported in prefect-ts (it runs ${SUPPORTED_STEPS.join(", ")})`,
      );
  }
}

function setWorkingDirectory(inputs: Record<string, unknown>, ctx: StepContext): StepOutcome {
  check("set_working_directory", inputs, ["directory"], ["directory"]);
  const directory = resolve(ctx.cwd, String(inputs.directory));
  if (!existsSync(directory) || !statSync(directory).isDirectory())
    throw new StepError(`set_working_directory: no such directory: ${directory}`);
  return { output: { directory }, cwd: directory, directory };
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stream: boolean; ctx: StepContext },
): Promise<Ran> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (options.stream) options.ctx.out(d);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (options.stream) options.ctx.err(d);
    });
    child.on("error", fail);
    child.on("close", (code, signal) => ok({ code, signal, stdout, stderr }));
  });
}

async function runShellScript(
  inputs: Record<string, unknown>,
  ctx: StepContext,
): Promise<StepOutcome> {
  check(
    "run_shell_script",
    inputs,
    ["script", "directory", "env", "stream_output", "expand_env_vars"],
    ["script"],
  );
  const extra = inputs.env ?? {};
  if (typeof extra !== "object" || Array.isArray(extra))
    throw new StepError("run_shell_script: 'env' is a mapping of names to values");
  const env: NodeJS.ProcessEnv = { ...ctx.env };
  for (const [k, v] of Object.entries(extra)) env[k] = text(v) ?? "";
  const cwd = inputs.directory ? resolve(ctx.cwd, String(inputs.directory)) : ctx.cwd;
  const stream = inputs.stream_output === undefined ? true : Boolean(inputs.stream_output);
  const expand = Boolean(inputs.expand_env_vars);
  let stdout = "";
  let stderr = "";
  for (const raw of String(inputs.script).split(/\r?\n/)) {
    const line = (expand ? expandEnvVars(raw, env) : raw).trim();
    if (!line) continue;
    const argv = usesShellFeatures(line) ? ["sh", "-c", line] : shlexSplit(line);
    const [command, ...args] = argv;
    if (!command) continue;
    let ran: Ran;
    try {
      ran = await run(command, args, { cwd, env, stream, ctx });
    } catch (error) {
      const why =
        (error as NodeJS.ErrnoException).code === "ENOENT" ? "command not found" : String(error);
      throw new StepError(`run_shell_script could not run '${command}' in ${cwd}: ${why}`, {
        cause: error,
      });
    }
    stdout += ran.stdout;
    stderr += ran.stderr;
    if (ran.code !== 0)
      throw new StepError(
        `run_shell_script failed with error code ${ran.code ?? ran.signal}: ${stderr.trim() || line}`,
      );
  }
  return { output: { stdout: stdout.trim(), stderr: stderr.trim() } };
}

/** The repository's name in its URL (`…/repo.git` → `repo`). */
function repositoryName(url: string): string {
  const path = url.replace(/[?#].*$/, "").replace(/\/+$/, "");
  const last = path.split(/[/:]/).pop() ?? "repository";
  return last.replace(/\.git$/, "") || "repository";
}

/** The URL with the token as its credentials (as Prefect's `GitRepository` puts it). */
function withToken(url: string, token: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StepError("git_clone: an access_token needs an https:// repository URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new StepError("git_clone: an access_token needs an https:// repository URL");
  let credentials = token;
  if (!token.includes(":")) {
    if (parsed.hostname.includes("bitbucket")) credentials = `x-token-auth:${token}`;
    else if (parsed.hostname.includes("gitlab")) credentials = `oauth2:${token}`;
  }
  const [user = "", password] = credentials.split(/:(.*)/s);
  parsed.username = encodeURIComponent(user);
  if (password !== undefined) parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

async function gitClone(inputs: Record<string, unknown>, ctx: StepContext): Promise<StepOutcome> {
  check(
    "git_clone",
    inputs,
    [
      "repository",
      "branch",
      "commit_sha",
      "include_submodules",
      "access_token",
      "credentials",
      "clone_directory_name",
    ],
    ["repository"],
  );
  if (inputs.credentials !== undefined && inputs.credentials !== null)
    throw new StepError(
      "git_clone: credentials blocks are not supported in prefect-ts; give an access_token (for example {{ $GIT_TOKEN }})",
    );
  const repository = String(inputs.repository);
  const branch = text(inputs.branch);
  const commit = text(inputs.commit_sha);
  const token = text(inputs.access_token);
  const name =
    text(inputs.clone_directory_name) ??
    `${repositoryName(repository)}${branch ? `-${branch.replace(/\//g, "-")}` : ""}`;
  const destination = resolve(ctx.cwd, name);
  const url = token ? withToken(repository, token) : repository;
  const hide = (s: string) => (token ? s.split(token).join("***") : s);
  const env: NodeJS.ProcessEnv = { ...ctx.env, GIT_TERMINAL_PROMPT: "0" };
  const git = async (args: string[], cwd: string) => {
    let ran: Ran;
    try {
      ran = await run("git", args, { cwd, env, stream: false, ctx });
    } catch (error) {
      throw new StepError(`git_clone: could not run git: ${String(error)}`, { cause: error });
    }
    if (ran.code !== 0)
      throw new StepError(
        hide(
          `git_clone: git ${args[0]} of ${repository} failed (exit code ${ran.code ?? ran.signal}): ${ran.stderr.trim()}`,
        ),
      );
  };
  const submodules = Boolean(inputs.include_submodules);
  if (existsSync(resolve(destination, ".git"))) {
    // cloned before (a run on the same machine): brought up to date
    await git(["fetch", "--depth", "1", url, commit ?? branch ?? "HEAD"], destination);
    await git(["reset", "--hard", "FETCH_HEAD"], destination);
  } else {
    const args = ["clone"];
    if (!commit) args.push("--depth", "1");
    if (branch) args.push("--branch", branch);
    if (submodules) args.push("--recurse-submodules");
    args.push(url, destination);
    await git(args, ctx.cwd);
    if (commit) await git(["checkout", "--quiet", commit], destination);
  }
  if (submodules) await git(["submodule", "update", "--init", "--recursive"], destination);
  return { output: { directory: name }, directory: destination };
}

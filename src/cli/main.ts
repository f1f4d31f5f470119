/**
 * The `prefect-ts` command line: Prefect's `flow`, `flow-run`, `task-run`, `server` and `version`
 * commands over the configured database. Run directly (`tsx src/cli/main.ts …`) or through
 * `bin/prefect-ts.js`; `runCli(argv)` runs one command line and returns the exit code.
 */

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { ErrorCode, isPrefectTsError } from "../core/errors.ts";
import { registerArtifact } from "../resources/artifacts/cli.ts";
import { registerAsset } from "../resources/assets/cli.ts";
import { registerBlock } from "../resources/block-documents/cli.ts";
import {
  registerConcurrencyLimit,
  registerGlobalConcurrencyLimit,
} from "../resources/concurrency-limits/cli.ts";
import { registerDeployment } from "../resources/deployments/cli.ts";
import { registerDeploy } from "../resources/deployments/deploy-cli.ts";
import { registerFlowRun } from "../resources/flow-runs/cli.ts";
import { registerFlow } from "../resources/flows/cli.ts";
import { registerTaskRun } from "../resources/task-runs/cli.ts";
import { registerVariable } from "../resources/variables/cli.ts";
import { registerWorkPool } from "../resources/work-pools/cli.ts";
import { registerWorkQueue } from "../resources/work-queues/cli.ts";
import { registerWorker } from "../worker/cli.ts";
import { registerServer } from "./commands/server.ts";
import { packageVersion, registerVersion } from "./commands/version.ts";
import { CliError, type CliIo, processIo } from "./support.ts";

type Registrar = (program: Command, io: CliIo) => void;

/**
 * The top-level commands, each with its names (its aliases too) and what registers it, in the
 * order `--help` lists them. `test/cli/cli-commands.test.ts` holds the names to what the
 * registrars declare.
 */
export const COMMANDS: readonly (readonly [names: readonly string[], register: Registrar])[] = [
  [["version"], registerVersion],
  [["flow", "flows"], registerFlow],
  [["flow-run", "flow-runs"], registerFlowRun],
  [["task-run", "task-runs"], registerTaskRun],
  [["deployment", "deployments"], registerDeployment],
  [["deploy"], registerDeploy],
  [["work-pool", "work-pools"], registerWorkPool],
  [["work-queue", "work-queues"], registerWorkQueue],
  [["worker"], registerWorker],
  [["global-concurrency-limit", "gcl"], registerGlobalConcurrencyLimit],
  [["concurrency-limit"], registerConcurrencyLimit],
  [["block"], registerBlock],
  [["variable"], registerVariable],
  [["artifact"], registerArtifact],
  [["asset", "assets"], registerAsset],
  [["server"], registerServer],
];

/**
 * The program with every command, or — given the command line — only the command it names (its
 * help included): registering the others' options and subcommands is start-up time a command
 * does not need. A command line naming none (`--help`, `help …`, a mistyped name) gets them all,
 * for the full help and the suggestions.
 */
export function buildProgram(io: CliIo = processIo, argv?: readonly string[]): Command {
  const program = new Command("prefect-ts")
    .description("Prefect TS: workflow orchestration in TypeScript.")
    .version(packageVersion(), "-v, --version", "Display the current version.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, "")),
      writeErr: (s) => io.err(s.replace(/\n$/, "")),
      // usage errors on one line, with the way out
      outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, " ")} (see --help)\n`),
    })
    .showSuggestionAfterError()
    // the program's own options come before a command: `deploy --version 2` is the deployment's
    .enablePositionalOptions();
  const first = argv?.[0];
  const named = first === undefined ? undefined : COMMANDS.find(([names]) => names.includes(first));
  if (named) named[1](program, io);
  else for (const [, register] of COMMANDS) register(program, io);
  return program;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** One line telling the user what went wrong (and, from the library's messages, what to do). */
export function errorMessage(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (isPrefectTsError(error)) {
    if (error.code === ErrorCode.SETTINGS) {
      const [head = "invalid settings", ...rest] = error.message.split("\n").map((l) => l.trim());
      const detail = rest.filter(Boolean).join("; ");
      return `${capitalize(head.replace(/:$/, ""))}${detail ? `: ${detail}` : ""}. Fix or unset these environment variables.`;
    }
    return capitalize(error.message.replace(/\s*\n\s*/g, " "));
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${message.replace(/\s*\n\s*/g, " ")}`;
}

/** Run one command line (`argv` without `node` and the script) and return the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io, argv);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    io.err(errorMessage(error));
    if (process.env.PREFECT_DEBUG_MODE && error instanceof Error && error.stack)
      io.err(error.stack);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

/** True when this module is the program: run directly, or imported by `bin/prefect-ts.js`. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    const real = realpathSync(script);
    const self = fileURLToPath(import.meta.url);
    const bin = fileURLToPath(new URL("../../bin/prefect-ts.js", import.meta.url));
    return real === self || real === bin;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `prefect-ts flow-run ls | head`: a closed pipe ends the output, not the process with a trace
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await runCli(process.argv.slice(2));
}

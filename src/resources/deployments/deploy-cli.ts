/**
 * `prefect-ts deploy [ENTRYPOINT]` (Prefect's `prefect deploy`): register deployments in a work
 * pool, from the command line (`deploy flows/etl.ts:etl --name nightly --pool local --cron …`), from
 * `prefect.yaml` (`deploy --name nightly`, `deploy --all`), or both (the command line over the
 * file). The command and its options; what it does is in `deploy-action.ts`, loaded when it runs
 * (prefect.yaml's parser and schemas are not loaded by every other command).
 */
import { Command, InvalidArgumentError } from "commander";
import { CliError, type CliIo, collect, positiveInt } from "../../cli/support.ts";
import { ErrorCode, isPrefectTsError } from "../../core/errors.ts";
import type { DeployCliOptions } from "./deploy-action.ts";

/** `key=value`, the value read as JSON when it is JSON, else as text (as Prefect's `--param`). */
function keyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("give it as key=value.");
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // plain text
  }
  return { ...previous, [value.slice(0, eq)]: parsed };
}

function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError("must be a JSON object.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new InvalidArgumentError("must be a JSON object.");
  return parsed as Record<string, unknown>;
}

function seconds(value: string, previous: number[] = []): number[] {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("must be a number of seconds, more than 0.");
  return [...previous, n];
}

/** `deploy` with Prefect's `-jv` short flag (commander takes one-letter short flags only). */
class DeployCommand extends Command {
  override parseOptions(argv: string[]) {
    return super.parseOptions(argv.map((a) => (a === "-jv" ? "--jv" : a)));
  }
}

export function registerDeploy(program: Command, io: CliIo): void {
  const command = new DeployCommand("deploy");
  command.copyInheritedSettings(program);
  program.addCommand(
    command
      .description(
        "Create or update deployments in a work pool, from an entrypoint and options or from prefect.yaml.",
      )
      .argument("[entrypoint]", "The flow, as path/to/file.ts:flowVariable (relative to here)")
      .option(
        "-n, --name <name>",
        "The deployment's name; with prefect.yaml, the deployment(s) to deploy (repeatable; flow/name and * patterns)",
        collect,
        [],
      )
      .option("-p, --pool <name>", "The work pool whose workers run it")
      .option("-q, --work-queue <name>", "The work queue of the pool (default: its default queue)")
      .option("--cron <expression>", "A cron schedule (repeatable)", collect, [])
      .option("--interval <seconds>", "An interval schedule, in seconds (repeatable)", seconds, [])
      .option("--rrule <rrule>", "An RRule schedule (repeatable)", collect, [])
      .option("--timezone <zone>", "The IANA time zone of the schedules (default UTC)")
      .option("--anchor-date <date>", "Where interval schedules start from (ISO 8601)")
      .option(
        "--param <key=value>",
        "A default parameter (repeatable; the value is read as JSON when it is JSON)",
        keyValue,
      )
      .option("--params <json>", "The default parameters as a JSON object", jsonObject)
      .option(
        "--jv, --job-variable <key=value>",
        "A job variable over the pool's template (repeatable, also -jv; the value is read as JSON when it is JSON)",
        keyValue,
      )
      .option("-t, --tag <tag>", "A tag of the deployment (repeatable)", collect, [])
      .option("-d, --description <text>", "The deployment's description (default: the flow's)")
      .option("--version <version>", "The deployment's version (default: the flow's)")
      .option("--concurrency-limit <n>", "Runs of this deployment at once, at most", positiveInt)
      .option(
        "--enforce-parameter-schema",
        "Refuse runs whose parameters do not match the flow's schema (the default)",
      )
      .option("--no-enforce-parameter-schema", "Take runs whatever their parameters")
      .option("--paused", "Create the deployment paused (its schedules make no runs)")
      .option("--all", "Deploy every deployment of prefect.yaml")
      .option(
        "--prefect-file <path>",
        "The deployment file (default: ./prefect.yaml when there is one)",
      )
      .option("-o, --output <format>", "Specify an output format. Currently supports: json")
      .action(async (entrypoint: string | undefined, options: DeployCliOptions) => {
        try {
          const { deploy } = await import("./deploy-action.ts");
          await deploy(entrypoint, options, io);
        } catch (error) {
          if (isPrefectTsError(error) && error.code !== ErrorCode.SETTINGS)
            throw new CliError(error.message.replace(/\s*\n\s*/g, " "));
          throw error;
        }
      }),
  );
}

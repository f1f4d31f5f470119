/**
 * `prefect-ts flow serve <entrypoint> --name NAME`: load a flow from `path/to/file.ts:exportName`
 * and serve a deployment of it in this process (Prefect's `prefect flow serve`), as
 * `flow.serve()` does in a script: its runs are pushed to it and run in child processes, until
 * SIGTERM/SIGINT.
 */
import { relative, resolve, sep } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { CliError, type CliIo, positiveInt } from "../../cli/support.ts";

interface ServeCliOptions {
  name: string;
  description?: string;
  deploymentVersion?: string;
  tag: string[];
  cron?: string;
  interval?: number;
  rrule?: string;
  timezone?: string;
  limit?: number;
  pauseOnShutdown: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("give a number of seconds.");
  return n;
}

export function registerFlowServe(flow: Command, _io: CliIo): void {
  flow
    .command("serve")
    .description("Serve a flow from its entrypoint: register a deployment of it and run its runs.")
    .argument("<entrypoint>", "The flow, as path/to/file.ts:exportName")
    .requiredOption("-n, --name <name>", "The deployment's name")
    .option("--description <text>", "The deployment's description")
    .option(
      "--deployment-version <version>",
      "The deployment's version (the CLI's --version prints its own)",
    )
    .option("-t, --tag <tag>", "A tag of the deployment (repeatable)", collect, [])
    .option("--cron <expression>", "A cron schedule")
    .option("--interval <seconds>", "An interval schedule, in seconds", seconds)
    .option("--rrule <rrule>", "An RRule schedule")
    .option("--timezone <zone>", "The schedule's IANA time zone (default UTC)")
    .option("--limit <n>", "Flow runs at once (default 5)", positiveInt)
    .option("--no-pause-on-shutdown", "Leave the deployment's schedules active when stopped")
    .action(async (entrypoint: string, options: ServeCliOptions) => {
      const { loadFlow, splitEntrypoint } = await import("../../runner/load-entrypoint.ts");
      const { file, exportName } = splitEntrypoint(entrypoint);
      const normalized = `${relative(process.cwd(), resolve(file)).split(sep).join("/")}:${exportName}`;
      const handle = await loadFlow(normalized).catch((error: unknown) => {
        throw new CliError(error instanceof Error ? error.message : String(error));
      });
      await handle.serve({
        name: options.name,
        description: options.description,
        version: options.deploymentVersion,
        tags: options.tag,
        cron: options.cron,
        interval: options.interval,
        rrule: options.rrule,
        timezone: options.timezone,
        limit: options.limit,
        pauseOnShutdown: options.pauseOnShutdown,
        entrypoint: normalized,
      });
    });
}

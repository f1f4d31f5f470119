/** `prefect-ts flow-run`: list, inspect, delete flow runs and view their logs. */
import type { Command } from "commander";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";
import { renderKeyValues } from "../output/key-values.ts";
import {
  checkLogsOptions,
  DEFAULT_NUM_LOGS,
  type LogsOptions,
  selectLogs,
} from "../output/logs.ts";
import { byCreatedDesc, logLine, stateLabel, whenLabel } from "../output/runs.ts";
import { renderTable } from "../output/table.ts";
import {
  CliError,
  type CliIo,
  collect,
  isNotFound,
  positiveInt,
  requireUuid,
  uiLink,
  wantsJson,
  withClient,
} from "../support.ts";

/** Prefect's official state names, keyed by their upper-cased spelling (`--state late`). */
const STATE_NAMES: Readonly<Record<string, string>> = {
  SCHEDULED: "Scheduled",
  PENDING: "Pending",
  RUNNING: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
  CRASHED: "Crashed",
  PAUSED: "Paused",
  CANCELLING: "Cancelling",
  SUSPENDED: "Suspended",
  AWAITINGRETRY: "AwaitingRetry",
  RETRYING: "Retrying",
  LATE: "Late",
};

export function stateNames(values: readonly string[]): string[] {
  return values.map((s) => STATE_NAMES[s.toUpperCase()] ?? s);
}

export function stateTypes(values: readonly string[]): StateType[] {
  const upper = values.map((s) => s.toUpperCase());
  const bad = upper.find((s) => !(ALL_STATE_TYPES as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw new CliError(`Invalid state type '${bad}'. Options are ${ALL_STATE_TYPES.join(", ")}.`);
  }
  return upper as StateType[];
}

export const notFound = (kind: "Flow run" | "Task run", id: string) => (error: unknown) => {
  if (isNotFound(error)) throw new CliError(`${kind} '${id}' not found!`);
  throw error;
};

interface LsOptions {
  flowName?: string[];
  limit: number;
  state?: string[];
  stateType?: string[];
  output?: string;
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("View recent flow runs or flow runs for specific flows.")
    .option("--flow-name <name>", "Name of the flow (repeatable)", collect)
    .option("--limit <n>", "Maximum number of flow runs to list", positiveInt, 15)
    .option("--state <name>", "Name of the flow run's state (repeatable)", collect)
    .option("--state-type <type>", "Type of the flow run's state (repeatable)", collect)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: LsOptions) => {
      const json = wantsJson(options.output);
      const types = options.stateType ? stateTypes(options.stateType) : undefined;
      const names = options.state ? stateNames(options.state) : undefined;
      const { runs, flowNames } = await withClient(async (client) => {
        const runs = await client.readFlowRuns({
          flowNames: options.flowName,
          stateTypes: types,
          stateNames: names,
          limit: options.limit,
          sort: "EXPECTED_START_TIME_DESC",
        });
        const ids = [...new Set(runs.map((r) => r.flow_id))];
        // a flow deleted meanwhile leaves its runs listed with an empty Flow cell
        const flows = await Promise.all(ids.map((id) => client.readFlow(id).catch(() => null)));
        const named = flows.filter((f) => f !== null);
        return { runs, flowNames: new Map(named.map((f) => [f.id, f.name])) };
      });
      if (json) return io.out(JSON.stringify(runs, null, 2));
      if (runs.length === 0) return io.out("No flow runs found.");
      const rows = byCreatedDesc(runs).map((r) => [
        r.id,
        flowNames.get(r.flow_id) ?? "",
        r.name,
        stateLabel(r),
        whenLabel(r),
      ]);
      const columns = ["Flow", "Name", "State", "When"].map((header) => ({ header }));
      io.out(
        renderTable({
          title: "Flow Runs",
          columns: [{ header: "ID", justify: "right" }, ...columns],
          rows,
        }),
      );
    });
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("View details about a flow run.")
    .argument("<id>", "The flow run ID")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (rawId: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const id = requireUuid(rawId);
      const { run, link } = await withClient(async (client, settings) => ({
        run: await client.readFlowRun(id).catch(notFound("Flow run", id)),
        link: uiLink(settings, "flow-run", id),
      }));
      if (json) return io.out(JSON.stringify(run, null, 2));
      io.out(renderKeyValues({ ...run }).join("\n"));
      if (link) io.out(link);
    });
}

function registerDelete(group: Command, io: CliIo): void {
  group
    .command("delete")
    .description("Delete a flow run by ID.")
    .argument("<id>", "The flow run ID")
    .action(async (rawId: string) => {
      const id = requireUuid(rawId);
      await withClient((client) => client.deleteFlowRun(id).catch(notFound("Flow run", id)));
      io.out(`Successfully deleted flow run '${id}'.`);
    });
}

/** The `logs` options shared by `flow-run logs` and `task-run logs` (`-h` is `--head` there). */
export function logsCommand(group: Command, what: string): Command {
  return group
    .command("logs")
    .description(`View logs for a ${what}.`)
    .helpOption("--help", "display help for command")
    .argument("<id>", `The ${what} ID`)
    .option("-h, --head", `Show the first ${DEFAULT_NUM_LOGS} logs instead of all logs.`)
    .option(
      "-n, --num-logs <n>",
      `Number of logs to show when using the --head or --tail flag. Defaults to ${DEFAULT_NUM_LOGS}.`,
      positiveInt,
    )
    .option("-r, --reverse", "Reverse the logs order to print the most recent logs first")
    .option("-t, --tail", `Show the last ${DEFAULT_NUM_LOGS} logs instead of all logs.`)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json");
}

function registerLogs(group: Command, io: CliIo): void {
  logsCommand(group, "flow run").action(
    async (rawId: string, options: LogsOptions & { output?: string }) => {
      const json = wantsJson(options.output);
      checkLogsOptions(options);
      const id = requireUuid(rawId);
      const { run, logs } = await withClient(async (client) => {
        const run = await client.readFlowRun(id).catch(notFound("Flow run", id));
        return { run, logs: await selectLogs(client, { flowRunId: id }, options) };
      });
      if (json) return io.out(JSON.stringify(logs, null, 2));
      if (logs.length > 0) io.out(logs.map((l) => logLine(l, "Flow run", run.name)).join("\n"));
    },
  );
}

export function registerFlowRun(program: Command, io: CliIo): void {
  const group = program
    .command("flow-run")
    .alias("flow-runs")
    .description("Interact with flow runs.");
  registerInspect(group, io);
  registerLs(group, io);
  registerDelete(group, io);
  registerLogs(group, io);
}

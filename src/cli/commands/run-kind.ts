/** What `flow-run` and `task-run` share: the `ls` options and filters, `inspect` and `logs`, by kind. */
import type { Command } from "commander";
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { FlowRun, TaskRun } from "../../core/runs.ts";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";
import { renderKeyValues } from "../output/key-values.ts";
import {
  checkLogsOptions,
  DEFAULT_NUM_LOGS,
  type LogsOptions,
  selectLogs,
} from "../output/logs.ts";
import { logLine } from "../output/runs.ts";
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

/** One kind of run as the CLI speaks of it. */
export interface RunKind {
  /** As messages start: `Flow run`. */
  label: "Flow run" | "Task run";
  /** In help texts: `flow run`. */
  noun: "flow run" | "task run";
  /** In UI links: `flow-run`. */
  path: "flow-run" | "task-run";
  read(client: PrefectClient, id: string): Promise<FlowRun | TaskRun>;
  /** The `readLogs` filter for the run's logs. */
  logsOf(id: string): { flowRunId: string } | { taskRunId: string };
}

export const FLOW_RUN: RunKind = {
  label: "Flow run",
  noun: "flow run",
  path: "flow-run",
  read: (client, id) => client.readFlowRun(id),
  logsOf: (flowRunId) => ({ flowRunId }),
};

export const TASK_RUN: RunKind = {
  label: "Task run",
  noun: "task run",
  path: "task-run",
  read: (client, id) => client.readTaskRun(id),
  logsOf: (taskRunId) => ({ taskRunId }),
};

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

/** The options `ls` takes for both kinds of run. */
export interface LsOptions {
  limit: number;
  state?: string[];
  stateType?: string[];
  output?: string;
}

/** Adds the `ls` options both kinds have: --limit, --state, --state-type and -o. */
export function withLsOptions(command: Command, kind: RunKind): Command {
  return command
    .option("--limit <n>", `Maximum number of ${kind.noun}s to list`, positiveInt, 15)
    .option("--state <name>", `Name of the ${kind.noun}'s state (repeatable)`, collect)
    .option("--state-type <type>", `Type of the ${kind.noun}'s state (repeatable)`, collect)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json");
}

/** The state filters of `ls`: `--state-type` checked, `--state` names spelled as Prefect does. */
export function stateFilters(options: LsOptions): {
  stateTypes: StateType[] | undefined;
  stateNames: string[] | undefined;
} {
  return {
    stateTypes: options.stateType ? stateTypes(options.stateType) : undefined,
    stateNames: options.state ? stateNames(options.state) : undefined,
  };
}

export const notFound = (kind: "Flow run" | "Task run", id: string) => (error: unknown) => {
  if (isNotFound(error)) throw new CliError(`${kind} '${id}' not found!`);
  throw error;
};

/** `<kind>-run inspect <id>`: the run's fields, or its JSON, and the UI link when one is set. */
export function registerInspect(group: Command, io: CliIo, kind: RunKind): void {
  group
    .command("inspect")
    .description(`View details about a ${kind.noun}.`)
    .argument("<id>", `The ${kind.noun} ID`)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (rawId: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const id = requireUuid(rawId);
      const { run, link } = await withClient(async (client, settings) => ({
        run: await kind.read(client, id).catch(notFound(kind.label, id)),
        link: uiLink(settings, kind.path, id),
      }));
      if (json) return io.out(JSON.stringify(run, null, 2));
      io.out(renderKeyValues({ ...run }).join("\n"));
      if (link) io.out(link);
    });
}

/** The `logs` options shared by `flow-run logs` and `task-run logs` (`-h` is `--head` there). */
function logsCommand(group: Command, what: string): Command {
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

/** `<kind>-run logs <id>`: the run's logs, as Prefect selects and prints them. */
export function registerLogs(group: Command, io: CliIo, kind: RunKind): void {
  logsCommand(group, kind.noun).action(
    async (rawId: string, options: LogsOptions & { output?: string }) => {
      const json = wantsJson(options.output);
      checkLogsOptions(options);
      const id = requireUuid(rawId);
      const { run, logs } = await withClient(async (client) => {
        const run = await kind.read(client, id).catch(notFound(kind.label, id));
        return { run, logs: await selectLogs(client, kind.logsOf(id), options) };
      });
      if (json) return io.out(JSON.stringify(logs, null, 2));
      if (logs.length > 0) io.out(logs.map((l) => logLine(l, kind.label, run.name)).join("\n"));
    },
  );
}

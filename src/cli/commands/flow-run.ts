/** `prefect-ts flow-run`: list, inspect, delete flow runs and view their logs. */
import type { Command } from "commander";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";
import { renderRunsTable } from "../output/runs.ts";
import {
  CliError,
  type CliIo,
  collect,
  positiveInt,
  requireUuid,
  wantsJson,
  withClient,
} from "../support.ts";
import { FLOW_RUN, notFound, registerInspect, registerLogs } from "./run-kind.ts";

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
      io.out(renderRunsTable("Flow", runs, (r) => flowNames.get(r.flow_id) ?? ""));
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

export function registerFlowRun(program: Command, io: CliIo): void {
  const group = program
    .command("flow-run")
    .alias("flow-runs")
    .description("Interact with flow runs.");
  registerInspect(group, io, FLOW_RUN);
  registerLs(group, io);
  registerDelete(group, io);
  registerLogs(group, io, FLOW_RUN);
}

/** `prefect-ts flow-run`: list, inspect, cancel, delete flow runs and view their logs. */
import type { Command } from "commander";
import {
  FLOW_RUN,
  type LsOptions,
  notFound,
  registerInspect,
  registerLogs,
  stateFilters,
  withLsOptions,
} from "../../cli/commands/run-kind.ts";
import { renderRunsTable } from "../../cli/output/runs.ts";
import { type CliIo, collect, requireUuid, wantsJson, withClient } from "../../cli/support.ts";
import { registerCancel } from "./cancel-cli.ts";
import { registerExecute } from "./execute-cli.ts";
import { registerRetry } from "./retry-cli.ts";

interface FlowLsOptions extends LsOptions {
  flowName?: string[];
}

function registerLs(group: Command, io: CliIo): void {
  const ls = group
    .command("ls")
    .description("View recent flow runs or flow runs for specific flows.")
    .option("--flow-name <name>", "Name of the flow (repeatable)", collect);
  withLsOptions(ls, FLOW_RUN).action(async (options: FlowLsOptions) => {
    const json = wantsJson(options.output);
    const filters = stateFilters(options);
    const { runs, flowNames } = await withClient(async (client) => {
      const runs = await client.readFlowRuns({
        flowNames: options.flowName,
        ...filters,
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
  registerCancel(group, io);
  registerLogs(group, io, FLOW_RUN);
  registerRetry(group, io);
  registerExecute(group, io);
}

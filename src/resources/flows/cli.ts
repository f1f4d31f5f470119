/** `prefect-ts flow`: view flows, serve one. */
import type { Command } from "commander";
import { renderTable } from "../../cli/output/table.ts";
import { pythonDatetime } from "../../cli/output/time.ts";
import { type CliIo, positiveInt, withClient } from "../../cli/support.ts";
import { registerFlowServe } from "./serve-cli.ts";

interface LsOptions {
  limit: number;
}

export function registerFlow(program: Command, io: CliIo): void {
  const flow = program.command("flow").alias("flows").description("View flows.");

  flow
    .command("ls")
    .description("View flows.")
    .option("--limit <n>", "Maximum number of flows to list.", positiveInt, 15)
    .action(async (options: LsOptions) => {
      const flows = await withClient((client) => client.readFlows({ limit: options.limit }));
      const table = renderTable({
        title: "Flows",
        columns: [{ header: "ID", justify: "right" }, { header: "Name" }, { header: "Created" }],
        rows: flows.map((f) => [f.id, f.name, pythonDatetime(f.created)]),
      });
      io.out(table);
    });
  registerFlowServe(flow, io);
}

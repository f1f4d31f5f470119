/** `prefect-ts task-run`: list and inspect task runs and view their logs. */
import type { Command } from "commander";
import type { TaskRun } from "../../core/runs.ts";
import { renderKeyValues } from "../output/key-values.ts";
import { checkLogsOptions, type LogsOptions, selectLogs } from "../output/logs.ts";
import { byCreatedDesc, logLine, stateLabel, whenLabel } from "../output/runs.ts";
import { renderTable } from "../output/table.ts";
import {
  type CliIo,
  collect,
  positiveInt,
  requireUuid,
  uiLink,
  wantsJson,
  withClient,
} from "../support.ts";
import { logsCommand, notFound, stateNames, stateTypes } from "./flow-run.ts";

interface LsOptions {
  limit: number;
  state?: string[];
  stateType?: string[];
  output?: string;
}

/** The task's name: the run name without its `-<dynamic_key>` suffix (`say_hello-0` → `say_hello`). */
export function taskName(run: TaskRun): string {
  const suffix = `-${run.dynamic_key}`;
  return run.name.endsWith(suffix) && run.name.length > suffix.length
    ? run.name.slice(0, -suffix.length)
    : run.name;
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("View recent task runs.")
    .option("--limit <n>", "Maximum number of task runs to list", positiveInt, 15)
    .option("--state <name>", "Name of the task run's state (repeatable)", collect)
    .option("--state-type <type>", "Type of the task run's state (repeatable)", collect)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: LsOptions) => {
      const json = wantsJson(options.output);
      const types = options.stateType ? stateTypes(options.stateType) : undefined;
      const names = options.state ? stateNames(options.state) : undefined;
      const runs = await withClient((client) =>
        client.readTaskRuns({
          stateTypes: types,
          stateNames: names,
          limit: options.limit,
          sort: "EXPECTED_START_TIME_DESC",
        }),
      );
      if (json) return io.out(JSON.stringify(runs, null, 2));
      if (runs.length === 0) return io.out("No task runs found.");
      const rows = byCreatedDesc(runs).map((r) => [
        r.id,
        taskName(r),
        r.name,
        stateLabel(r),
        whenLabel(r),
      ]);
      const columns = ["Task", "Name", "State", "When"].map((header) => ({ header }));
      io.out(
        renderTable({
          title: "Task Runs",
          columns: [{ header: "ID", justify: "right" }, ...columns],
          rows,
        }),
      );
    });
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("View details about a task run.")
    .argument("<id>", "The task run ID")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (rawId: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const id = requireUuid(rawId);
      const { run, link } = await withClient(async (client, settings) => ({
        run: await client.readTaskRun(id).catch(notFound("Task run", id)),
        link: uiLink(settings, "task-run", id),
      }));
      if (json) return io.out(JSON.stringify(run, null, 2));
      io.out(renderKeyValues({ ...run }).join("\n"));
      if (link) io.out(link);
    });
}

function registerLogs(group: Command, io: CliIo): void {
  logsCommand(group, "task run").action(
    async (rawId: string, options: LogsOptions & { output?: string }) => {
      const json = wantsJson(options.output);
      checkLogsOptions(options);
      const id = requireUuid(rawId);
      const { run, logs } = await withClient(async (client) => {
        const run = await client.readTaskRun(id).catch(notFound("Task run", id));
        return { run, logs: await selectLogs(client, { taskRunId: id }, options) };
      });
      if (json) return io.out(JSON.stringify(logs, null, 2));
      if (logs.length > 0) io.out(logs.map((l) => logLine(l, "Task run", run.name)).join("\n"));
    },
  );
}

export function registerTaskRun(program: Command, io: CliIo): void {
  const group = program
    .command("task-run")
    .alias("task-runs")
    .description("View and inspect task runs.");
  registerInspect(group, io);
  registerLs(group, io);
  registerLogs(group, io);
}

/** `prefect-ts task-run`: list and inspect task runs and view their logs. */
import type { Command } from "commander";
import type { TaskRun } from "../../core/runs.ts";
import { renderRunsTable } from "../output/runs.ts";
import { type CliIo, collect, positiveInt, wantsJson, withClient } from "../support.ts";
import { stateNames, stateTypes } from "./flow-run.ts";
import { registerInspect, registerLogs, TASK_RUN } from "./run-kind.ts";

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
      io.out(renderRunsTable("Task", runs, taskName));
    });
}

export function registerTaskRun(program: Command, io: CliIo): void {
  const group = program
    .command("task-run")
    .alias("task-runs")
    .description("View and inspect task runs.");
  registerInspect(group, io, TASK_RUN);
  registerLs(group, io);
  registerLogs(group, io, TASK_RUN);
}

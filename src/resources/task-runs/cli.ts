/** `prefect-ts task-run`: list and inspect task runs and view their logs. */
import type { Command } from "commander";
import {
  type LsOptions,
  registerInspect,
  registerLogs,
  stateFilters,
  TASK_RUN,
  withLsOptions,
} from "../../cli/commands/run-kind.ts";
import { renderRunsTable } from "../../cli/output/runs.ts";
import { type CliIo, wantsJson, withClient } from "../../cli/support.ts";
import type { TaskRun } from "../../core/runs.ts";

/** The task's name: the run name without its `-<dynamic_key>` suffix (`say_hello-0` → `say_hello`). */
export function taskName(run: TaskRun): string {
  const suffix = `-${run.dynamic_key}`;
  return run.name.endsWith(suffix) && run.name.length > suffix.length
    ? run.name.slice(0, -suffix.length)
    : run.name;
}

function registerLs(group: Command, io: CliIo): void {
  const ls = group.command("ls").description("View recent task runs.");
  withLsOptions(ls, TASK_RUN).action(async (options: LsOptions) => {
    const json = wantsJson(options.output);
    const filters = stateFilters(options);
    const runs = await withClient((client) =>
      client.readTaskRuns({
        ...filters,
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

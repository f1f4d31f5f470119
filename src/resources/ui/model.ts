/**
 * The web UI's views in the models layer (Prefect's `api/ui/*`): next runs and counts per flow or
 * flow run, task runs per state and per dashboard bucket, and a task run with its flow run's name.
 */
import type { FlowRunsQuery, TaskRunsQuery } from "../../core/filters.ts";
import type { TaskRun } from "../../core/runs.ts";
import type { AppContext } from "../../services/context.ts";
import { type Interval, taskRunCondition } from "../history/queries.ts";
import { readTaskRun } from "../task-runs/queries.ts";
import * as ui from "./queries.ts";

export function readNextRunsByFlow(ctx: AppContext, flowIds: readonly string[]) {
  return ui.nextRunsByFlow(ctx.database, flowIds);
}

// counts of task runs, as reads of task runs, first wait for the task-run events received so far
// to be recorded (`EventBus.settle`)

export async function countTaskRunsByFlowRun(ctx: AppContext, flowRunIds: readonly string[]) {
  await ctx.events.settle();
  return ui.countTaskRunsByFlowRun(ctx.database, flowRunIds);
}

/** Task runs per state type (every type present, as Prefect answers). */
export async function countTaskRunsByState(ctx: AppContext, query: TaskRunsQuery) {
  await ctx.events.settle();
  return ui.countTaskRunsByState(ctx.database, await taskRunCondition(ctx.database, query));
}

/** Finished task runs per dashboard bucket of their start time: completed and failed. */
export async function countDashboardTaskRuns(
  ctx: AppContext,
  query: FlowRunsQuery & { task_runs: NonNullable<TaskRunsQuery["task_runs"]> },
  intervals: readonly Interval[],
) {
  await ctx.events.settle();
  return ui.dashboardTaskRunCounts(ctx.database, query, intervals);
}

/** A task run with the name of its flow run; null for an unknown id. */
export async function readUiTaskRun(
  ctx: AppContext,
  id: string,
): Promise<{ taskRun: TaskRun; flowRunName: string | null } | null> {
  await ctx.events.settle();
  const taskRun = await readTaskRun(ctx.database, id);
  if (!taskRun) return null;
  return { taskRun, flowRunName: await ui.flowRunName(ctx.database, taskRun.flow_run_id) };
}

/** Run history in the models layer: flow runs and task runs counted per interval and state. */
import type { FlowRunsQuery, TaskRunsQuery } from "../../core/filters.ts";
import type { AppContext } from "../../services/context.ts";
import {
  flowRunCondition,
  type HistoryInterval,
  type Interval,
  runHistory,
  taskRunCondition,
} from "./queries.ts";

/** The flow runs a query selects, counted per interval of their expected start and per state. */
export async function readFlowRunHistory(
  ctx: AppContext,
  query: FlowRunsQuery,
  intervals: readonly Interval[],
): Promise<HistoryInterval[]> {
  const where = await flowRunCondition(ctx.database, query);
  return runHistory(ctx.database, "flow_run", where, intervals);
}

/** The task runs a query selects, counted per interval of their expected start and per state. */
export async function readTaskRunHistory(
  ctx: AppContext,
  query: TaskRunsQuery,
  intervals: readonly Interval[],
): Promise<HistoryInterval[]> {
  await ctx.events.settle();
  const where = await taskRunCondition(ctx.database, query);
  return runHistory(ctx.database, "task_run", where, intervals);
}

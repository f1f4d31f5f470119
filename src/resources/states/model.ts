/** Run states in the models layer: a run's state history, and one state by id. */
import { ObjectNotFoundError } from "../../core/errors.ts";
import type { StateRecord } from "../../core/state.ts";
import type { AppContext } from "../../services/context.ts";
import * as states from "./queries.ts";

/** A flow run's states, oldest first (none for an unknown run, as Prefect answers). */
export function readFlowRunStates(ctx: AppContext, flowRunId: string): Promise<StateRecord[]> {
  return states.readFlowRunStates(ctx.database, flowRunId);
}

/** A task run's states, oldest first (none for an unknown run, as Prefect answers). */
export async function readTaskRunStates(
  ctx: AppContext,
  taskRunId: string,
): Promise<StateRecord[]> {
  await ctx.events.settle();
  return states.readTaskRunStates(ctx.database, taskRunId);
}

export async function readFlowRunState(ctx: AppContext, id: string): Promise<StateRecord> {
  const state = await states.readFlowRunStateById(ctx.database, id);
  if (!state) throw new ObjectNotFoundError("Flow run state not found");
  return state;
}

export async function readTaskRunState(ctx: AppContext, id: string): Promise<StateRecord> {
  await ctx.events.settle();
  const state = await states.readTaskRunStateById(ctx.database, id);
  if (!state) throw new ObjectNotFoundError("Task run state not found");
  return state;
}

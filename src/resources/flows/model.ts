/** Flows in the models layer (Prefect's `models/flows.py`): what both transports do with flows. */
import { ObjectNotFoundError } from "../../core/errors.ts";
import {
  DEFAULT_SORTS,
  FlowSort,
  type FlowsListing,
  type FlowsQuery,
  resolvePage,
} from "../../core/filters.ts";
import type { FlowCreate } from "../../core/run-inputs.ts";
import type { Flow } from "../../core/runs.ts";
import type { AppContext } from "../../services/context.ts";
import * as flows from "./queries.ts";

const notFound = () => new ObjectNotFoundError("Flow not found");

/** Create a flow, or return the one of that name (`created: false`), as Prefect's `POST /flows/`. */
export function createFlow(
  ctx: AppContext,
  input: FlowCreate,
): Promise<{ flow: Flow; created: boolean }> {
  return flows.createFlow(ctx.database, input, ctx.clock.nowIso());
}

export async function readFlow(ctx: AppContext, id: string): Promise<Flow> {
  return (await flows.readFlow(ctx.database, id)) ?? Promise.reject(notFound());
}

export async function readFlowByName(ctx: AppContext, name: string): Promise<Flow> {
  return (await flows.readFlowByName(ctx.database, name)) ?? Promise.reject(notFound());
}

export async function filterFlows(ctx: AppContext, listing: FlowsListing = {}): Promise<Flow[]> {
  return flows.filterFlows(ctx.database, {
    ...listing,
    ...resolvePage(listing, DEFAULT_SORTS.flows, FlowSort),
  });
}

export async function countFlows(ctx: AppContext, query: FlowsQuery = {}): Promise<number> {
  return flows.countFlows(ctx.database, query);
}

/** Change a flow's tags (the one field Prefect's `FlowUpdate` has). */
export async function updateFlow(ctx: AppContext, id: string, update: { tags?: string[] | null }) {
  if (update.tags == null) {
    await readFlow(ctx, id);
    return;
  }
  if (!(await flows.updateFlowTags(ctx.database, id, update.tags, ctx.clock.nowIso())))
    throw notFound();
}

/** Delete a flow with its runs. */
export async function deleteFlow(ctx: AppContext, id: string): Promise<void> {
  if (!(await flows.deleteFlow(ctx.database, id))) throw notFound();
}

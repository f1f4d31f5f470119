import type { FlowSort, FlowsQuery, Page } from "../../core/filters.ts";
import { uuid4 } from "../../core/ids.ts";
import type { FlowCreate } from "../../core/run-inputs.ts";
import type { Flow } from "../../core/runs.ts";
import { nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import { countWhere, flowsOrder, flowsWhere } from "../../storage/filter-sql.ts";
import { flowFromRow, flowToRow } from "../../storage/rows.ts";

/** Create a flow, or return the existing one of that name (`created: false`). */
export async function createFlow(
  { db, dialect }: Database,
  input: FlowCreate,
  now: string = nowIso(),
): Promise<{ flow: Flow; created: boolean }> {
  const existing = await db
    .selectFrom("flow")
    .selectAll()
    .where("name", "=", input.name)
    .executeTakeFirst();
  if (existing) {
    const flow = flowFromRow(dialect, existing);
    if (
      input.parameter_openapi_schema !== undefined &&
      JSON.stringify(input.parameter_openapi_schema) !==
        JSON.stringify(flow.parameter_openapi_schema)
    ) {
      const updated = now;
      await db
        .updateTable("flow")
        .set({ parameter_openapi_schema: dialect.toJson(input.parameter_openapi_schema), updated })
        .where("id", "=", flow.id)
        .execute();
      flow.parameter_openapi_schema = input.parameter_openapi_schema;
      flow.updated = updated;
    }
    return { flow, created: false };
  }
  const flow: Flow = {
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name,
    tags: input.tags ?? [],
    labels: input.labels ?? {},
    parameter_openapi_schema: input.parameter_openapi_schema ?? null,
  };
  const inserted = await db
    .insertInto("flow")
    .values(flowToRow(dialect, flow))
    .onConflict((oc) => oc.column("name").doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    // lost a race with another writer: read theirs
    const row = await db
      .selectFrom("flow")
      .selectAll()
      .where("name", "=", input.name)
      .executeTakeFirstOrThrow();
    return { flow: flowFromRow(dialect, row), created: false };
  }
  return { flow, created: true };
}

export async function readFlow({ db, dialect }: Database, id: string): Promise<Flow | null> {
  const row = await db.selectFrom("flow").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? flowFromRow(dialect, row) : null;
}

export async function readFlowByName(
  { db, dialect }: Database,
  name: string,
): Promise<Flow | null> {
  const row = await db.selectFrom("flow").selectAll().where("name", "=", name).executeTakeFirst();
  return row ? flowFromRow(dialect, row) : null;
}

/** The flows a listing selects, in its order. */
export async function filterFlows(database: Database, listing: FlowsQuery & Page<FlowSort>) {
  let q = database.db.selectFrom("flow").selectAll("flow").where(flowsWhere(database, listing));
  for (const [expr, modifiers] of flowsOrder(listing.sort)) q = q.orderBy(expr, modifiers);
  const rows = await q.limit(listing.limit).offset(listing.offset).execute();
  return rows.map((r) => flowFromRow(database.dialect, r));
}

export function countFlows(database: Database, query: FlowsQuery): Promise<number> {
  return countWhere(database, "flow", flowsWhere(database, query));
}

/** Replace a flow's tags; false when there is no such flow. */
export async function updateFlowTags(
  { db, dialect }: Database,
  id: string,
  tags: string[],
  updated: string,
): Promise<boolean> {
  const res = await db
    .updateTable("flow")
    .set({ tags: dialect.toJson(tags), updated })
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Delete a flow (its runs go with it); false when there is no such flow. */
export async function deleteFlow({ db }: Database, id: string): Promise<boolean> {
  const res = await db.deleteFrom("flow").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

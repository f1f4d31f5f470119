import { ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import type { FlowListOptions } from "../../core/list-options.ts";
import type { FlowCreate } from "../../core/run-inputs.ts";
import type { Flow } from "../../core/runs.ts";
import { nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import { flowFromRow, flowToRow } from "../../storage/rows.ts";

/** Create a flow, or return the existing one of that name (`created: false`). */
export async function createFlow(
  { db, dialect }: Database,
  input: FlowCreate,
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
      const updated = nowIso();
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
  const now = nowIso();
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

/** Flows, newest first. */
export async function readFlows(
  database: Database,
  options: FlowListOptions = {},
): Promise<Flow[]> {
  const { db, dialect } = database;
  let q = db.selectFrom("flow").selectAll();
  if (options.nameLike) q = q.where("name", dialect.ilike, `%${options.nameLike}%`);
  const rows = await q
    .orderBy("created", "desc")
    .limit(options.limit ?? 200)
    .offset(options.offset ?? 0)
    .execute();
  return rows.map((r) => flowFromRow(dialect, r));
}

export async function deleteFlow({ db }: Database, id: string): Promise<void> {
  const res = await db.deleteFrom("flow").where("id", "=", id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0)
    throw new ObjectNotFoundError(`Flow with id ${id} not found`);
}

import type { Selectable } from "kysely";
import type { FlowRunSort, FlowRunsQuery, Page } from "../../core/filters.ts";
import type { FlowRun } from "../../core/runs.ts";
import type { Database, Db } from "../../storage/database.ts";
import { countWhere, flowRunsOrder, flowRunsWhere } from "../../storage/filter-sql.ts";
import { flowRunFromRow, flowRunToRow } from "../../storage/rows.ts";
import type { FlowRunTable } from "../../storage/schema.ts";
import { readStatesByIds } from "../states/queries.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto" | "updateTable" | "deleteFrom">;

/** Insert a flow run row as given (its state is written by orchestration). */
export async function insertFlowRun(database: Database, db: Executor, run: FlowRun): Promise<void> {
  await db.insertInto("flow_run").values(flowRunToRow(database.dialect, run)).execute();
}

function attachStates(database: Database, db: Executor, rows: { state_id: string | null }[]) {
  return readStatesByIds(database, db, "flow_run_state", rows);
}

/** Wire records for flow-run rows, each with its current state. */
async function flowRunsFromRows(
  database: Database,
  rows: Selectable<FlowRunTable>[],
): Promise<FlowRun[]> {
  const states = await attachStates(database, database.db, rows);
  return rows.map((r) =>
    flowRunFromRow(database.dialect, r, r.state_id ? (states.get(r.state_id) ?? null) : null),
  );
}

export async function readFlowRun(
  database: Database,
  id: string,
  db: Executor = database.db,
): Promise<FlowRun | null> {
  const row = await db.selectFrom("flow_run").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return null;
  const states = await attachStates(database, db, [row]);
  return flowRunFromRow(
    database.dialect,
    row,
    row.state_id ? (states.get(row.state_id) ?? null) : null,
  );
}

/** Write every mutable column of a flow run (what orchestration changed). */
export async function updateFlowRun(database: Database, db: Executor, run: FlowRun): Promise<void> {
  const { id, created, ...rest } = flowRunToRow(database.dialect, run);
  await db.updateTable("flow_run").set(rest).where("id", "=", id).execute();
}

/** The page of flow runs a listing selects (filter, sort, limit, offset); no columns yet. */
function flowRunPage(database: Database, listing: FlowRunsQuery & Page<FlowRunSort>) {
  let q = database.db.selectFrom("flow_run").where(flowRunsWhere(database, listing));
  for (const [expr, modifiers] of flowRunsOrder(listing.sort)) q = q.orderBy(expr, modifiers);
  return q.limit(listing.limit).offset(listing.offset);
}

/** The flow runs a listing selects, in its order, each with its current state. */
export async function filterFlowRuns(
  database: Database,
  listing: FlowRunsQuery & Page<FlowRunSort>,
): Promise<FlowRun[]> {
  const rows = await flowRunPage(database, listing).selectAll("flow_run").execute();
  return flowRunsFromRows(database, rows);
}

/**
 * The flow runs a listing selects as points of the runs page's scatter plot: only the columns the
 * points need, no state rows or JSON columns to read.
 */
export function filterFlowRunPoints(
  database: Database,
  listing: FlowRunsQuery & Page<FlowRunSort>,
) {
  return flowRunPage(database, listing)
    .select([
      "flow_run.id",
      "flow_run.created",
      "flow_run.state_type",
      "flow_run.state_timestamp",
      "flow_run.total_run_time",
      "flow_run.expected_start_time",
      "flow_run.start_time",
    ])
    .execute();
}

export function countFlowRuns(database: Database, query: FlowRunsQuery): Promise<number> {
  return countWhere(database, "flow_run", flowRunsWhere(database, query));
}

/** The flow run of a flow with this idempotency key, if any. */
export async function readFlowRunByIdempotencyKey(
  database: Database,
  flowId: string,
  key: string,
): Promise<FlowRun | null> {
  const row = await database.db
    .selectFrom("flow_run")
    .select("id")
    .where("flow_id", "=", flowId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  return row ? readFlowRun(database, row.id) : null;
}

/** Delete a flow run with its task runs, states and logs; false when there is no such run. */
export async function deleteFlowRun(database: Database, id: string): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    // a run that does not exist deletes nothing (logs may name a run id that is not stored)
    const run = await trx
      .selectFrom("flow_run")
      .select("id")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!run) return false;
    await trx
      .deleteFrom("log")
      .where((eb) =>
        eb.or([
          eb("flow_run_id", "=", id),
          eb(
            "task_run_id",
            "in",
            eb.selectFrom("task_run").select("id").where("flow_run_id", "=", id),
          ),
        ]),
      )
      .execute();
    const res = await trx.deleteFrom("flow_run").where("id", "=", id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  });
}

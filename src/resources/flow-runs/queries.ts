import type { Selectable } from "kysely";
import { ObjectNotFoundError } from "../../core/errors.ts";
import { FLOW_RUN_SORTS, type FlowRunListOptions } from "../../core/list-options.ts";
import type { FlowRun } from "../../core/runs.ts";
import type { Database, Db } from "../../storage/database.ts";
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
export async function flowRunsFromRows(
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

export async function readFlowRunOrThrow(
  database: Database,
  id: string,
  db: Executor = database.db,
) {
  const run = await readFlowRun(database, id, db);
  if (!run) throw new ObjectNotFoundError(`Flow run with id ${id} not found`);
  return run;
}

/** Write every mutable column of a flow run (what orchestration changed). */
export async function updateFlowRun(database: Database, db: Executor, run: FlowRun): Promise<void> {
  const { id, created, ...rest } = flowRunToRow(database.dialect, run);
  await db.updateTable("flow_run").set(rest).where("id", "=", id).execute();
}

function filtered(database: Database, o: FlowRunListOptions) {
  let q = database.db.selectFrom("flow_run");
  if (o.ids) q = q.where("flow_run.id", "in", o.ids.length ? o.ids : [""]);
  if (o.flowIds) q = q.where("flow_run.flow_id", "in", o.flowIds.length ? o.flowIds : [""]);
  if (o.flowNames) {
    const names = o.flowNames.length ? o.flowNames : [""];
    q = q.where("flow_run.flow_id", "in", (sq) =>
      sq.selectFrom("flow").select("flow.id").where("flow.name", "in", names),
    );
  }
  if (o.stateTypes)
    q = q.where("flow_run.state_type", "in", o.stateTypes.length ? o.stateTypes : [""]);
  if (o.stateNames)
    q = q.where("flow_run.state_name", "in", o.stateNames.length ? o.stateNames : [""]);
  if (o.parentTaskRunIds)
    q = q.where(
      "flow_run.parent_task_run_id",
      "in",
      o.parentTaskRunIds.length ? o.parentTaskRunIds : [""],
    );
  return q;
}

/** Flow runs matching the options, with their current states. */
export async function readFlowRuns(
  database: Database,
  o: FlowRunListOptions = {},
): Promise<FlowRun[]> {
  const [column, direction] = FLOW_RUN_SORTS[o.sort ?? "EXPECTED_START_TIME_DESC"];
  const rows = await filtered(database, o)
    .selectAll("flow_run")
    .orderBy(`flow_run.${column}`, (ob) =>
      direction === "desc" ? ob.desc().nullsLast() : ob.asc().nullsFirst(),
    )
    .orderBy("flow_run.id", "asc")
    .limit(o.limit ?? 200)
    .offset(o.offset ?? 0)
    .execute();
  const states = await attachStates(database, database.db, rows);
  return rows.map((r) =>
    flowRunFromRow(database.dialect, r, r.state_id ? (states.get(r.state_id) ?? null) : null),
  );
}

export async function countFlowRuns(
  database: Database,
  o: FlowRunListOptions = {},
): Promise<number> {
  const row = await filtered(database, o)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Delete a flow run with its task runs, states and logs. */
export async function deleteFlowRun(database: Database, id: string): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
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
    if (Number(res.numDeletedRows) === 0)
      throw new ObjectNotFoundError(`Flow run with id ${id} not found`);
  });
}

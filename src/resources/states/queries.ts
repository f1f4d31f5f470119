import type { StateRecord } from "../../core/state.ts";
import type { Database, Db } from "../../storage/database.ts";
import { flowRunStateToRow, stateFromRow, taskRunStateToRow } from "../../storage/rows.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto">;

export async function insertFlowRunState(
  { dialect }: Database,
  db: Executor,
  flowRunId: string,
  state: StateRecord,
  created: string,
): Promise<void> {
  await db
    .insertInto("flow_run_state")
    .values(flowRunStateToRow(dialect, flowRunId, state, created))
    .execute();
}

export async function insertTaskRunState(
  { dialect }: Database,
  db: Executor,
  taskRunId: string,
  state: StateRecord,
  created: string,
): Promise<void> {
  await db
    .insertInto("task_run_state")
    .values(taskRunStateToRow(dialect, taskRunId, state, created))
    .execute();
}

/** States of one flow run, oldest first. */
export async function readFlowRunStates(
  database: Database,
  flowRunId: string,
): Promise<StateRecord[]> {
  const rows = await database.db
    .selectFrom("flow_run_state")
    .selectAll()
    .where("flow_run_id", "=", flowRunId)
    .orderBy("timestamp", "asc")
    .execute();
  return rows.map((r) => stateFromRow(database.dialect, r));
}

/** States of one task run, oldest first. */
export async function readTaskRunStates(
  database: Database,
  taskRunId: string,
): Promise<StateRecord[]> {
  const rows = await database.db
    .selectFrom("task_run_state")
    .selectAll()
    .where("task_run_id", "=", taskRunId)
    .orderBy("timestamp", "asc")
    .execute();
  return rows.map((r) => stateFromRow(database.dialect, r));
}

export async function readFlowRunStateById(
  database: Database,
  id: string,
): Promise<StateRecord | null> {
  const row = await database.db
    .selectFrom("flow_run_state")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? stateFromRow(database.dialect, row) : null;
}

export async function readTaskRunStateById(
  database: Database,
  id: string,
): Promise<StateRecord | null> {
  const row = await database.db
    .selectFrom("task_run_state")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? stateFromRow(database.dialect, row) : null;
}

/** Whether a state of this flow run already has exactly this timestamp. */
export async function flowRunStateTimestampTaken(
  db: Executor,
  flowRunId: string,
  timestamp: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("flow_run_state")
    .select("id")
    .where("flow_run_id", "=", flowRunId)
    .where("timestamp", "=", timestamp)
    .executeTakeFirst();
  return row !== undefined;
}

/** Current states of runs, by id (chunked under parameter limits), for attaching to run rows. */
export async function readStatesByIds(
  database: Database,
  db: Pick<Db, "selectFrom">,
  table: "flow_run_state" | "task_run_state",
  rows: readonly { state_id: string | null }[],
): Promise<Map<string, StateRecord>> {
  const ids = rows.map((r) => r.state_id).filter((x): x is string => x !== null);
  const states = new Map<string, StateRecord>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await db
      .selectFrom(table)
      .selectAll()
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
    for (const s of found) states.set(s.id, stateFromRow(database.dialect, s));
  }
  return states;
}

/**
 * Reading a run together with its current state in one query, locked on PostgreSQL
 * (`FOR NO KEY UPDATE`: state changes of one run are serialized, while inserts of rows that
 * reference it — task runs of a flow run, states — take no conflicting lock and are not held up):
 * the first step of every orchestrated state change.
 *
 * A locking read that had to wait for another transaction's lock does not see that transaction's
 * state: PostgreSQL then re-reads only the locked row — its newest version, with the new
 * `state_id` — and re-checks the join against the state row it had found before waiting, which no
 * longer matches; the LEFT JOIN leaves the state columns null, and the run would look stateless
 * (a proposal raced against another would be orchestrated from ∅, and accepted). A row locked
 * whose `state_id` found no state is therefore read again: the lock is held by then, and the
 * statement's new snapshot sees the state the transaction it waited for committed.
 */
import type { FlowRun, TaskRun } from "../../core/runs.ts";
import type { Database, Db } from "../../storage/database.ts";
import { flowRunFromRow, stateFromRow, taskRunFromRow } from "../../storage/rows.ts";

type Executor = Pick<Db, "selectFrom">;

const STATE_COLUMNS = [
  "s.id as s_id",
  "s.created as s_created",
  "s.updated as s_updated",
  "s.type as s_type",
  "s.name as s_name",
  "s.timestamp as s_timestamp",
  "s.message as s_message",
  "s.state_details as s_state_details",
  "s.data as s_data",
] as const;

interface JoinedState {
  s_id: string | null;
  s_created: string | null;
  s_updated: string | null;
  s_type: string | null;
  s_name: string | null;
  s_timestamp: string | null;
  s_message: string | null;
  s_state_details: unknown;
  s_data: unknown;
}

/**
 * Whether a locked row names a state the join did not find: the lock was waited for, and the
 * state is the one the transaction waited for wrote (see the header).
 */
function lostItsState(row: { state_id: string | null; s_id: string | null }): boolean {
  return row.state_id !== null && row.s_id === null;
}

function joinedState(database: Database, r: JoinedState) {
  if (r.s_id === null) return null;
  return stateFromRow(database.dialect, {
    id: r.s_id,
    created: r.s_created ?? "",
    updated: r.s_updated ?? "",
    type: r.s_type ?? "",
    name: r.s_name ?? "",
    timestamp: r.s_timestamp ?? "",
    message: r.s_message,
    state_details: r.s_state_details,
    data: r.s_data,
    flow_run_id: "",
  });
}

/** A flow run with its state; `lock` takes a row lock on PostgreSQL (`FOR NO KEY UPDATE OF flow_run`). */
export async function readFlowRunWithState(
  database: Database,
  db: Executor,
  id: string,
  lock: boolean,
): Promise<FlowRun | null> {
  const locking = lock && database.dialect.name === "postgres";
  const read = (forUpdate: boolean) =>
    db
      .selectFrom("flow_run")
      .leftJoin("flow_run_state as s", "s.id", "flow_run.state_id")
      .selectAll("flow_run")
      .select(STATE_COLUMNS)
      .where("flow_run.id", "=", id)
      .$if(forUpdate, (q) => q.forNoKeyUpdate("flow_run"))
      .executeTakeFirst();
  let row = await read(locking);
  if (locking && row && lostItsState(row)) row = await read(false);
  if (!row) return null;
  return flowRunFromRow(database.dialect, row, joinedState(database, row));
}

/** A task run with its state; `lock` takes a row lock on PostgreSQL (`FOR NO KEY UPDATE OF task_run`). */
export async function readTaskRunWithState(
  database: Database,
  db: Executor,
  id: string,
  lock: boolean,
): Promise<TaskRun | null> {
  const locking = lock && database.dialect.name === "postgres";
  const read = (forUpdate: boolean) =>
    db
      .selectFrom("task_run")
      .leftJoin("task_run_state as s", "s.id", "task_run.state_id")
      .selectAll("task_run")
      .select(STATE_COLUMNS)
      .where("task_run.id", "=", id)
      .$if(forUpdate, (q) => q.forNoKeyUpdate("task_run"))
      .executeTakeFirst();
  let row = await read(locking);
  if (locking && row && lostItsState(row)) row = await read(false);
  if (!row) return null;
  return taskRunFromRow(database.dialect, row, joinedState(database, row));
}

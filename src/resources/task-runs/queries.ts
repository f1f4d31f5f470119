import type { Selectable } from "kysely";
import type { Page, TaskRunSort, TaskRunsQuery } from "../../core/filters.ts";
import { type TaskRun, taskRunNaturalKey } from "../../core/runs.ts";
import type { StateRecord } from "../../core/state.ts";
import { type BulkInsert, runBulkInserts } from "../../storage/bulk-insert.ts";
import type { Database, Db } from "../../storage/database.ts";
import { countWhere, taskRunsOrder, taskRunsWhere } from "../../storage/filter-sql.ts";
import { taskRunFromRow, taskRunStateToRow, taskRunToRow } from "../../storage/rows.ts";
import type { TaskRunStateTable, TaskRunTable } from "../../storage/schema.ts";
import { readStatesByIds } from "../states/queries.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto" | "updateTable" | "deleteFrom">;

/**
 * On PostgreSQL a large batch is written as this many statements at once, each on its own pool
 * connection and holding a disjoint set of task runs. One statement keeps one server process busy
 * while this one waits; a second lets PostgreSQL use another core meanwhile.
 */
const PG_WRITE_PARTS = 2;
/** States per part below which a batch is not worth splitting. */
const PG_PART_MIN_STATES = 1000;

/**
 * Upsert task-run snapshots (one per run) and insert states. A stored run is only replaced by a
 * snapshot with a later state timestamp, so that snapshots arriving out of order end on the latest.
 * Every run's rows are written atomically (with the states of that run); a large PostgreSQL batch
 * is split by run into parts written concurrently. A failed batch can be written again: states are
 * inserted once and a snapshot replaces only an older one.
 */
export async function recordTaskRuns(
  database: Database,
  runs: readonly TaskRun[],
  states: readonly (readonly [string, StateRecord])[],
  created: string,
): Promise<void> {
  if (runs.length === 0 && states.length === 0) return;
  const parts = database.native
    ? 1
    : Math.min(PG_WRITE_PARTS, Math.floor(states.length / PG_PART_MIN_STATES), runs.length);
  if (parts <= 1) return recordTaskRunsPart(database, runs, states, created);
  const partOf = new Map<string, number>();
  const runParts: TaskRun[][] = Array.from({ length: parts }, () => []);
  const stateParts: (readonly [string, StateRecord])[][] = Array.from({ length: parts }, () => []);
  // runs sharing a natural key (a client's ids for one task run) go to one part: two parts
  // inserting them would wait on each other
  const partOfKey = new Map<string, number>();
  runs.forEach((run, i) => {
    const key = taskRunNaturalKey(run);
    const part = partOfKey.get(key) ?? i % parts;
    partOfKey.set(key, part);
    partOf.set(run.id, part);
    runParts[part]?.push(run);
  });
  // a state whose run is not in the batch (its snapshot was not newer) can go in any part
  for (const entry of states) stateParts[partOf.get(entry[0]) ?? 0]?.push(entry);
  // every part ends before the batch does, failed or not: a caller that writes it again (the
  // recorder's rules, after a constraint refused it) never races a part still running
  const results = await Promise.allSettled(
    runParts.map((part, i) => recordTaskRunsPart(database, part, stateParts[i] ?? [], created)),
  );
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

async function recordTaskRunsPart(
  database: Database,
  runs: readonly TaskRun[],
  states: readonly (readonly [string, StateRecord])[],
  created: string,
): Promise<void> {
  const { db, dialect } = database;
  const runRows = runs.map((run) => taskRunToRow(dialect, run));
  const stateRows = states.map(([id, state]) => taskRunStateToRow(dialect, id, state, created));
  await runBulkInserts(database, [
    {
      key: "task_run.upsert",
      rows: runRows,
      query: (rows: TaskRunTable[]) =>
        db
          .insertInto("task_run")
          .values(rows)
          .onConflict((oc) =>
            oc
              .column("id")
              .doUpdateSet((eb) => ({
                updated: eb.ref("excluded.updated"),
                name: eb.ref("excluded.name"),
                cache_key: eb.ref("excluded.cache_key"),
                cache_expiration: eb.ref("excluded.cache_expiration"),
                empirical_policy: eb.ref("excluded.empirical_policy"),
                task_inputs: eb.ref("excluded.task_inputs"),
                tags: eb.ref("excluded.tags"),
                labels: eb.ref("excluded.labels"),
                flow_run_run_count: eb.ref("excluded.flow_run_run_count"),
                state_id: eb.ref("excluded.state_id"),
                state_type: eb.ref("excluded.state_type"),
                state_name: eb.ref("excluded.state_name"),
                state_timestamp: eb.ref("excluded.state_timestamp"),
                run_count: eb.ref("excluded.run_count"),
                expected_start_time: eb.ref("excluded.expected_start_time"),
                next_scheduled_start_time: eb.ref("excluded.next_scheduled_start_time"),
                start_time: eb.ref("excluded.start_time"),
                end_time: eb.ref("excluded.end_time"),
                total_run_time: eb.ref("excluded.total_run_time"),
              }))
              // a snapshot replaces only an older one (Prefect's recorder: `state_timestamp <`)
              .where((eb) =>
                eb.or([
                  eb("task_run.state_timestamp", "is", null),
                  eb("task_run.state_timestamp", "<", eb.ref("excluded.state_timestamp")),
                ]),
              ),
          ),
    },
    {
      key: "task_run_state.insert",
      rows: stateRows,
      query: (rows: TaskRunStateTable[]) =>
        db
          .insertInto("task_run_state")
          .values(rows)
          .onConflict((oc) => oc.column("id").doNothing()),
    },
  ] as BulkInsert<object>[]);
}

export async function updateTaskRun(database: Database, db: Executor, run: TaskRun): Promise<void> {
  const { id, created, ...rest } = taskRunToRow(database.dialect, run);
  await db.updateTable("task_run").set(rest).where("id", "=", id).execute();
}

function attachStates(database: Database, db: Executor, rows: { state_id: string | null }[]) {
  return readStatesByIds(database, db, "task_run_state", rows);
}

/** Wire records for task-run rows, each with its current state. */
async function taskRunsFromRows(
  database: Database,
  rows: Selectable<TaskRunTable>[],
): Promise<TaskRun[]> {
  const states = await attachStates(database, database.db, rows);
  return rows.map((r) =>
    taskRunFromRow(database.dialect, r, r.state_id ? (states.get(r.state_id) ?? null) : null),
  );
}

export async function readTaskRun(
  database: Database,
  id: string,
  db: Executor = database.db,
): Promise<TaskRun | null> {
  const row = await db.selectFrom("task_run").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return null;
  const states = await attachStates(database, db, [row]);
  return taskRunFromRow(
    database.dialect,
    row,
    row.state_id ? (states.get(row.state_id) ?? null) : null,
  );
}

/** The task runs a listing selects, in its order, each with its current state. */
export async function filterTaskRuns(
  database: Database,
  listing: TaskRunsQuery & Page<TaskRunSort>,
): Promise<TaskRun[]> {
  let q = database.db
    .selectFrom("task_run")
    .selectAll("task_run")
    .where(taskRunsWhere(database, listing));
  for (const [expr, modifiers] of taskRunsOrder(listing.sort)) q = q.orderBy(expr, modifiers);
  const rows = await q.limit(listing.limit).offset(listing.offset).execute();
  return taskRunsFromRows(database, rows);
}

export function countTaskRuns(database: Database, query: TaskRunsQuery): Promise<number> {
  return countWhere(database, "task_run", taskRunsWhere(database, query));
}

/** Give a task run another name; false when there is no such run. */
export async function renameTaskRun(
  database: Database,
  id: string,
  name: string,
  updated: string,
): Promise<boolean> {
  const res = await database.db
    .updateTable("task_run")
    .set({ name, updated })
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Delete a task run with its states and logs; false when there is no such run. */
export async function deleteTaskRun(database: Database, id: string): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    // deleting the run first: a run that does not exist deletes nothing (logs may name any id)
    const res = await trx.deleteFrom("task_run").where("id", "=", id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return false;
    await trx.deleteFrom("log").where("task_run_id", "=", id).execute();
    return true;
  });
}

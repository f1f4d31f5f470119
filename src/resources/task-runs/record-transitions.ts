/**
 * Recording client-orchestrated task-run transitions (Prefect's task-run recorder rules), the one
 * implementation both transports use: the embedded client hands its transitions here directly,
 * the server's recorder after reading them from `prefect.task-run.*` events.
 *
 * - transitions are applied in state-timestamp order (stable: equal timestamps keep their order),
 *   and a stored run is only overwritten by a snapshot with a later state timestamp, so that
 *   out-of-order delivery (even across batches) ends on the latest state;
 * - every state is inserted once (a state id already stored is ignored: redelivery is harmless);
 * - a run whose `(flow_run_id, task_key, dynamic_key)` already exists under another id is recorded
 *   under the stored id;
 * - a task run whose flow run does not exist cannot be stored (foreign key): its transitions are
 *   skipped (counted, and logged), the rest of the batch is recorded.
 *
 * Calls on one database are serialised, so that the read of the stored runs and the write that
 * depends on it are not interleaved with another batch of this process.
 */
import { sql } from "kysely";
import { type TaskRun, type TaskRunTransition, taskRunNaturalKey } from "../../core/runs.ts";
import type { StateRecord } from "../../core/state.ts";
import { compareIso } from "../../core/time.ts";
import type { AppContext, AppLogger } from "../../services/context.ts";
import type { Database } from "../../storage/database.ts";
import { isConstraintViolation } from "../../storage/database-errors.ts";
import { recordTaskRuns } from "./queries.ts";

/** A transition to record, with the event it was read from when there is one (for logs). */
export interface TransitionRecord extends TaskRunTransition {
  eventId?: string;
}

export interface RecordSummary {
  /** States inserted or already present. */
  recorded: number;
  /** Transitions dropped: their flow run does not exist. */
  skipped: number;
}

const queues = new WeakMap<Database, Promise<void>>();

/** Record transitions in bulk (no orchestration: the client decided them). */
export function recordTaskRunTransitions(
  ctx: AppContext,
  transitions: readonly TransitionRecord[],
): Promise<RecordSummary> {
  const database = ctx.database;
  const previous = queues.get(database) ?? Promise.resolve();
  const next = previous.then(() => recordSerially(ctx, transitions));
  queues.set(
    database,
    next.then(
      () => undefined,
      () => undefined,
    ),
  );
  return next;
}

async function recordSerially(
  ctx: AppContext,
  transitions: readonly TransitionRecord[],
): Promise<RecordSummary> {
  if (transitions.length === 0) return { recorded: 0, skipped: 0 };
  // stable sort: equal timestamps keep their arrival order (a process's own transitions arrive
  // in order: checked in one pass, not sorted)
  const records = inTimestampOrder(transitions)
    ? transitions
    : [...transitions].sort((a, b) => compareIso(a.state.timestamp, b.state.timestamp));
  // most batches hold runs whose flow runs exist and whose natural keys are theirs alone: written
  // as they are, without reading anything first; the database's constraints say when not
  try {
    return await writeAsTheyAre(ctx, records);
  } catch (error) {
    if (!isConstraintViolation(error)) throw error;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeRecords(ctx, records);
    } catch (error) {
      // a flow run deleted, or a natural key taken, between our read and our write: read again
      if (attempt >= 2 || !isConstraintViolation(error)) throw error;
      knownFlowRuns.delete(ctx.database);
    }
  }
}

function inTimestampOrder(transitions: readonly TransitionRecord[]): boolean {
  for (let i = 1; i < transitions.length; i++) {
    const a = (transitions[i - 1] as TransitionRecord).state.timestamp;
    const b = (transitions[i] as TransitionRecord).state.timestamp;
    if (compareIso(a, b) > 0) return false;
  }
  return true;
}

/**
 * Write the records without looking anything up: a foreign key (a flow run that does not exist) or
 * a natural key held by another run makes the write fail. What a failed write kept (a PostgreSQL
 * batch is written in parts) is harmless to write again: states are inserted once, and a snapshot
 * replaces only an older one.
 */
async function writeAsTheyAre(
  ctx: AppContext,
  records: readonly TransitionRecord[],
): Promise<RecordSummary> {
  const latest = new Map<string, TaskRun>();
  const states: [string, StateRecord][] = [];
  const seenStates = new Set<string>();
  for (const { run, state } of records) {
    latest.set(run.id, run);
    if (seenStates.has(state.id)) continue;
    seenStates.add(state.id);
    states.push([run.id, state]);
  }
  await recordTaskRuns(ctx.database, [...latest.values()], states, ctx.clock.nowIso());
  return { recorded: states.length, skipped: 0 };
}

async function writeRecords(
  ctx: AppContext,
  records: readonly TransitionRecord[],
): Promise<RecordSummary> {
  const database = ctx.database;
  const flowRunIds = unique(records.map((r) => r.run.flow_run_id).filter(isString));
  // independent reads: on PostgreSQL they run side by side, on pooled connections
  const [existingFlowRuns, stored] = await Promise.all([
    existingFlowRunIds(database, flowRunIds),
    storedTaskRuns(database, records),
  ]);

  // canonical id per natural key: the stored row's, else the latest transition's
  const canonicalByKey = new Map<string, string>();
  for (const row of stored.values()) {
    if (row.flow_run_id) canonicalByKey.set(taskRunNaturalKey(row), row.id);
  }
  for (const { run } of records) {
    if (!run.flow_run_id || stored.has(run.id)) continue;
    const key = taskRunNaturalKey(run);
    if (!stored.has(canonicalByKey.get(key) ?? "")) canonicalByKey.set(key, run.id);
  }

  const latest = new Map<string, TaskRun>();
  const states: [string, StateRecord][] = [];
  const seenStates = new Set<string>();
  let skipped = 0;
  for (const record of records) {
    const { run: given, eventId } = record;
    if (given.flow_run_id && !existingFlowRuns.has(given.flow_run_id)) {
      skipped++;
      warnSkipped(ctx.log, eventId, given);
      continue;
    }
    const id = given.flow_run_id
      ? (canonicalByKey.get(taskRunNaturalKey(given)) ?? given.id)
      : given.id;
    let { run, state } = record;
    if (id !== given.id) {
      // recorded under the stored run's id (copies: the caller's objects stay as they are)
      run = { ...given, id };
      state = { ...state, state_details: { ...state.state_details, task_run_id: id } };
    }
    latest.set(id, run);
    if (seenStates.has(state.id)) continue;
    seenStates.add(state.id);
    states.push([id, state]);
  }

  // a stored run is only overwritten by a later state (Prefect's `WHERE state_timestamp < …`, which
  // the write holds to as well): a snapshot known to be older is not even sent
  const runs = [...latest.values()].filter((run) => {
    const current = stored.get(run.id)?.state_timestamp;
    return !current || compareIso(current, run.state_timestamp ?? current) < 0;
  });
  await recordTaskRuns(database, runs, states, ctx.clock.nowIso());
  return { recorded: states.length, skipped };
}

function warnSkipped(log: AppLogger, eventId: string | undefined, run: TaskRun): void {
  log.warn(
    { eventId, taskRunId: run.id, flowRunId: run.flow_run_id },
    "task-run transition for a flow run that does not exist: skipped",
  );
}

interface StoredTaskRun {
  id: string;
  flow_run_id: string | null;
  task_key: string;
  dynamic_key: string;
  state_timestamp: string | null;
}

const CHUNK = 1000;

/**
 * Stored task runs matching the records, by id: a run of a flow run is looked up by its natural
 * key (which finds it under its own id as well as under another), a run without one by its id.
 */
async function storedTaskRuns(
  database: Database,
  records: readonly TransitionRecord[],
): Promise<Map<string, StoredTaskRun>> {
  const ids = unique(records.filter((r) => !r.run.flow_run_id).map((r) => r.run.id));
  // natural keys by flow run: each lookup constrains every column of the unique
  // (flow_run_id, task_key, dynamic_key) index, so it is index seeks, not a scan of task_run
  const keysByFlowRun = new Map<string, TransitionRecord[]>();
  for (const r of records) {
    const flowRunId = r.run.flow_run_id;
    if (!flowRunId) continue;
    const mine = keysByFlowRun.get(flowRunId);
    if (mine) mine.push(r);
    else keysByFlowRun.set(flowRunId, [r]);
  }
  const keys = new Set(
    records.filter((r) => r.run.flow_run_id).map((r) => taskRunNaturalKey(r.run)),
  );
  const columns = ["id", "flow_run_id", "task_key", "dynamic_key", "state_timestamp"] as const;
  const { db, dialect } = database;
  const reads: Promise<{ rows: StoredTaskRun[]; byKey: boolean }>[] = [];
  if (ids.length > 0) {
    const query = db
      .selectFrom("task_run")
      .select(columns)
      .where(dialect.textIn(sql.ref("id"), ids, "uuid"));
    reads.push(query.execute().then((rows) => ({ rows, byKey: false })));
  }
  for (const [flowRunId, mine] of keysByFlowRun) {
    // a superset of the keys (every task key with every dynamic key), filtered below
    const query = db
      .selectFrom("task_run")
      .select(columns)
      .where("flow_run_id", "=", flowRunId)
      .where(dialect.textIn(sql.ref("task_key"), unique(mine.map((r) => r.run.task_key))))
      .where(dialect.textIn(sql.ref("dynamic_key"), unique(mine.map((r) => r.run.dynamic_key))));
    reads.push(query.execute().then((rows) => ({ rows, byKey: true })));
  }
  const found = new Map<string, StoredTaskRun>();
  for (const { rows, byKey } of await Promise.all(reads)) {
    for (const row of rows) if (!byKey || keys.has(taskRunNaturalKey(row))) found.set(row.id, row);
  }
  return found;
}

/**
 * Flow runs seen to exist, per database, so that a stream of transitions looks each one up once. A
 * write failing on a constraint forgets them all (one may have been deleted since).
 */
const knownFlowRuns = new WeakMap<Database, Set<string>>();
const KNOWN_FLOW_RUNS_MAX = 10_000;

async function existingFlowRunIds(
  database: Database,
  flowRunIds: readonly string[],
): Promise<Set<string>> {
  let known = knownFlowRuns.get(database);
  if (!known || known.size > KNOWN_FLOW_RUNS_MAX) {
    known = new Set();
    knownFlowRuns.set(database, known);
  }
  const cache = known;
  const unknown = flowRunIds.filter((id) => !cache.has(id));
  const found = unknown.length > 0 ? await existingIds(database, unknown) : new Set<string>();
  for (const id of found) cache.add(id);
  return new Set(flowRunIds.filter((id) => cache.has(id)));
}

async function existingIds(
  database: Database,
  flowRunIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < flowRunIds.length; i += CHUNK) {
    const rows = await database.db
      .selectFrom("flow_run")
      .select("id")
      .where("id", "in", flowRunIds.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function isString(value: string | null): value is string {
  return value !== null;
}

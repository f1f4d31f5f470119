/**
 * Prefect's task-run recorder (`prefect.server.services.task_run_recorder`): the Prefect 3 client
 * orchestrates task runs itself and reports every transition as a `prefect.task-run.<State name>`
 * event; the server turns those events into `task_run` and `task_run_state` rows, without
 * orchestration.
 *
 * As Prefect:
 * - only events named `prefect.task-run.*` whose resource carries `prefect.orchestration: client`
 *   are recorded (every event, these included, also goes to the event store);
 * - the run is `payload.task_run` with `id` from the resource (`prefect.task-run.<id>`) and
 *   `flow_run_id` from the related resource in role `flow-run`; keys of `payload.task_run` win
 *   over both, as in Prefect's dict merge;
 * - the state is `payload.validated_state` with `id` = the event's id and `timestamp` = its
 *   `occurred` (again unless `validated_state` carries its own), and `state_details.task_run_id`
 *   / `flow_run_id` set to the run's;
 * - events are applied in `occurred` order, and a stored run is only overwritten by a snapshot with
 *   a later state timestamp, so out-of-order delivery (even across batches) ends on the latest
 *   state; every state is inserted (a state id already stored is ignored, so redelivery is
 *   harmless);
 * - a run whose `(flow_run_id, task_key, dynamic_key)` already exists under another id is
 *   recorded under the stored id.
 *
 * A task run whose flow run does not exist cannot be stored (foreign key). Prefect's recorder then
 * fails the flush with an IntegrityError, retries it and finally drops the events (its batches are
 * one event by default); here those events are skipped (counted in `skipped`) and the rest of the
 * batch is recorded.
 */
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { TaskRun, TaskRunInput } from "../../core/runs.ts";
import { defaultTaskRunPolicy } from "../../core/runs.ts";
import type { StateDetails, StateRecord } from "../../core/state.ts";
import { compareIso, normalizeIso, nowIso } from "../../core/time.ts";
import { buildState } from "../../orchestration/states.ts";
import type { Database } from "../../storage/database.ts";
import { type IncomingEvent, objectIdOf, relatedInRole } from "../events/schema.ts";
import type { StateDetailsCreate } from "../states/schema.ts";
import { RecordablePayloadSchema } from "./event-payload-schema.ts";
import { ordinaryTaskRunPayload } from "./ordinary-event-payload.ts";
import { recordTaskRuns } from "./queries.ts";

/** A task-run transition read from one event. */
export interface TaskRunEventRecord {
  run: TaskRun;
  state: StateRecord;
  /** The event's id (to name it in logs). */
  eventId: string;
}

/** A task-run event that cannot be recorded, and why. */
export interface UnrecordableTaskRunEvent {
  error: string;
  eventId: string;
  event: string;
}

/** Whether the task-run recorder takes this event (Prefect's consumer filter). */
export function isTaskRunRecorderEvent(event: IncomingEvent): boolean {
  return (
    event.event.startsWith("prefect.task-run.") &&
    event.resource["prefect.orchestration"] === "client"
  );
}

/**
 * The task run and state an event describes, or why it is a task-run event that cannot be
 * recorded (no `payload.task_run` / `payload.validated_state`, or invalid ones). `now` is when the
 * event was received: the run's `created` / `updated` when it is first recorded.
 */
export function taskRunFromEvent(
  event: IncomingEvent,
  now: string = nowIso(),
): TaskRunEventRecord | UnrecordableTaskRunEvent {
  const unrecordable = (error: string) => ({ error, eventId: event.id, event: event.event });
  let payload = ordinaryTaskRunPayload(event.payload);
  if (!payload) {
    const parsed = RecordablePayloadSchema.safeParse(event.payload);
    if (!parsed.success) {
      return unrecordable(`invalid task-run event payload: ${z.prettifyError(parsed.error)}`);
    }
    payload = parsed.data;
  }
  const { task_run: tr, validated_state: vs } = payload;
  const id = (tr.id ?? objectIdOf(event.resource["prefect.resource.id"], "prefect.task-run"))
    ?.toLowerCase()
    .trim();
  if (!id) return unrecordable("the resource is not a prefect.task-run.<uuid>");
  const relatedFlowRun = relatedInRole(event, "flow-run")?.["prefect.resource.id"];
  const flowRunId =
    tr.flow_run_id !== undefined
      ? (tr.flow_run_id?.toLowerCase() ?? null)
      : objectIdOf(relatedFlowRun, "prefect.flow-run");

  const state = buildState(
    {
      type: vs.type,
      name: vs.name,
      message: vs.message,
      data: vs.data,
      state_details: normalizeDetails(vs.state_details),
      id: vs.id ?? event.id,
      timestamp: vs.timestamp ?? event.occurred,
    },
    now,
  );
  state.state_details.task_run_id = id;
  state.state_details.flow_run_id = flowRunId;

  const run: TaskRun = {
    id,
    created: now,
    updated: now,
    name: tr.name ?? tr.task_key,
    flow_run_id: flowRunId,
    task_key: tr.task_key,
    dynamic_key: tr.dynamic_key,
    cache_key: tr.cache_key ?? null,
    cache_expiration: iso(tr.cache_expiration),
    task_version: tr.task_version ?? null,
    empirical_policy: {
      ...defaultTaskRunPolicy(),
      ...definedOnly(tr.empirical_policy ?? {}),
    },
    tags: tr.tags ?? [],
    labels: tr.labels ?? {},
    task_inputs: (tr.task_inputs ?? {}) as Record<string, TaskRunInput[]>,
    flow_run_run_count: tr.flow_run_run_count ?? 0,
    state_id: state.id,
    state_type: state.type,
    state_name: state.name,
    state_timestamp: state.timestamp,
    run_count: tr.run_count ?? 0,
    expected_start_time: iso(tr.expected_start_time),
    next_scheduled_start_time: iso(tr.next_scheduled_start_time),
    start_time: iso(tr.start_time),
    end_time: iso(tr.end_time),
    total_run_time: tr.total_run_time ?? 0,
    state,
  };
  return { run, state, eventId: event.id };
}

export interface RecordSummary {
  /** Task-run events read from the batch (recorded or skipped). */
  taskRunEvents: number;
  /** States inserted or already present. */
  recorded: number;
  /** Events dropped: invalid payload, or a flow run that does not exist. */
  skipped: number;
}

/**
 * Record task-run events, as read by `taskRunFromEvent` when they were received, in bulk. Calls on
 * one database are serialised, so that the read of the stored runs and the write that depends on
 * it are not interleaved with another batch of this process.
 */
export function recordTaskRunEvents(
  database: Database,
  events: readonly (TaskRunEventRecord | UnrecordableTaskRunEvent)[],
  log?: FastifyBaseLogger,
): Promise<RecordSummary> {
  const previous = queues.get(database) ?? Promise.resolve();
  const next = previous.then(() => recordSerially(database, events, log));
  queues.set(
    database,
    next.then(
      () => undefined,
      () => undefined,
    ),
  );
  return next;
}

const queues = new WeakMap<Database, Promise<void>>();

async function recordSerially(
  database: Database,
  events: readonly (TaskRunEventRecord | UnrecordableTaskRunEvent)[],
  log: FastifyBaseLogger | undefined,
): Promise<RecordSummary> {
  const now = nowIso();
  const records: TaskRunEventRecord[] = [];
  let skipped = 0;
  for (const record of events) {
    if ("error" in record) {
      skipped++;
      log?.warn({ eventId: record.eventId, event: record.event }, record.error);
      continue;
    }
    records.push(record);
  }
  const summary: RecordSummary = { taskRunEvents: records.length + skipped, recorded: 0, skipped };
  if (records.length === 0) return summary;
  // stable sort: equal timestamps keep their arrival order
  records.sort((a, b) => compareIso(a.state.timestamp, b.state.timestamp));
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await writeRecords(database, records, now, log);
      summary.recorded = written.recorded;
      summary.skipped += written.skipped;
      return summary;
    } catch (error) {
      // a flow run deleted, or a natural key taken, between our read and our write: read again
      if (attempt >= 2 || !isConstraintViolation(error)) throw error;
      knownFlowRuns.delete(database);
    }
  }
}

async function writeRecords(
  database: Database,
  records: readonly TaskRunEventRecord[],
  now: string,
  log: FastifyBaseLogger | undefined,
): Promise<{ recorded: number; skipped: number }> {
  const flowRunIds = unique(records.map((r) => r.run.flow_run_id).filter(isString));
  // independent reads: on PostgreSQL they run side by side, on pooled connections
  const [existingFlowRuns, stored] = await Promise.all([
    existingFlowRunIds(database, flowRunIds),
    storedTaskRuns(database, records),
  ]);

  // canonical id per natural key: the stored row's, else the latest event's
  const canonicalByKey = new Map<string, string>();
  for (const row of stored.values()) {
    if (row.flow_run_id) canonicalByKey.set(naturalKey(row), row.id);
  }
  for (const { run } of records) {
    if (!run.flow_run_id || stored.has(run.id)) continue;
    const key = naturalKey(run);
    if (!stored.has(canonicalByKey.get(key) ?? "")) canonicalByKey.set(key, run.id);
  }

  const latest = new Map<string, TaskRun>();
  const states: [string, StateRecord][] = [];
  const seenStates = new Set<string>();
  let skipped = 0;
  for (const { run, state, eventId } of records) {
    if (run.flow_run_id && !existingFlowRuns.has(run.flow_run_id)) {
      skipped++;
      log?.warn(
        { eventId, taskRunId: run.id, flowRunId: run.flow_run_id },
        "task-run event for a flow run that does not exist: skipped",
      );
      continue;
    }
    const id = run.flow_run_id ? (canonicalByKey.get(naturalKey(run)) ?? run.id) : run.id;
    if (id !== run.id) {
      run.id = id;
      state.state_details.task_run_id = id;
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
  await recordTaskRuns(database, runs, states, now);
  return { recorded: states.length, skipped };
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
  records: readonly TaskRunEventRecord[],
): Promise<Map<string, StoredTaskRun>> {
  const ids = unique(records.filter((r) => !r.run.flow_run_id).map((r) => r.run.id));
  // natural keys by flow run: each lookup constrains every column of the unique
  // (flow_run_id, task_key, dynamic_key) index, so it is index seeks, not a scan of task_run
  const keysByFlowRun = new Map<string, TaskRunEventRecord[]>();
  for (const r of records) {
    const flowRunId = r.run.flow_run_id;
    if (!flowRunId) continue;
    const mine = keysByFlowRun.get(flowRunId);
    if (mine) mine.push(r);
    else keysByFlowRun.set(flowRunId, [r]);
  }
  const keys = new Set(records.filter((r) => r.run.flow_run_id).map((r) => naturalKey(r.run)));
  const columns = ["id", "flow_run_id", "task_key", "dynamic_key", "state_timestamp"] as const;
  const reads: Promise<{ rows: StoredTaskRun[]; byKey: boolean }>[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const query = database.db
      .selectFrom("task_run")
      .select(columns)
      .where("id", "in", ids.slice(i, i + CHUNK));
    reads.push(query.execute().then((rows) => ({ rows, byKey: false })));
  }
  for (const [flowRunId, mine] of keysByFlowRun) {
    const taskKeys = unique(mine.map((r) => r.run.task_key));
    const dynamicKeys = unique(mine.map((r) => r.run.dynamic_key));
    for (let i = 0; i < taskKeys.length; i += CHUNK) {
      for (let j = 0; j < dynamicKeys.length; j += CHUNK) {
        // a superset of the keys (every task key with every dynamic key), filtered below
        const query = database.db
          .selectFrom("task_run")
          .select(columns)
          .where("flow_run_id", "=", flowRunId)
          .where("task_key", "in", taskKeys.slice(i, i + CHUNK))
          .where("dynamic_key", "in", dynamicKeys.slice(j, j + CHUNK));
        reads.push(query.execute().then((rows) => ({ rows, byKey: true })));
      }
    }
  }
  const found = new Map<string, StoredTaskRun>();
  for (const { rows, byKey } of await Promise.all(reads)) {
    for (const row of rows) if (!byKey || keys.has(naturalKey(row))) found.set(row.id, row);
  }
  return found;
}

/**
 * Flow runs seen to exist, per database, so that a stream of task-run events looks each one up
 * once. A write failing on a constraint forgets them all (one may have been deleted since).
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

/**
 * `(flow_run_id, task_key, dynamic_key)` as one string: the lengths of the first two lead, so
 * distinct triples never give the same string (a run without a flow run is never looked up by it).
 */
function naturalKey(run: { flow_run_id: string | null; task_key: string; dynamic_key: string }) {
  const flowRun = run.flow_run_id ?? "";
  return `${flowRun.length}:${run.task_key.length}:${flowRun}${run.task_key}${run.dynamic_key}`;
}

function isConstraintViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT")) ||
    code === "23503" || // foreign_key_violation
    code === "23505" // unique_violation
  );
}

function iso(value: string | null | undefined): string | null {
  return value ? normalizeIso(value) : null;
}

function normalizeDetails(
  details: z.output<typeof StateDetailsCreate> | null | undefined,
): Partial<StateDetails> | undefined {
  if (!details) return undefined;
  const out = definedOnly(details) as Partial<StateDetails>;
  for (const key of ["scheduled_time", "cache_expiration", "pause_timeout"] as const) {
    const v = out[key];
    if (typeof v === "string") out[key] = normalizeIso(v);
  }
  return out;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key in value) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function isString(value: string | null): value is string {
  return value !== null;
}

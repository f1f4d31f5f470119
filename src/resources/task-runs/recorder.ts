/**
 * Prefect's task-run recorder (`prefect.server.services.task_run_recorder`): the Prefect 3 client
 * orchestrates task runs itself and reports every transition as a `prefect.task-run.<State name>`
 * event; the server turns those events into `task_run` and `task_run_state` rows, without
 * orchestration.
 *
 * As Prefect: only events named `prefect.task-run.*` whose resource carries
 * `prefect.orchestration: client` are recorded (every event, these included, also goes to the event
 * store); the run is `payload.task_run` with `id` from the resource (`prefect.task-run.<id>`) and
 * `flow_run_id` from the related resource in role `flow-run` (keys of `payload.task_run` win over
 * both, as in Prefect's dict merge); the state is `payload.validated_state` with `id` = the event's
 * id and `timestamp` = its `occurred` (unless `validated_state` carries its own), and
 * `state_details.task_run_id` / `flow_run_id` set to the run's. The transitions read are then
 * recorded by `record-transitions.ts`, under the rules the embedded client's transitions follow.
 *
 * An event for a flow run that does not exist cannot be stored (foreign key): Prefect's recorder
 * fails the flush, retries it and finally drops the events (its batches are one event by
 * default); here those events are skipped (counted in `skipped`) and the rest are recorded.
 */
import { z } from "zod";
import type { Event } from "../../core/events.ts";
import type { TaskRun, TaskRunInput } from "../../core/runs.ts";
import { defaultTaskRunPolicy } from "../../core/runs.ts";
import type { StateDetails, StateRecord } from "../../core/state.ts";
import { normalizeIso, nowIso } from "../../core/time.ts";
import { buildState } from "../../orchestration/states.ts";
import type { AppContext } from "../../services/context.ts";
import type { EventConsumer } from "../events/pipeline.ts";
import { objectIdOf, relatedInRole } from "../events/schema.ts";
import type { StateDetailsCreate } from "../states/schema.ts";
import { RecordablePayloadSchema } from "./event-payload-schema.ts";
import { ordinaryTaskRunPayload } from "./ordinary-event-payload.ts";
import { recordTaskRunTransitions } from "./record-transitions.ts";
import { taskRunRecorderTerms } from "./recorder-terms.ts";

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

/**
 * The task run and state an event describes, or why it is a task-run event that cannot be
 * recorded (no `payload.task_run` / `payload.validated_state`, or invalid ones). `now` is when the
 * event was received: the run's `created` / `updated` when it is first recorded.
 */
function taskRunFromEvent(
  event: Event,
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

interface EventsRecorded {
  /** Task-run events read from the batch (recorded or skipped). */
  taskRunEvents: number;
  /** States inserted or already present. */
  recorded: number;
  /** Events dropped: invalid payload, or a flow run that does not exist. */
  skipped: number;
}

/**
 * Record task-run events, as read by `taskRunFromEvent` when they were received, in bulk (through
 * the same `recordTaskRunTransitions` the embedded client uses).
 */
async function recordTaskRunEvents(
  ctx: AppContext,
  events: readonly (TaskRunEventRecord | UnrecordableTaskRunEvent)[],
): Promise<EventsRecorded> {
  const records: TaskRunEventRecord[] = [];
  let skipped = 0;
  for (const record of events) {
    if ("error" in record) {
      skipped++;
      ctx.log.warn({ eventId: record.eventId, event: record.event }, record.error);
      continue;
    }
    records.push(record);
  }
  const written = await recordTaskRunTransitions(ctx, records);
  return {
    taskRunEvents: records.length + skipped,
    recorded: written.recorded,
    skipped: skipped + written.skipped,
  };
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

/**
 * The task-run recorder as a consumer of the event bus: task-run events are read into their run
 * and state as they are received, and recorded in bulk; it goes first (task runs are what clients
 * wait to see), ahead of the event store.
 */
export function taskRunRecorder(
  ctx: AppContext,
): EventConsumer<TaskRunEventRecord | UnrecordableTaskRunEvent> {
  return {
    ...taskRunRecorderTerms(ctx.database.native !== undefined),
    read: taskRunFromEvent,
    write: (records) => recordTaskRunEvents(ctx, records),
    describe: (record) => ({ eventId: record.eventId }),
  };
}

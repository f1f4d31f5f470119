/** Conversions between table rows and the domain (wire-shaped) records, in one place. */
import type { Selectable } from "kysely";
import type {
  Flow,
  FlowRun,
  FlowRunPolicy,
  LogRecord,
  TaskRun,
  TaskRunInput,
  TaskRunPolicy,
} from "../core/runs.ts";
import { emptyStateDetails, type StateDetails, type StateRecord } from "../core/state.ts";
import type { StateType } from "../core/state-types.ts";
import type { StorageDialect } from "./dialect.ts";
import type {
  FlowRunStateTable,
  FlowRunTable,
  FlowTable,
  LogTable,
  TaskRunStateTable,
  TaskRunTable,
} from "./schema.ts";

export function flowFromRow(d: StorageDialect, r: Selectable<FlowTable>): Flow {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    tags: d.fromJson<string[]>(r.tags) ?? [],
    labels: d.fromJson<Record<string, unknown>>(r.labels) ?? {},
    parameter_openapi_schema: d.fromJson<Record<string, unknown> | null>(
      r.parameter_openapi_schema,
    ),
  };
}

export function flowToRow(d: StorageDialect, f: Flow): FlowTable {
  return {
    id: f.id,
    created: f.created,
    updated: f.updated,
    name: f.name,
    tags: d.toJson(f.tags),
    labels: d.toJson(f.labels),
    parameter_openapi_schema: d.toJson(f.parameter_openapi_schema ?? null),
  };
}

export function stateFromRow(
  d: StorageDialect,
  r: Selectable<FlowRunStateTable> | Selectable<TaskRunStateTable>,
): StateRecord {
  return {
    id: r.id,
    type: r.type as StateType,
    name: r.name,
    timestamp: r.timestamp,
    message: r.message,
    data: d.fromJson(r.data),
    state_details: {
      ...emptyStateDetails(),
      ...d.fromJson<Partial<StateDetails>>(r.state_details),
    },
  };
}

/** Strings that need no escaping in JSON (ids, timestamps, names): written without JSON.stringify. */
const PLAIN = /^[\w .:+-]*$/;

function jsonString(v: string): string {
  return PLAIN.test(v) ? `"${v}"` : JSON.stringify(v);
}

/**
 * `state_details` as JSON text without the keys that hold their default value (merged back on
 * read). Written key by key: this runs for every state of every task run.
 */
function compactDetailsJson(d: StateDetails): string {
  let o = "";
  if (d.flow_run_id != null) o += `,"flow_run_id":${jsonString(d.flow_run_id)}`;
  if (d.task_run_id != null) o += `,"task_run_id":${jsonString(d.task_run_id)}`;
  if (d.child_flow_run_id != null) o += `,"child_flow_run_id":${jsonString(d.child_flow_run_id)}`;
  if (d.scheduled_time != null) o += `,"scheduled_time":${jsonString(d.scheduled_time)}`;
  if (d.cache_key != null) o += `,"cache_key":${jsonString(d.cache_key)}`;
  if (d.cache_expiration != null) o += `,"cache_expiration":${jsonString(d.cache_expiration)}`;
  // false is the default (what a missing key reads as); null is a value of its own (Prefect keeps it)
  if (d.deferred !== false) o += `,"deferred":${d.deferred}`;
  if (d.untrackable_result) o += `,"untrackable_result":true`;
  if (d.pause_timeout != null) o += `,"pause_timeout":${jsonString(d.pause_timeout)}`;
  if (d.pause_reschedule) o += `,"pause_reschedule":true`;
  if (d.pause_key != null) o += `,"pause_key":${jsonString(d.pause_key)}`;
  if (d.run_input_keyset != null) o += `,"run_input_keyset":${JSON.stringify(d.run_input_keyset)}`;
  if (d.refresh_cache != null) o += `,"refresh_cache":${d.refresh_cache}`;
  if (d.retriable != null) o += `,"retriable":${d.retriable}`;
  if (d.transition_id != null) o += `,"transition_id":${jsonString(d.transition_id)}`;
  if (d.task_parameters_id != null)
    o += `,"task_parameters_id":${jsonString(d.task_parameters_id)}`;
  if (d.traceparent != null) o += `,"traceparent":${jsonString(d.traceparent)}`;
  if (d.deployment_concurrency_lease_id != null)
    o += `,"deployment_concurrency_lease_id":${jsonString(d.deployment_concurrency_lease_id)}`;
  return o === "" ? "{}" : `{${o.slice(1)}}`;
}

// JSON text on both dialects (jsonb accepts it as a parameter). One literal per table (no
// spread of shared columns): these run for every state of every task run.

export function flowRunStateToRow(
  d: StorageDialect,
  flowRunId: string,
  s: StateRecord,
  created: string,
): FlowRunStateTable {
  return {
    id: s.id,
    created,
    updated: created,
    type: s.type,
    name: s.name,
    timestamp: s.timestamp,
    message: s.message,
    state_details: compactDetailsJson(s.state_details),
    data: s.data == null ? "null" : d.toJson(s.data),
    flow_run_id: flowRunId,
  };
}

export function taskRunStateToRow(
  d: StorageDialect,
  taskRunId: string,
  s: StateRecord,
  created: string,
): TaskRunStateTable {
  return {
    id: s.id,
    created,
    updated: created,
    type: s.type,
    name: s.name,
    timestamp: s.timestamp,
    message: s.message,
    state_details: compactDetailsJson(s.state_details),
    data: s.data == null ? "null" : d.toJson(s.data),
    task_run_id: taskRunId,
  };
}

export function flowRunFromRow(
  d: StorageDialect,
  r: Selectable<FlowRunTable>,
  state: StateRecord | null,
): FlowRun {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    flow_id: r.flow_id,
    state_id: r.state_id,
    deployment_id: r.deployment_id,
    deployment_version: r.deployment_version,
    work_queue_id: r.work_queue_id,
    work_queue_name: r.work_queue_name,
    flow_version: r.flow_version,
    parameters: d.fromJson<Record<string, unknown>>(r.parameters) ?? {},
    idempotency_key: r.idempotency_key,
    context: d.fromJson<Record<string, unknown>>(r.context) ?? {},
    empirical_policy: d.fromJson<FlowRunPolicy>(r.empirical_policy),
    tags: d.fromJson<string[]>(r.tags) ?? [],
    labels: d.fromJson<Record<string, unknown>>(r.labels) ?? {},
    parent_task_run_id: r.parent_task_run_id,
    state_type: r.state_type as StateType | null,
    state_name: r.state_name,
    state_timestamp: r.state_timestamp,
    run_count: r.run_count,
    expected_start_time: r.expected_start_time,
    next_scheduled_start_time: r.next_scheduled_start_time,
    start_time: r.start_time,
    end_time: r.end_time,
    total_run_time: r.total_run_time,
    auto_scheduled: d.fromBool(r.auto_scheduled),
    infrastructure_document_id: r.infrastructure_document_id,
    infrastructure_pid: r.infrastructure_pid,
    created_by: d.fromJson<Record<string, unknown> | null>(r.created_by),
    work_pool_id: r.work_pool_id,
    work_pool_name: r.work_pool_name,
    job_variables: d.fromJson<Record<string, unknown>>(r.job_variables) ?? {},
    state,
  };
}

export function flowRunToRow(d: StorageDialect, f: FlowRun): FlowRunTable {
  return {
    id: f.id,
    created: f.created,
    updated: f.updated,
    name: f.name,
    flow_id: f.flow_id,
    deployment_id: f.deployment_id,
    deployment_version: f.deployment_version,
    work_queue_id: f.work_queue_id,
    work_queue_name: f.work_queue_name,
    work_pool_id: f.work_pool_id,
    work_pool_name: f.work_pool_name,
    flow_version: f.flow_version,
    parameters: d.toJson(f.parameters),
    idempotency_key: f.idempotency_key,
    context: d.toJson(f.context),
    empirical_policy: d.toJson(f.empirical_policy),
    tags: d.toJson(f.tags),
    labels: d.toJson(f.labels),
    parent_task_run_id: f.parent_task_run_id,
    auto_scheduled: d.toBool(f.auto_scheduled),
    infrastructure_document_id: f.infrastructure_document_id,
    infrastructure_pid: f.infrastructure_pid,
    created_by: d.toJson(f.created_by),
    job_variables: d.toJson(f.job_variables),
    state_id: f.state_id,
    state_type: f.state_type,
    state_name: f.state_name,
    state_timestamp: f.state_timestamp,
    run_count: f.run_count,
    expected_start_time: f.expected_start_time,
    next_scheduled_start_time: f.next_scheduled_start_time,
    start_time: f.start_time,
    end_time: f.end_time,
    total_run_time: f.total_run_time,
  };
}

export function taskRunFromRow(
  d: StorageDialect,
  r: Selectable<TaskRunTable>,
  state: StateRecord | null,
): TaskRun {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    flow_run_id: r.flow_run_id,
    task_key: r.task_key,
    dynamic_key: r.dynamic_key,
    cache_key: r.cache_key,
    cache_expiration: r.cache_expiration,
    task_version: r.task_version,
    empirical_policy: d.fromJson<TaskRunPolicy>(r.empirical_policy),
    task_inputs: d.fromJson<Record<string, TaskRunInput[]>>(r.task_inputs) ?? {},
    tags: d.fromJson<string[]>(r.tags) ?? [],
    labels: d.fromJson<Record<string, unknown>>(r.labels) ?? {},
    flow_run_run_count: r.flow_run_run_count,
    state_id: r.state_id,
    state_type: r.state_type as StateType | null,
    state_name: r.state_name,
    state_timestamp: r.state_timestamp,
    run_count: r.run_count,
    expected_start_time: r.expected_start_time,
    next_scheduled_start_time: r.next_scheduled_start_time,
    start_time: r.start_time,
    end_time: r.end_time,
    total_run_time: r.total_run_time,
    state,
  };
}

export function taskRunToRow(d: StorageDialect, t: TaskRun): TaskRunTable {
  return {
    id: t.id,
    created: t.created,
    updated: t.updated,
    name: t.name,
    flow_run_id: t.flow_run_id,
    task_key: t.task_key,
    dynamic_key: t.dynamic_key,
    cache_key: t.cache_key,
    cache_expiration: t.cache_expiration,
    task_version: t.task_version,
    empirical_policy: d.toJson(t.empirical_policy),
    task_inputs: d.toJson(t.task_inputs),
    tags: d.toJson(t.tags),
    labels: d.toJson(t.labels),
    flow_run_run_count: t.flow_run_run_count,
    state_id: t.state_id,
    state_type: t.state_type,
    state_name: t.state_name,
    state_timestamp: t.state_timestamp,
    run_count: t.run_count,
    expected_start_time: t.expected_start_time,
    next_scheduled_start_time: t.next_scheduled_start_time,
    start_time: t.start_time,
    end_time: t.end_time,
    total_run_time: t.total_run_time,
  };
}

export function logFromRow(r: Selectable<LogTable>): Required<LogRecord> {
  return { ...r };
}

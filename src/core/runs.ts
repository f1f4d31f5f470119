import type { StateRecord } from "./state.ts";
import type { StateType } from "./state-types.ts";

/** A flow, as stored and on the wire. */
export interface Flow {
  id: string;
  created: string;
  updated: string;
  name: string;
  tags: string[];
  labels: Record<string, unknown>;
  /** JSON Schema of the flow's parameters (an extension of Prefect's flow record). */
  parameter_openapi_schema?: Record<string, unknown> | null;
}

export interface FlowRunPolicy {
  max_retries: number;
  retry_delay_seconds: number;
  retries: number | null;
  retry_delay: number | null;
  pause_keys: string[];
  resuming: boolean;
  retry_type: "in_process" | "reschedule" | null;
}

export interface TaskRunPolicy {
  max_retries: number;
  retry_delay_seconds: number;
  retries: number | null;
  retry_delay: number | number[] | null;
  retry_jitter_factor: number | null;
}

/** Inputs of a task run: where each argument came from (what the run graph is drawn from). */
export type TaskRunInput =
  | { input_type: "task_run"; id: string }
  | { input_type: "flow_run"; id: string }
  | { input_type: "parameter"; name: string }
  | { input_type: "constant"; type: string };

interface RunTimes {
  state_id: string | null;
  state_type: StateType | null;
  state_name: string | null;
  state_timestamp: string | null;
  run_count: number;
  expected_start_time: string | null;
  next_scheduled_start_time: string | null;
  start_time: string | null;
  end_time: string | null;
  /** Seconds spent RUNNING. */
  total_run_time: number;
}

export interface FlowRun extends RunTimes {
  id: string;
  created: string;
  updated: string;
  name: string;
  flow_id: string;
  deployment_id: string | null;
  deployment_version: string | null;
  work_queue_id: string | null;
  work_queue_name: string | null;
  flow_version: string | null;
  parameters: Record<string, unknown>;
  idempotency_key: string | null;
  context: Record<string, unknown>;
  empirical_policy: FlowRunPolicy;
  tags: string[];
  labels: Record<string, unknown>;
  parent_task_run_id: string | null;
  auto_scheduled: boolean;
  infrastructure_document_id: string | null;
  infrastructure_pid: string | null;
  created_by: Record<string, unknown> | null;
  work_pool_id: string | null;
  work_pool_name: string | null;
  job_variables: Record<string, unknown>;
  state: StateRecord | null;
}

export interface TaskRun extends RunTimes {
  id: string;
  created: string;
  updated: string;
  name: string;
  flow_run_id: string | null;
  task_key: string;
  dynamic_key: string;
  cache_key: string | null;
  cache_expiration: string | null;
  task_version: string | null;
  empirical_policy: TaskRunPolicy;
  tags: string[];
  labels: Record<string, unknown>;
  task_inputs: Record<string, TaskRunInput[]>;
  flow_run_run_count: number;
  state: StateRecord | null;
}

/** A log line of a run. `level` is the numeric Python level (10 DEBUG … 50 CRITICAL). */
export interface LogRecord {
  id?: string;
  created?: string;
  updated?: string;
  name: string;
  level: number;
  message: string;
  timestamp: string;
  flow_run_id: string | null;
  task_run_id: string | null;
}

export function defaultFlowRunPolicy(): FlowRunPolicy {
  return {
    max_retries: 0,
    retry_delay_seconds: 0,
    retries: null,
    retry_delay: null,
    pause_keys: [],
    resuming: false,
    retry_type: null,
  };
}

export function defaultTaskRunPolicy(): TaskRunPolicy {
  return {
    max_retries: 0,
    retry_delay_seconds: 0,
    retries: null,
    retry_delay: null,
    retry_jitter_factor: null,
  };
}

/** The run-time fields of a run not yet given a state: no state, never run, no times. */
export function emptyRunTimes(): RunTimes & { state: null } {
  return {
    state_id: null,
    state_type: null,
    state_name: null,
    state_timestamp: null,
    run_count: 0,
    expected_start_time: null,
    next_scheduled_start_time: null,
    start_time: null,
    end_time: null,
    total_run_time: 0,
    state: null,
  };
}

/** One client-decided task-run transition: the run as it stands after it, and its new state. */
export interface TaskRunTransition {
  run: TaskRun;
  state: StateRecord;
}

/**
 * A task run's natural key, `(flow_run_id, task_key, dynamic_key)`, as one string: the lengths of
 * the first two lead, so distinct triples never give the same string.
 */
export function taskRunNaturalKey(run: {
  flow_run_id: string | null;
  task_key: string;
  dynamic_key: string;
}): string {
  const flowRun = run.flow_run_id ?? "";
  return `${flowRun.length}:${run.task_key.length}:${flowRun}${run.task_key}${run.dynamic_key}`;
}

/**
 * Work pools, their work queues and their workers as Prefect's API has them (`WorkPoolResponse`,
 * `WorkQueueResponse`, `WorkerResponse`, `WorkerFlowRunResponse`, the inputs `WorkPoolCreate`/
 * `Update`, `WorkQueueCreate`/`Update`, and the filters `WorkPoolFilter`, `WorkQueueFilter`,
 * `WorkerFilter`): plain wire-shaped records, snake_case, shared by both transports.
 */
import type { Operator, WorkPoolFilter, WorkQueueFilter } from "./filters.ts";
import type { FlowRun } from "./runs.ts";

export type { WorkPoolFilter, WorkQueueFilter };

export const WorkPoolStatus = { READY: "READY", NOT_READY: "NOT_READY", PAUSED: "PAUSED" } as const;
export type WorkPoolStatus = (typeof WorkPoolStatus)[keyof typeof WorkPoolStatus];

export const WorkQueueStatus = WorkPoolStatus;
export type WorkQueueStatus = WorkPoolStatus;

export const WorkerStatus = { ONLINE: "ONLINE", OFFLINE: "OFFLINE" } as const;
export type WorkerStatus = (typeof WorkerStatus)[keyof typeof WorkerStatus];

/** Seconds without a poll after which a work queue is NOT_READY (Prefect's 60 s). */
export const WORK_QUEUE_READY_SECONDS = 60;

/** Heartbeats a worker may miss before it is OFFLINE (Prefect's inactivity multiple). */
export const MISSED_HEARTBEATS_OFFLINE = 3;

/** The pool a work queue created without one goes to (Prefect's agent pool). */
export const DEFAULT_AGENT_WORK_POOL_NAME = "default-agent-pool";

/** The name of the queue every pool is created with. */
export const DEFAULT_WORK_QUEUE_NAME = "default";

/** `WorkPoolStorageConfiguration`. */
export interface WorkPoolStorageConfiguration {
  bundle_upload_step: Record<string, unknown> | null;
  bundle_execution_step: Record<string, unknown> | null;
  default_result_storage_block_id: string | null;
}

/** `{job_configuration, variables}`: how a worker builds a job from a run's job variables. */
export type BaseJobTemplate = Record<string, unknown>;

export interface WorkPool {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string | null;
  type: string;
  base_job_template: BaseJobTemplate;
  is_paused: boolean;
  concurrency_limit: number | null;
  /** PAUSED when paused, READY while one of its workers is ONLINE, NOT_READY otherwise. */
  status: WorkPoolStatus | null;
  default_queue_id: string | null;
  storage_configuration: WorkPoolStorageConfiguration;
  /** Runs Pending or Running in its queues; given only when it has a concurrency limit. */
  active_slots: number | null;
}

export interface WorkPoolCreate {
  name: string;
  description?: string | null;
  type?: string;
  base_job_template?: BaseJobTemplate;
  is_paused?: boolean;
  concurrency_limit?: number | null;
  storage_configuration?: Partial<WorkPoolStorageConfiguration>;
}

/** `WorkPoolUpdate`: the fields given change (null clears what may be null). */
export interface WorkPoolUpdate {
  description?: string | null;
  is_paused?: boolean | null;
  base_job_template?: BaseJobTemplate | null;
  concurrency_limit?: number | null;
  storage_configuration?: Partial<WorkPoolStorageConfiguration> | null;
}

export interface WorkQueue {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string | null;
  is_paused: boolean;
  concurrency_limit: number | null;
  priority: number;
  work_pool_id: string | null;
  /** Prefect's deprecated tag-based queue filter (stored, not used). */
  filter: Record<string, unknown> | null;
  last_polled: string | null;
  work_pool_name: string | null;
  /** PAUSED when paused, READY while polled in the last 60 s, NOT_READY otherwise. */
  status: WorkQueueStatus | null;
  active_slots: number | null;
}

export interface WorkQueueCreate {
  name: string;
  description?: string | null;
  is_paused?: boolean;
  concurrency_limit?: number | null;
  /** 1 is the highest; left out: the first free priority of the pool. */
  priority?: number | null;
  filter?: Record<string, unknown> | null;
}

export interface WorkQueueUpdate {
  name?: string | null;
  description?: string | null;
  is_paused?: boolean | null;
  concurrency_limit?: number | null;
  priority?: number | null;
  last_polled?: string | null;
  filter?: Record<string, unknown> | null;
}

export interface Worker {
  id: string;
  created: string;
  updated: string;
  name: string;
  work_pool_id: string;
  last_heartbeat_time: string | null;
  heartbeat_interval_seconds: number | null;
  /** ONLINE until it misses three heartbeats (`heartbeat_interval_seconds`, else the setting). */
  status: WorkerStatus;
}

/** A run a worker may start (`POST /work_pools/{name}/get_scheduled_flow_runs`). */
export interface WorkerFlowRun {
  work_pool_id: string;
  work_queue_id: string;
  flow_run: FlowRun;
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

export interface WorkerFilter {
  operator?: Operator;
  last_heartbeat_time?: { before_?: string | null; after_?: string | null } | null;
  status?: { any_?: WorkerStatus[] | null; not_any_?: WorkerStatus[] | null } | null;
}

/** `limit` and `offset` of a listing (no limit when left out, as Prefect's work pool routes). */
export interface Paging {
  limit?: number | null;
  offset?: number | null;
}

/** Inputs for creating flows and runs (`FlowCreate`, `FlowRunCreate`, `TaskRunCreate` on the wire). */
import type { FlowRunPolicy, TaskRunInput, TaskRunPolicy } from "./runs.ts";
import type { StateCreate } from "./state.ts";

export interface FlowCreate {
  name: string;
  tags?: string[];
  labels?: Record<string, unknown>;
  parameter_openapi_schema?: Record<string, unknown> | null;
}

export interface FlowRunCreate {
  flow_id: string;
  /** Client-chosen id (embedded mode); the server generates one when absent. */
  id?: string;
  /**
   * The process running it, `"<hostname>:<pid>"` (embedded mode: Prefect's `FlowRunCreate` has no
   * such field, so over HTTP it is set with `PATCH /flow_runs/{id}`).
   */
  infrastructure_pid?: string | null;
  name?: string | null;
  state?: StateCreate | null;
  flow_version?: string | null;
  parameters?: Record<string, unknown>;
  context?: Record<string, unknown>;
  parent_task_run_id?: string | null;
  empirical_policy?: Partial<FlowRunPolicy>;
  tags?: string[];
  labels?: Record<string, unknown>;
  idempotency_key?: string | null;
  deployment_id?: string | null;
  /** The deployment's version (set by the server for runs of a deployment, not on the wire). */
  deployment_version?: string | null;
  /** Who created the run (set by the server for runs of a deployment, not on the wire). */
  created_by?: Record<string, unknown> | null;
  infrastructure_document_id?: string | null;
  work_pool_name?: string | null;
  work_queue_name?: string | null;
  /** The work queue and pool a run of a deployment goes to (set by the server, not on the wire). */
  work_queue_id?: string | null;
  work_pool_id?: string | null;
  job_variables?: Record<string, unknown>;
}

export interface TaskRunCreate {
  id?: string;
  name?: string | null;
  flow_run_id?: string | null;
  task_key: string;
  dynamic_key: string;
  cache_key?: string | null;
  cache_expiration?: string | null;
  task_version?: string | null;
  empirical_policy?: Partial<TaskRunPolicy>;
  tags?: string[];
  labels?: Record<string, unknown>;
  task_inputs?: Record<string, TaskRunInput[]>;
  state?: StateCreate | null;
}

/**
 * Deployments as Prefect's API has them (`DeploymentResponse`, `DeploymentSchedule`, and the
 * inputs `DeploymentCreate`, `DeploymentUpdate`, `DeploymentScheduleCreate`/`Update`,
 * `DeploymentFlowRunCreate`): plain wire-shaped records, snake_case, shared by both transports.
 */
import type { Schedule } from "./schedules/schemas.ts";
import type { StateCreate } from "./state.ts";

export const DeploymentStatus = { READY: "READY", NOT_READY: "NOT_READY" } as const;
export type DeploymentStatus = (typeof DeploymentStatus)[keyof typeof DeploymentStatus];

/** What a deployment's concurrency limit does with a run over the limit. */
export type CollisionStrategy = "ENQUEUE" | "CANCEL_NEW";

export interface ConcurrencyOptions {
  collision_strategy: CollisionStrategy;
  grace_period_seconds?: number | null;
}

/** `CreatedBy` / `UpdatedBy`. */
export interface Actor {
  id?: string | null;
  type?: string | null;
  display_value?: string | null;
}

/** A stored deployment schedule (`DeploymentSchedule`). */
export interface DeploymentSchedule {
  id: string;
  created: string;
  updated: string;
  deployment_id: string;
  schedule: Schedule;
  active: boolean;
  max_scheduled_runs: number | null;
  parameters: Record<string, unknown>;
  slug: string | null;
}

/** A stored deployment, as answered (`DeploymentResponse`) but for `global_concurrency_limit`. */
export interface Deployment {
  id: string;
  created: string;
  updated: string;
  name: string;
  version: string | null;
  description: string | null;
  flow_id: string;
  paused: boolean;
  schedules: DeploymentSchedule[];
  concurrency_limit: number | null;
  concurrency_options: ConcurrencyOptions | null;
  job_variables: Record<string, unknown>;
  parameters: Record<string, unknown>;
  tags: string[];
  labels: Record<string, unknown>;
  work_queue_name: string | null;
  work_queue_id: string | null;
  last_polled: string | null;
  parameter_openapi_schema: Record<string, unknown> | null;
  path: string | null;
  pull_steps: Record<string, unknown>[] | null;
  entrypoint: string | null;
  storage_document_id: string | null;
  infrastructure_document_id: string | null;
  created_by: Actor | null;
  updated_by: Actor | null;
  work_pool_name: string | null;
  /** READY while polled in the last 60 s (`last_polled`), NOT_READY otherwise. */
  status: DeploymentStatus;
  enforce_parameter_schema: boolean;
}

/** `DeploymentScheduleCreate` (a schedule as the schedule schemas give it). */
export interface DeploymentScheduleCreate {
  schedule: Schedule;
  active?: boolean;
  max_scheduled_runs?: number | null;
  parameters?: Record<string, unknown>;
  slug?: string | null;
  /** The slug of an existing schedule this one replaces (renaming a slug). */
  replaces?: string | null;
}

/** `DeploymentScheduleUpdate`: the fields given change. */
export interface DeploymentScheduleUpdate {
  schedule?: Schedule | null;
  active?: boolean | null;
  max_scheduled_runs?: number | null;
  parameters?: Record<string, unknown>;
  slug?: string | null;
  replaces?: string | null;
}

/** `DeploymentCreate`: a deployment of `flow_id` named `name` is created, or replaced (upsert). */
export interface DeploymentCreate {
  name: string;
  flow_id: string;
  paused?: boolean;
  schedules?: DeploymentScheduleCreate[];
  concurrency_limit?: number | null;
  concurrency_options?: ConcurrencyOptions | null;
  global_concurrency_limit_id?: string | null;
  enforce_parameter_schema?: boolean;
  parameter_openapi_schema?: Record<string, unknown> | null;
  parameters?: Record<string, unknown>;
  tags?: string[];
  labels?: Record<string, unknown> | null;
  pull_steps?: Record<string, unknown>[] | null;
  work_queue_name?: string | null;
  work_pool_name?: string | null;
  storage_document_id?: string | null;
  infrastructure_document_id?: string | null;
  description?: string | null;
  path?: string | null;
  version?: string | null;
  entrypoint?: string | null;
  job_variables?: Record<string, unknown>;
  version_info?: Record<string, unknown> | null;
  /** Who creates it (Prefect takes it from the request's actor; none in Prefect OSS). */
  created_by?: Actor | null;
}

/** `DeploymentUpdate`: the fields given change (`schedules` replaces them all). */
export interface DeploymentUpdate {
  version?: string | null;
  description?: string | null;
  paused?: boolean;
  schedules?: DeploymentScheduleUpdate[];
  concurrency_limit?: number | null;
  concurrency_options?: ConcurrencyOptions | null;
  global_concurrency_limit_id?: string | null;
  parameters?: Record<string, unknown> | null;
  parameter_openapi_schema?: Record<string, unknown> | null;
  tags?: string[];
  work_queue_name?: string | null;
  work_pool_name?: string | null;
  path?: string | null;
  job_variables?: Record<string, unknown> | null;
  pull_steps?: Record<string, unknown>[] | null;
  entrypoint?: string | null;
  storage_document_id?: string | null;
  infrastructure_document_id?: string | null;
  enforce_parameter_schema?: boolean | null;
  version_info?: Record<string, unknown> | null;
}

/** `DeploymentFlowRunCreate`: a run of a deployment, its parameters over the deployment's. */
export interface DeploymentFlowRunCreate {
  state?: StateCreate | null;
  name?: string | null;
  parameters?: Record<string, unknown>;
  enforce_parameter_schema?: boolean | null;
  context?: Record<string, unknown>;
  infrastructure_document_id?: string | null;
  empirical_policy?: Record<string, unknown>;
  tags?: string[];
  idempotency_key?: string | null;
  labels?: Record<string, unknown> | null;
  parent_task_run_id?: string | null;
  work_queue_name?: string | null;
  job_variables?: Record<string, unknown> | null;
  /** Who asks (ours: the CLI and SDK say so; Prefect OSS has no actor). */
  created_by?: Actor | null;
}

/** Seconds without a poll after which a deployment is NOT_READY (Prefect's 60 s). */
export const DEPLOYMENT_READY_SECONDS = 60;

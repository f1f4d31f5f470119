/** Conversions between deployment rows and the domain (wire-shaped) records. */
import type { Selectable } from "kysely";
import {
  type Actor,
  type ConcurrencyOptions,
  DEPLOYMENT_READY_SECONDS,
  type Deployment,
  type DeploymentSchedule,
  DeploymentStatus,
} from "../core/deployments.ts";
import type { Schedule } from "../core/schedules/schemas.ts";
import { secondsBetween } from "../core/time.ts";
import type { StorageDialect } from "./dialect.ts";
import type { DeploymentScheduleTable, DeploymentTable } from "./schema.ts";

export function deploymentScheduleFromRow(
  d: StorageDialect,
  r: Selectable<DeploymentScheduleTable>,
): DeploymentSchedule {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    deployment_id: r.deployment_id,
    schedule: d.fromJson<Schedule>(r.schedule),
    active: d.fromBool(r.active),
    max_scheduled_runs: r.max_scheduled_runs,
    parameters: d.fromJson<Record<string, unknown>>(r.parameters) ?? {},
    slug: r.slug,
  };
}

export function deploymentScheduleToRow(
  d: StorageDialect,
  s: DeploymentSchedule,
): DeploymentScheduleTable {
  return {
    id: s.id,
    created: s.created,
    updated: s.updated,
    deployment_id: s.deployment_id,
    schedule: d.toJson(s.schedule),
    active: d.toBool(s.active),
    max_scheduled_runs: s.max_scheduled_runs,
    parameters: d.toJson(s.parameters),
    slug: s.slug,
  };
}

/** READY while the deployment was polled less than 60 s before `now`. */
export function deploymentStatus(lastPolled: string | null, now: string): DeploymentStatus {
  return lastPolled !== null && secondsBetween(lastPolled, now) < DEPLOYMENT_READY_SECONDS
    ? DeploymentStatus.READY
    : DeploymentStatus.NOT_READY;
}

/** A deployment record from its row, its schedules (newest update first) and the time now. */
export function deploymentFromRow(
  d: StorageDialect,
  r: Selectable<DeploymentTable>,
  schedules: DeploymentSchedule[],
  now: string,
): Deployment {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    version: r.version,
    description: r.description,
    flow_id: r.flow_id,
    paused: d.fromBool(r.paused),
    schedules,
    concurrency_limit: r.concurrency_limit,
    concurrency_options: d.fromJson<ConcurrencyOptions | null>(r.concurrency_options),
    job_variables: d.fromJson<Record<string, unknown>>(r.job_variables) ?? {},
    parameters: d.fromJson<Record<string, unknown>>(r.parameters) ?? {},
    tags: d.fromJson<string[]>(r.tags) ?? [],
    labels: d.fromJson<Record<string, unknown>>(r.labels) ?? {},
    work_queue_name: r.work_queue_name,
    work_queue_id: r.work_queue_id,
    last_polled: r.last_polled,
    parameter_openapi_schema: d.fromJson<Record<string, unknown> | null>(
      r.parameter_openapi_schema,
    ),
    path: r.path,
    pull_steps: d.fromJson<Record<string, unknown>[] | null>(r.pull_steps),
    entrypoint: r.entrypoint,
    storage_document_id: r.storage_document_id,
    infrastructure_document_id: r.infrastructure_document_id,
    created_by: d.fromJson<Actor | null>(r.created_by),
    updated_by: d.fromJson<Actor | null>(r.updated_by),
    work_pool_name: r.work_pool_name,
    status: deploymentStatus(r.last_polled, now),
    enforce_parameter_schema: d.fromBool(r.enforce_parameter_schema),
  };
}

/** The row of a deployment record (`schedules` and `status` are not columns). */
export function deploymentToRow(d: StorageDialect, x: Deployment): DeploymentTable {
  return {
    id: x.id,
    created: x.created,
    updated: x.updated,
    name: x.name,
    version: x.version,
    description: x.description,
    flow_id: x.flow_id,
    paused: d.toBool(x.paused),
    last_polled: x.last_polled,
    parameters: d.toJson(x.parameters),
    parameter_openapi_schema: d.toJson(x.parameter_openapi_schema),
    enforce_parameter_schema: d.toBool(x.enforce_parameter_schema),
    tags: d.toJson(x.tags),
    labels: d.toJson(x.labels),
    pull_steps: d.toJson(x.pull_steps),
    path: x.path,
    entrypoint: x.entrypoint,
    job_variables: d.toJson(x.job_variables),
    work_queue_name: x.work_queue_name,
    work_queue_id: x.work_queue_id,
    work_pool_name: x.work_pool_name,
    storage_document_id: x.storage_document_id,
    infrastructure_document_id: x.infrastructure_document_id,
    created_by: d.toJson(x.created_by),
    updated_by: d.toJson(x.updated_by),
    concurrency_limit: x.concurrency_limit,
    concurrency_options: d.toJson(x.concurrency_options),
  };
}

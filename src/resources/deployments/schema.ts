/**
 * The HTTP edge of deployments: Prefect's `DeploymentCreate`, `DeploymentUpdate`,
 * `DeploymentFlowRunCreate`, `DeploymentScheduleCreate`/`Update` and the bodies of
 * `get_scheduled_flow_runs` and `schedule` as zod schemas; `DeploymentResponse` and
 * `DeploymentSchedule` as answered. Schedules are the schedule engine's schemas
 * (`core/schedules`): an invalid cron, rrule or time zone is a 422 naming the field.
 */
import { z } from "zod";
import type { Deployment } from "../../core/deployments.ts";
import { ScheduleResponseSchema, ScheduleSchema } from "../../core/schedules/index.ts";
import {
  DateTimeString,
  indexedText,
  JsonObject,
  nullAsAbsent,
  orDefault,
  Tags,
  Uuid,
} from "../../server/schemas/common.ts";
import { LimitSchema } from "../../server/schemas/filters.ts";
import { id, json, nullableTime, time } from "../../server/schemas/responses.ts";
import { FlowRunPolicySchema } from "../flow-runs/schema.ts";
import { StateCreateSchema } from "../states/schema.ts";

const LabelValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const ConcurrencyOptionsSchema = z.object({
  collision_strategy: z.enum(["ENQUEUE", "CANCEL_NEW"]),
  grace_period_seconds: z.number().int().min(60).max(86_400).nullish(),
});

const maxScheduledRuns = z.number().int().positive().nullish();

export const DeploymentScheduleCreateSchema = z
  .strictObject({
    active: orDefault(z.boolean(), () => true),
    schedule: ScheduleSchema,
    max_scheduled_runs: maxScheduledRuns,
    parameters: orDefault(JsonObject, () => ({})),
    slug: z.string().nullish(),
    replaces: z.string().nullish(),
  })
  .meta({ id: "DeploymentScheduleCreate" });

export const DeploymentScheduleUpdateSchema = z
  .strictObject({
    active: z.boolean().nullish(),
    schedule: ScheduleSchema.nullish(),
    max_scheduled_runs: maxScheduledRuns,
    parameters: nullAsAbsent(JsonObject),
    slug: z.string().nullish(),
    replaces: z.string().nullish(),
  })
  .meta({ id: "DeploymentScheduleUpdate" });

const text = z.string().nullish();
const uuid = Uuid.nullish();

export const DeploymentCreateSchema = z
  .strictObject({
    name: indexedText().min(1),
    flow_id: Uuid,
    paused: nullAsAbsent(z.boolean()),
    schedules: nullAsAbsent(z.array(DeploymentScheduleCreateSchema)),
    concurrency_limit: z.number().int().positive().nullish(),
    concurrency_options: ConcurrencyOptionsSchema.nullish(),
    global_concurrency_limit_id: uuid,
    enforce_parameter_schema: nullAsAbsent(z.boolean()),
    parameter_openapi_schema: JsonObject.nullish(),
    parameters: nullAsAbsent(JsonObject),
    tags: nullAsAbsent(z.array(z.string())),
    labels: LabelValues.nullish(),
    pull_steps: z.array(JsonObject).nullish(),
    work_queue_name: text,
    work_pool_name: text,
    storage_document_id: uuid,
    infrastructure_document_id: uuid,
    description: text,
    path: text,
    version: text,
    entrypoint: text,
    job_variables: nullAsAbsent(JsonObject),
    version_info: JsonObject.nullish(),
  })
  .meta({ id: "DeploymentCreate" });

export const DeploymentUpdateSchema = z
  .strictObject({
    version: text,
    description: text,
    paused: nullAsAbsent(z.boolean()),
    schedules: nullAsAbsent(z.array(DeploymentScheduleUpdateSchema)),
    concurrency_limit: z.number().int().positive().nullish(),
    concurrency_options: ConcurrencyOptionsSchema.nullish(),
    global_concurrency_limit_id: uuid,
    parameters: JsonObject.nullish(),
    parameter_openapi_schema: JsonObject.nullish(),
    tags: nullAsAbsent(z.array(z.string())),
    work_queue_name: text,
    work_pool_name: text,
    path: text,
    job_variables: JsonObject.nullish(),
    pull_steps: z.array(JsonObject).nullish(),
    entrypoint: text,
    storage_document_id: uuid,
    infrastructure_document_id: uuid,
    enforce_parameter_schema: z.boolean().nullish(),
    version_info: JsonObject.nullish(),
  })
  .meta({ id: "DeploymentUpdate" });

export const DeploymentFlowRunCreateSchema = z
  .strictObject({
    state: StateCreateSchema.nullish(),
    name: z.string().nullish(),
    parameters: orDefault(JsonObject, () => ({})),
    enforce_parameter_schema: z.boolean().nullish(),
    context: orDefault(JsonObject, () => ({})),
    infrastructure_document_id: uuid,
    empirical_policy: orDefault(FlowRunPolicySchema, () => ({})),
    tags: Tags,
    idempotency_key: indexedText().nullish(),
    labels: LabelValues.nullish(),
    parent_task_run_id: uuid,
    work_queue_name: text,
    job_variables: JsonObject.nullish(),
  })
  .meta({ id: "DeploymentFlowRunCreate" });

/**
 * A datetime as pydantic reads one: ISO 8601 with `T`, or with a space between date and time
 * (what Prefect's runner sends as `scheduled_before`: `2026-11-22 02:01:05.010201+00:00`).
 */
const PythonDateTime = z.preprocess(
  (v) => (typeof v === "string" ? v.replace(/^(\d{4}-\d\d-\d\d) /, "$1T") : v),
  DateTimeString,
);

/** `POST /deployments/get_scheduled_flow_runs`. */
export const ScheduledFlowRunsBodySchema = z.object({
  deployment_ids: z.array(Uuid),
  scheduled_before: PythonDateTime.nullish(),
  limit: LimitSchema,
});

/** `POST /deployments/{id}/schedule`: the window to fill (the scheduler's by default). */
export const ScheduleRunsBodySchema = z.object({
  start_time: PythonDateTime.nullish(),
  end_time: PythonDateTime.nullish(),
  min_time: z.number().min(0).nullish(),
  min_runs: z.number().int().min(0).nullish(),
  max_runs: z.number().int().min(0).nullish(),
});

// Responses

const actor = z
  .object({
    id: id.nullish(),
    type: z.string().nullish(),
    display_value: z.string().nullish(),
  })
  .nullable();

export const DeploymentScheduleResponse = z
  .object({
    id,
    created: time,
    updated: time,
    deployment_id: id.nullable(),
    schedule: ScheduleResponseSchema,
    active: z.boolean(),
    max_scheduled_runs: z.number().int().nullable(),
    parameters: json,
    slug: z.string().nullable(),
  })
  .meta({ id: "DeploymentSchedule" });

export const DeploymentResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    version: z.string().nullable(),
    description: z.string().nullable(),
    flow_id: id,
    paused: z.boolean(),
    schedules: z.array(DeploymentScheduleResponse),
    concurrency_limit: z.number().int().nullable(),
    global_concurrency_limit: json.nullable(),
    concurrency_options: ConcurrencyOptionsSchema.nullable(),
    job_variables: json,
    parameters: json,
    tags: z.array(z.string()),
    labels: json,
    work_queue_name: z.string().nullable(),
    work_queue_id: id.nullable(),
    last_polled: nullableTime,
    parameter_openapi_schema: json.nullable(),
    path: z.string().nullable(),
    pull_steps: z.array(json).nullable(),
    entrypoint: z.string().nullable(),
    storage_document_id: id.nullable(),
    infrastructure_document_id: id.nullable(),
    created_by: actor,
    updated_by: actor,
    work_pool_name: z.string().nullable(),
    status: z.enum(["READY", "NOT_READY"]).nullable(),
    enforce_parameter_schema: z.boolean(),
  })
  .meta({ id: "DeploymentResponse" });

/** A deployment as answered, in Prefect's key order (no global limit is made for it yet). */
export function toDeploymentResponse(d: Deployment) {
  return {
    id: d.id,
    created: d.created,
    updated: d.updated,
    name: d.name,
    version: d.version,
    description: d.description,
    flow_id: d.flow_id,
    paused: d.paused,
    schedules: d.schedules,
    concurrency_limit: d.concurrency_limit,
    global_concurrency_limit: null,
    concurrency_options: d.concurrency_options,
    job_variables: d.job_variables,
    parameters: d.parameters,
    tags: d.tags,
    labels: d.labels,
    work_queue_name: d.work_queue_name,
    work_queue_id: d.work_queue_id,
    last_polled: d.last_polled,
    parameter_openapi_schema: d.parameter_openapi_schema,
    path: d.path,
    pull_steps: d.pull_steps,
    entrypoint: d.entrypoint,
    storage_document_id: d.storage_document_id,
    infrastructure_document_id: d.infrastructure_document_id,
    created_by: d.created_by,
    updated_by: d.updated_by,
    work_pool_name: d.work_pool_name,
    status: d.status,
    enforce_parameter_schema: d.enforce_parameter_schema,
  };
}

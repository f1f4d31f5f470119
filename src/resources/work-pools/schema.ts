/**
 * The HTTP edge of work pools, their queues and their workers: Prefect's `WorkPoolCreate`,
 * `WorkPoolUpdate`, `WorkQueueCreate`, `WorkQueueUpdate`, the bodies of the `filter`, `count`,
 * `heartbeat` and `get_scheduled_flow_runs` routes as zod schemas; `WorkPoolResponse`,
 * `WorkQueueResponse`, `WorkerResponse` and `WorkerFlowRunResponse` as answered.
 */
import { z } from "zod";
import type { FlowRun } from "../../core/runs.ts";
import type { WorkerFlowRun } from "../../core/work-pools.ts";
import { DateTimeString, indexedText, JsonObject, orDefault } from "../../server/schemas/common.ts";
import {
  LimitSchema,
  OperatorSchema,
  WorkPoolFilterSchema,
  WorkQueueFilterSchema,
} from "../../server/schemas/filters.ts";
import { id, json, nullableTime, time } from "../../server/schemas/responses.ts";
import { FlowRunResponse, toFlowRunResponse } from "../flow-runs/schema.ts";

/** A name: not empty, not only spaces (Prefect's `NonEmptyishName`). */
const Name = indexedText()
  .min(1)
  .refine((v) => v.trim().length > 0, { message: "name cannot be an empty string" });

const text = z.string().nullish();
const concurrencyLimit = z.number().int().min(0).nullish();
const priority = z.number().int().gt(0).nullish();
const offset = orDefault(z.number().int().min(0), () => 0);

/**
 * A datetime as pydantic reads one: ISO 8601 with `T`, or with a space between date and time
 * (what Prefect's worker sends as `scheduled_before`: `2026-12-07 02:38:29.673075+00:00`).
 */
export const PythonDateTime = z.preprocess(
  (v) => (typeof v === "string" ? v.replace(/^(\d{4}-\d\d-\d\d) /, "$1T") : v),
  DateTimeString,
);

export const StorageConfigurationSchema = z.strictObject({
  bundle_upload_step: JsonObject.nullish(),
  bundle_execution_step: JsonObject.nullish(),
  default_result_storage_block_id: z.uuid().nullish(),
});

export const WorkPoolCreateSchema = z
  .strictObject({
    name: Name,
    description: text,
    type: orDefault(z.string(), () => "prefect-agent"),
    base_job_template: orDefault(JsonObject, () => ({})),
    is_paused: orDefault(z.boolean(), () => false),
    concurrency_limit: concurrencyLimit,
    storage_configuration: orDefault(StorageConfigurationSchema, () => ({})),
  })
  .meta({ id: "WorkPoolCreate" });

export const WorkPoolUpdateSchema = z
  .strictObject({
    description: text,
    is_paused: z.boolean().nullish(),
    base_job_template: JsonObject.nullish(),
    concurrency_limit: concurrencyLimit,
    storage_configuration: StorageConfigurationSchema.nullish(),
  })
  .meta({ id: "WorkPoolUpdate" });

export const WorkQueueCreateSchema = z
  .strictObject({
    name: Name,
    description: orDefault(z.string(), () => ""),
    is_paused: orDefault(z.boolean(), () => false),
    concurrency_limit: concurrencyLimit,
    priority,
    filter: JsonObject.nullish(),
  })
  .meta({ id: "WorkQueueCreate" });

export const WorkQueueUpdateSchema = z
  .strictObject({
    name: Name.nullish(),
    description: text,
    is_paused: z.boolean().nullish(),
    concurrency_limit: concurrencyLimit,
    priority,
    last_polled: PythonDateTime.nullish(),
    filter: JsonObject.nullish(),
  })
  .meta({ id: "WorkQueueUpdate" });

const WorkerStatusSchema = z.enum(["ONLINE", "OFFLINE"]);

export const WorkerFilterSchema = z.strictObject({
  operator: orDefault(OperatorSchema, () => "and_" as const),
  last_heartbeat_time: z
    .strictObject({ before_: DateTimeString.nullish(), after_: DateTimeString.nullish() })
    .nullish(),
  status: z
    .strictObject({
      any_: z.array(WorkerStatusSchema).nullish(),
      not_any_: z.array(WorkerStatusSchema).nullish(),
    })
    .nullish(),
});

/** `POST /work_pools/filter`. */
export const WorkPoolsFilterBodySchema = z.object({
  work_pools: WorkPoolFilterSchema.nullish(),
  limit: LimitSchema,
  offset,
});

/** `POST /work_pools/count`. */
export const WorkPoolsCountBodySchema = z.object({ work_pools: WorkPoolFilterSchema.nullish() });

/** `POST /work_pools/{name}/queues/filter` and `POST /work_queues/filter`. */
export const WorkQueuesFilterBodySchema = z.object({
  work_queues: WorkQueueFilterSchema.nullish(),
  limit: LimitSchema,
  offset,
});

/** `POST /work_pools/{name}/workers/filter`. */
export const WorkersFilterBodySchema = z.object({
  workers: WorkerFilterSchema.nullish(),
  limit: LimitSchema,
  offset,
});

/** `POST /work_pools/{name}/workers/heartbeat`. */
export const WorkerHeartbeatBodySchema = z.object({
  name: indexedText().min(1),
  heartbeat_interval_seconds: z.number().int().positive().nullish(),
});

/** `POST /work_pools/{name}/get_scheduled_flow_runs`. */
export const WorkerScheduledRunsBodySchema = z.object({
  work_queue_names: z.array(z.string()).nullish(),
  scheduled_before: PythonDateTime.nullish(),
  scheduled_after: PythonDateTime.nullish(),
  limit: LimitSchema,
});

// Responses

const status = z.enum(["READY", "NOT_READY", "PAUSED"]);

export const WorkPoolResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    description: z.string().nullable(),
    type: z.string(),
    base_job_template: json,
    is_paused: z.boolean(),
    concurrency_limit: z.number().int().nullable(),
    status: status.nullable(),
    default_queue_id: id.nullable(),
    storage_configuration: z
      .object({
        bundle_upload_step: json.nullable(),
        bundle_execution_step: json.nullable(),
        default_result_storage_block_id: id.nullable(),
      })
      .meta({ id: "WorkPoolStorageConfiguration" }),
    active_slots: z.number().int().nullable(),
  })
  .meta({ id: "WorkPoolResponse" });

export const WorkQueueResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    description: z.string().nullable(),
    is_paused: z.boolean(),
    concurrency_limit: z.number().int().nullable(),
    priority: z.number().int(),
    work_pool_id: id.nullable(),
    filter: json.nullable(),
    last_polled: nullableTime,
    work_pool_name: z.string().nullable(),
    status: status.nullable(),
    active_slots: z.number().int().nullable(),
  })
  .meta({ id: "WorkQueueResponse" });

export const WorkerResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    work_pool_id: id,
    last_heartbeat_time: nullableTime,
    heartbeat_interval_seconds: z.number().int().nullable(),
    status: WorkerStatusSchema,
  })
  .meta({ id: "WorkerResponse" });

/** Prefect's core `FlowRun`: the response's fields but the pool's, its state not loaded. */
const CoreFlowRunResponse = FlowRunResponse.omit({ work_pool_id: true, work_pool_name: true })
  .extend({ state: z.null() })
  .meta({ id: "FlowRun" });

export const WorkerFlowRunResponse = z
  .object({ work_pool_id: id, work_queue_id: id, flow_run: CoreFlowRunResponse })
  .meta({ id: "WorkerFlowRunResponse" });

/** A run a worker may start, as answered at `now` (the run as Prefect's core `FlowRun`). */
export function toWorkerFlowRunResponse(item: WorkerFlowRun, now: string) {
  const {
    work_pool_id: _p,
    work_pool_name: _n,
    ...run
  } = toFlowRunResponse(item.flow_run as FlowRun, now);
  return { ...item, flow_run: { ...run, state: null } };
}

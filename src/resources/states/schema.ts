import { z } from "zod";
import {
  DateTimeString,
  indexedText,
  JsonValue,
  nullAsAbsent,
  orDefault,
  StateTypeSchema,
  Uuid,
} from "../../server/schemas/common.ts";
import { id, nullableTime, stateType, time } from "../../server/schemas/responses.ts";

export const StateDetailsCreate = z
  .object({
    flow_run_id: Uuid.nullish(),
    task_run_id: Uuid.nullish(),
    child_flow_run_id: Uuid.nullish(),
    scheduled_time: DateTimeString.nullish(),
    cache_key: indexedText().nullish(),
    cache_expiration: DateTimeString.nullish(),
    deferred: z.boolean().nullish(),
    untrackable_result: nullAsAbsent(z.boolean()),
    pause_timeout: DateTimeString.nullish(),
    pause_reschedule: nullAsAbsent(z.boolean()),
    pause_key: z.string().nullish(),
    run_input_keyset: z.record(z.string(), z.string()).nullish(),
    refresh_cache: z.boolean().nullish(),
    retriable: z.boolean().nullish(),
    transition_id: Uuid.nullish(),
    task_parameters_id: Uuid.nullish(),
    traceparent: z.string().nullish(),
    deployment_concurrency_lease_id: Uuid.nullish(),
  })
  .partial();

/** `StateCreate`: a proposed state (type required). */
export const StateCreateSchema = z
  .object({
    type: StateTypeSchema,
    name: z.string().nullish(),
    message: z.string().nullish(),
    data: JsonValue.optional(),
    state_details: StateDetailsCreate.nullish(),
  })
  .strict();

/** Body of `POST /flow_runs/{id}/set_state` and `POST /task_runs/{id}/set_state`. */
export const SetStateBody = z.object({
  state: StateCreateSchema,
  force: orDefault(z.boolean(), () => false),
});

// Responses

export const StateDetailsResponse = z
  .object({
    flow_run_id: id.nullable(),
    task_run_id: id.nullable(),
    child_flow_run_id: id.nullable(),
    scheduled_time: nullableTime,
    cache_key: z.string().nullable(),
    cache_expiration: nullableTime,
    deferred: z.boolean().nullable(),
    untrackable_result: z.boolean(),
    pause_timeout: nullableTime,
    pause_reschedule: z.boolean(),
    pause_key: z.string().nullable(),
    run_input_keyset: z.record(z.string(), z.string()).nullable(),
    refresh_cache: z.boolean().nullable(),
    retriable: z.boolean().nullable(),
    transition_id: id.nullable(),
    task_parameters_id: id.nullable(),
    traceparent: z.string().nullable(),
    deployment_concurrency_lease_id: id.nullable(),
  })
  .meta({ id: "StateDetails" });

export const StateResponse = z
  .object({
    id,
    type: stateType,
    name: z.string(),
    timestamp: time,
    message: z.string().nullable(),
    data: z.unknown(),
    state_details: StateDetailsResponse,
  })
  .meta({ id: "State" });

export const OrchestrationResultResponse = z
  .object({
    state: StateResponse.nullable(),
    status: z.enum(["ACCEPT", "REJECT", "ABORT", "WAIT"]),
    details: z.object({
      type: z.enum(["accept_details", "reject_details", "abort_details", "wait_details"]),
      reason: z.string().nullable().optional(),
      delay_seconds: z.number().optional(),
    }),
  })
  .meta({ id: "OrchestrationResult" });

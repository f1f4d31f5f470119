import { z } from "zod";
import { DateTimeString, StateTypeSchema, Uuid } from "../../server/schemas/common.ts";

export const StateDetailsCreate = z
  .object({
    flow_run_id: Uuid.nullish(),
    task_run_id: Uuid.nullish(),
    child_flow_run_id: Uuid.nullish(),
    scheduled_time: DateTimeString.nullish(),
    cache_key: z.string().nullish(),
    cache_expiration: DateTimeString.nullish(),
    deferred: z.boolean().nullish(),
    untrackable_result: z.boolean().optional(),
    pause_timeout: DateTimeString.nullish(),
    pause_reschedule: z.boolean().optional(),
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
    data: z.unknown().optional(),
    state_details: StateDetailsCreate.nullish(),
  })
  .strict();

/** Body of `POST /flow_runs/{id}/set_state` and `POST /task_runs/{id}/set_state`. */
export const SetStateBody = z.object({
  state: StateCreateSchema,
  force: z.boolean().default(false),
});

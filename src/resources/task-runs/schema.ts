import { z } from "zod";
import type { TaskRun } from "../../core/runs.ts";
import {
  DateTimeString,
  indexedText,
  Labels,
  nullAsAbsent,
  orDefault,
  Tags,
  Uuid,
} from "../../server/schemas/common.ts";
import { id, json, nullableTime, time } from "../../server/schemas/responses.ts";
import { estimates, runTimes } from "../flow-runs/schema.ts";
import { StateCreateSchema } from "../states/schema.ts";

const TaskRunInputSchema = z.discriminatedUnion("input_type", [
  z.object({ input_type: z.literal("task_run"), id: Uuid }),
  z.object({ input_type: z.literal("flow_run"), id: Uuid }),
  z.object({ input_type: z.literal("parameter"), name: z.string() }),
  z.object({ input_type: z.literal("constant"), type: z.string() }),
]);

/** `task_inputs`: each parameter's upstream inputs. */
export const TaskRunInputsSchema = z.record(z.string(), z.array(TaskRunInputSchema));

export const TaskRunPolicySchema = z
  .object({
    max_retries: orDefault(z.number().int(), () => 0),
    retry_delay_seconds: orDefault(z.number(), () => 0),
    retries: z.number().int().nullish(),
    retry_delay: z.union([z.number(), z.array(z.number()).max(50)]).nullish(),
    retry_jitter_factor: z.number().min(0).nullish(),
  })
  .partial();

/** `task_key` and `dynamic_key` share an index entry: each gets a little over half of one. */
const TASK_KEY_MAX_BYTES = 1200;

export const TaskRunCreateSchema = z
  .object({
    id: Uuid.nullish(),
    state: StateCreateSchema.nullish(),
    name: z.string().nullish(),
    flow_run_id: Uuid.nullish(),
    // one index holds both (with the flow run's id)
    task_key: indexedText(TASK_KEY_MAX_BYTES),
    dynamic_key: indexedText(TASK_KEY_MAX_BYTES),
    cache_key: indexedText().nullish(),
    cache_expiration: DateTimeString.nullish(),
    task_version: z.string().nullish(),
    empirical_policy: orDefault(TaskRunPolicySchema, () => ({})),
    tags: Tags,
    labels: Labels,
    task_inputs: orDefault(TaskRunInputsSchema, () => ({})),
  })
  .strict();

/** `TaskRunUpdate`: what `PATCH /task_runs/{id}` may change. */
export const TaskRunUpdateSchema = z.object({ name: nullAsAbsent(z.string()) }).strict();

// Responses

export const TaskRunResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    flow_run_id: id.nullable(),
    task_key: z.string(),
    dynamic_key: z.string(),
    cache_key: z.string().nullable(),
    cache_expiration: nullableTime,
    task_version: z.string().nullable(),
    empirical_policy: json,
    tags: z.array(z.string()),
    labels: json,
    task_inputs: z.record(z.string(), z.array(json)),
    flow_run_run_count: z.number().int(),
    ...runTimes,
  })
  .meta({ id: "TaskRun" });

/** A task run as answered at `now`: the stored record plus the fields Prefect computes. */
export function toTaskRunResponse(run: TaskRun, now: string) {
  const { state_timestamp: _, ...wire } = run;
  return { ...wire, ...estimates(run, now) };
}

/**
 * What Prefect's task-run recorder reads from the payload of a `prefect.task-run.*` event: the run
 * (`task_run`) and the state it entered (`validated_state`). Other payload keys (`intended`,
 * `initial_state`) are not read.
 */
import { z } from "zod";
import { DateTimeString, JsonObject, StateTypeSchema, Uuid } from "../../server/schemas/common.ts";
import { StateDetailsCreate } from "../states/schema.ts";
import { TaskRunInputsSchema, TaskRunPolicySchema } from "./schema.ts";

export const TaskRunPayloadSchema = z.object({
  id: Uuid.optional(),
  flow_run_id: Uuid.nullish(),
  name: z.string().nullish(),
  task_key: z.string(),
  dynamic_key: z.string(),
  cache_key: z.string().nullish(),
  cache_expiration: DateTimeString.nullish(),
  task_version: z.string().nullish(),
  empirical_policy: TaskRunPolicySchema.nullish(),
  tags: z.array(z.string()).nullish(),
  labels: JsonObject.nullish(),
  task_inputs: TaskRunInputsSchema.nullish(),
  run_count: z.number().int().nullish(),
  flow_run_run_count: z.number().int().nullish(),
  expected_start_time: DateTimeString.nullish(),
  next_scheduled_start_time: DateTimeString.nullish(),
  start_time: DateTimeString.nullish(),
  end_time: DateTimeString.nullish(),
  total_run_time: z.number().nullish(),
});

export const ValidatedStateSchema = z.object({
  id: Uuid.optional(),
  type: StateTypeSchema,
  name: z.string().nullish(),
  timestamp: DateTimeString.optional(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
  state_details: StateDetailsCreate.nullish(),
});

export const RecordablePayloadSchema = z.object({
  task_run: TaskRunPayloadSchema,
  validated_state: ValidatedStateSchema,
});

export type RecordablePayload = z.output<typeof RecordablePayloadSchema>;

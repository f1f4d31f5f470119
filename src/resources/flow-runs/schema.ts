import { z } from "zod";
import { JsonObject, Labels, Tags, Uuid } from "../../server/schemas/common.ts";
import { StateCreateSchema } from "../states/schema.ts";

export const FlowRunPolicySchema = z
  .object({
    max_retries: z.number().int().optional(),
    retry_delay_seconds: z.number().optional(),
    retries: z.number().int().nullish(),
    retry_delay: z.number().int().nullish(),
    pause_keys: z.array(z.string()).nullish(),
    resuming: z.boolean().nullish(),
    retry_type: z.enum(["in_process", "reschedule"]).nullish(),
  })
  .partial();

export const FlowRunCreateSchema = z
  .object({
    state: StateCreateSchema.nullish(),
    name: z.string().nullish(),
    flow_id: Uuid,
    flow_version: z.string().nullish(),
    parameters: JsonObject.default({}),
    context: JsonObject.default({}),
    parent_task_run_id: Uuid.nullish(),
    infrastructure_document_id: Uuid.nullish(),
    empirical_policy: FlowRunPolicySchema.default({}),
    tags: Tags,
    labels: Labels,
    idempotency_key: z.string().nullish(),
    work_pool_name: z.string().nullish(),
    work_queue_name: z.string().nullish(),
    job_variables: JsonObject.nullish(),
    deployment_id: Uuid.nullish(),
  })
  .strict();

/** `FlowRunUpdate`: the fields a client may change on a flow run. */
export const FlowRunUpdateSchema = z
  .object({
    name: z.string().nullish(),
    flow_version: z.string().nullish(),
    parameters: JsonObject.optional(),
    empirical_policy: FlowRunPolicySchema.optional(),
    tags: z.array(z.string()).optional(),
    infrastructure_pid: z.string().nullish(),
    job_variables: JsonObject.nullish(),
  })
  .strict();

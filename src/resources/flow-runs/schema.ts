import { z } from "zod";
import type { FlowRun } from "../../core/runs.ts";
import { StateType } from "../../core/state-types.ts";
import { secondsBetween } from "../../core/time.ts";
import {
  indexedText,
  JsonObject,
  Labels,
  nullAsAbsent,
  orDefault,
  Tags,
  Uuid,
} from "../../server/schemas/common.ts";
import { id, json, nullableTime, stateType, time } from "../../server/schemas/responses.ts";
import { StateCreateSchema, StateResponse } from "../states/schema.ts";

export const FlowRunPolicySchema = z
  .object({
    max_retries: orDefault(z.number().int(), () => 0),
    retry_delay_seconds: orDefault(z.number(), () => 0),
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
    parameters: orDefault(JsonObject, () => ({})),
    context: orDefault(JsonObject, () => ({})),
    parent_task_run_id: Uuid.nullish(),
    infrastructure_document_id: Uuid.nullish(),
    empirical_policy: orDefault(FlowRunPolicySchema, () => ({})),
    tags: Tags,
    labels: Labels,
    idempotency_key: indexedText().nullish(),
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
    parameters: nullAsAbsent(JsonObject),
    empirical_policy: nullAsAbsent(FlowRunPolicySchema),
    tags: nullAsAbsent(z.array(z.string())),
    infrastructure_pid: z.string().nullish(),
    job_variables: JsonObject.nullish(),
  })
  .strict();

// Responses

export const runTimes = {
  state_id: id.nullable(),
  state_type: stateType.nullable(),
  state_name: z.string().nullable(),
  run_count: z.number().int(),
  expected_start_time: nullableTime,
  next_scheduled_start_time: nullableTime,
  start_time: nullableTime,
  end_time: nullableTime,
  total_run_time: z.number(),
  estimated_run_time: z.number(),
  estimated_start_time_delta: z.number(),
  state: StateResponse.nullable(),
};

export const FlowRunResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    flow_id: id,
    deployment_id: id.nullable(),
    deployment_version: z.string().nullable(),
    work_queue_id: id.nullable(),
    work_queue_name: z.string().nullable(),
    flow_version: z.string().nullable(),
    parameters: json,
    idempotency_key: z.string().nullable(),
    context: json,
    empirical_policy: json,
    tags: z.array(z.string()),
    labels: json,
    parent_task_run_id: id.nullable(),
    auto_scheduled: z.boolean(),
    infrastructure_document_id: id.nullable(),
    infrastructure_pid: z.string().nullable(),
    created_by: json.nullable(),
    work_pool_id: id.nullable(),
    work_pool_name: z.string().nullable(),
    job_variables: json,
    ...runTimes,
  })
  .meta({ id: "FlowRunResponse" });

export const edge = z.object({ id }).meta({ id: "Edge" });

export const GraphArtifactResponse = z
  .object({
    id,
    created: time,
    key: z.string().nullable(),
    type: z.string().nullable(),
    is_latest: z.boolean(),
    data: z.unknown().nullable(),
  })
  .meta({ id: "GraphArtifact" });

export const GraphNodeResponse = z
  .object({
    kind: z.enum(["flow-run", "task-run"]),
    id,
    label: z.string(),
    state_type: stateType,
    start_time: time,
    end_time: nullableTime,
    parents: z.array(edge),
    children: z.array(edge),
    encapsulating: z.array(edge),
    artifacts: z.array(GraphArtifactResponse),
  })
  .meta({ id: "Node" });

/** `GET /flow_runs/{id}/graph-v2`: nodes as `[id, node]` pairs. */
export const GraphResponse = z
  .object({
    start_time: nullableTime,
    end_time: nullableTime,
    root_node_ids: z.array(id),
    nodes: z.array(z.tuple([id, GraphNodeResponse])),
    artifacts: z.array(GraphArtifactResponse),
    states: z.array(
      z
        .object({ id, timestamp: time, type: stateType, name: z.string() })
        .meta({ id: "GraphState" }),
    ),
  })
  .meta({ id: "Graph" });

/** The fields of a run the estimates are computed from. */
export type EstimateFields = Pick<
  FlowRun,
  "total_run_time" | "state_type" | "state_timestamp" | "expected_start_time" | "start_time"
>;

/** Run time so far (adds the current RUNNING stretch) and how late the run started, at `now`. */
export function estimates(run: EstimateFields, now: string) {
  let estimated = run.total_run_time;
  if (run.state_type === StateType.RUNNING && run.state_timestamp) {
    estimated += Math.max(0, secondsBetween(run.state_timestamp, now));
  }
  let delta = 0;
  if (run.expected_start_time) {
    const started =
      run.start_time ??
      (run.state_type === StateType.SCHEDULED || run.state_type === StateType.PENDING ? now : null);
    if (started) delta = Math.max(0, secondsBetween(run.expected_start_time, started));
  }
  return { estimated_run_time: estimated, estimated_start_time_delta: delta };
}

/** A flow run as answered at `now`: the stored record plus the fields Prefect computes. */
export function toFlowRunResponse(run: FlowRun, now: string) {
  const { state_timestamp: _, ...wire } = run;
  return { ...wire, ...estimates(run, now) };
}

/**
 * Response schemas of the REST API, for the OpenAPI document only: they are named after Prefect's
 * components (`FlowRunResponse`, `State`, `EventPage`, …) and attached to the routes by
 * `attachResponseSchemas` (an `onRoute` hook), keyed by method and path, so that the routers stay
 * as they are. Responses are not validated against them: the app's serializer compiler only
 * stringifies (validating every list response with zod would cost more than producing it).
 */
import type { RouteOptions } from "fastify";
import { jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { ALL_STATE_TYPES, type StateType } from "../../core/state-types.ts";

const id = z.uuid();
const time = z.string().meta({ format: "date-time" });
const nullableTime = time.nullable();
const stateType = z.enum(ALL_STATE_TYPES as [StateType, ...StateType[]]);
const json = z.record(z.string(), z.unknown());

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

export const FlowResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    tags: z.array(z.string()),
    labels: json,
  })
  .meta({ id: "Flow" });

const runTimes = {
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

export const LogResponse = z
  .object({
    id,
    created: time,
    updated: time,
    name: z.string(),
    level: z.number().int(),
    message: z.string(),
    timestamp: time,
    flow_run_id: id.nullable(),
    task_run_id: id.nullable(),
  })
  .meta({ id: "Log" });

export const HistoryResponse = z
  .object({
    interval_start: time,
    interval_end: time,
    states: z.array(
      z.object({
        state_type: stateType,
        state_name: z.string(),
        count_runs: z.number().int(),
        sum_estimated_run_time: z.number(),
        sum_estimated_lateness: z.number(),
      }),
    ),
  })
  .meta({ id: "HistoryResponse" });

const labels = z.record(z.string(), z.string());

export const ReceivedEventResponse = z
  .object({
    occurred: time,
    event: z.string(),
    resource: labels,
    related: z.array(labels),
    payload: json,
    id,
    follows: id.nullable(),
    received: time,
  })
  .meta({ id: "ReceivedEvent" });

export const EventPageResponse = z
  .object({
    events: z.array(ReceivedEventResponse),
    total: z.number().int(),
    next_page: z.string().nullable(),
  })
  .meta({ id: "EventPage" });

export const EventCountResponse = z
  .object({
    value: z.string(),
    label: z.string(),
    count: z.number().int(),
    start_time: time,
    end_time: time,
  })
  .meta({ id: "EventCount" });

/** `GET /ui/task_runs/{id}`: a task run with the name of its flow run. */
export const UiTaskRunResponse = TaskRunResponse.extend({
  flow_run_name: z.string().nullable(),
}).meta({ id: "UITaskRun" });

/** An entry of `POST /ui/flow_runs/history`: one dot of the UI's flow-run history chart. */
export const SimpleFlowRunResponse = z
  .object({
    id,
    state_type: stateType,
    timestamp: time,
    duration: z.number(),
    lateness: z.number(),
  })
  .meta({ id: "SimpleFlowRun" });

/** A value of `POST /ui/flows/next-runs`: a flow's next scheduled run. */
export const SimpleNextFlowRunResponse = z
  .object({
    id,
    flow_id: id,
    name: z.string(),
    state_name: z.string(),
    state_type: stateType,
    next_scheduled_start_time: time,
  })
  .meta({ id: "SimpleNextFlowRun" });

const stateCount = z.number().int();
/** `POST /ui/task_runs/count`: task runs per state type, every type present (Prefect's order). */
export const CountByStateResponse = z
  .object({
    COMPLETED: stateCount,
    PENDING: stateCount,
    RUNNING: stateCount,
    FAILED: stateCount,
    CANCELLED: stateCount,
    CRASHED: stateCount,
    PAUSED: stateCount,
    CANCELLING: stateCount,
    SCHEDULED: stateCount,
  } satisfies Record<StateType, z.ZodNumber>)
  .meta({ id: "CountByState" });

/** A bucket of `POST /ui/task_runs/dashboard/counts` (`completed`, `failed`). */
export const TaskRunCountResponse = z
  .record(z.string(), z.number().int())
  .meta({ id: "TaskRunCount" });

const edge = z.object({ id }).meta({ id: "Edge" });

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

function paginated(item: z.ZodType, name: string) {
  return z
    .object({
      results: z.array(item),
      count: z.number().int(),
      limit: z.number().int(),
      pages: z.number().int(),
      page: z.number().int(),
    })
    .meta({ id: name });
}

const noContent = z.null().meta({ description: "No Content" });
const count = z.number().int();
/** A count per id (`/ui/flows/count-deployments`, `/ui/flow_runs/count-task-runs`). */
const countsById = z.record(id, count);

/** `/ready`: the database answered, or not (503). */
const ReadyResponse = z.object({ message: z.string() });
/** `/admin/settings`: Prefect's `Settings`, every section (see `admin-settings.ts`). */
const ServerSettings = z
  .object({
    home: z.string(),
    profiles_path: z.string().nullable(),
    debug_mode: z.boolean(),
    api: json,
    cli: json,
    client: json,
    cloud: json,
    deployments: json,
    events: json,
    experiments: json,
    flows: json,
    internal: json,
    logging: json,
    plugins: json,
    results: json,
    runner: json,
    server: json,
    tasks: json,
    telemetry: json,
    testing: json,
    worker: json,
    ui_url: z.string().nullable(),
    silence_api_url_misconfiguration: z.boolean(),
  })
  .meta({ id: "Settings" });
/** `/admin/storage`. */
const StorageSettings = z.object({ default_result_storage_block_id: z.uuid().nullable() });
/** `/csrf-token` while CSRF protection is off (as on Prefect's default server). */
const CsrfDisabled = z.object({ detail: z.string() });

/** Response schemas by `METHOD path` (the path as registered, `:param` style). */
export const RESPONSE_SCHEMAS: Record<string, Record<number, z.ZodType>> = {
  "GET /api/health": { 200: z.boolean() },
  "GET /api/version": { 200: z.string() },
  "GET /api/hello": { 200: z.string() },
  "GET /api/ready": { 200: ReadyResponse, 503: ReadyResponse },
  "GET /api/admin/version": { 200: z.string() },
  "GET /api/admin/settings": { 200: ServerSettings },
  "GET /api/admin/storage": { 200: StorageSettings },
  "GET /api/csrf-token": { 422: CsrfDisabled },
  "POST /api/flows/": { 200: FlowResponse, 201: FlowResponse },
  "GET /api/flows/:id": { 200: FlowResponse },
  "GET /api/flows/name/:name": { 200: FlowResponse },
  "PATCH /api/flows/:id": { 204: noContent },
  "DELETE /api/flows/:id": { 204: noContent },
  "POST /api/flows/filter": { 200: z.array(FlowResponse) },
  "POST /api/flows/count": { 200: count },
  "POST /api/flows/paginate": { 200: paginated(FlowResponse, "FlowPaginationResponse") },
  "POST /api/flow_runs/": { 200: FlowRunResponse, 201: FlowRunResponse },
  "GET /api/flow_runs/:id": { 200: FlowRunResponse },
  "PATCH /api/flow_runs/:id": { 204: noContent },
  "PATCH /api/flow_runs/:id/labels": { 204: noContent },
  "DELETE /api/flow_runs/:id": { 204: noContent },
  "POST /api/flow_runs/:id/set_state": {
    200: OrchestrationResultResponse,
    201: OrchestrationResultResponse,
  },
  "POST /api/flow_runs/filter": { 200: z.array(FlowRunResponse) },
  "POST /api/flow_runs/count": { 200: count },
  "POST /api/flow_runs/lateness": { 200: z.number().nullable() },
  "POST /api/flow_runs/paginate": {
    200: paginated(FlowRunResponse, "FlowRunPaginationResponse"),
  },
  "POST /api/flow_runs/history": { 200: z.array(HistoryResponse) },
  "POST /api/task_runs/": { 200: TaskRunResponse, 201: TaskRunResponse },
  "GET /api/task_runs/:id": { 200: TaskRunResponse },
  "PATCH /api/task_runs/:id": { 204: noContent },
  "DELETE /api/task_runs/:id": { 204: noContent },
  "POST /api/task_runs/:id/set_state": {
    200: OrchestrationResultResponse,
    201: OrchestrationResultResponse,
  },
  "POST /api/task_runs/filter": { 200: z.array(TaskRunResponse) },
  "POST /api/task_runs/count": { 200: count },
  "POST /api/task_runs/paginate": {
    200: paginated(TaskRunResponse, "TaskRunPaginationResponse"),
  },
  "POST /api/task_runs/history": { 200: z.array(HistoryResponse) },
  "GET /api/flow_run_states/": { 200: z.array(StateResponse) },
  "GET /api/flow_run_states/:id": { 200: StateResponse },
  "GET /api/task_run_states/": { 200: z.array(StateResponse) },
  "GET /api/task_run_states/:id": { 200: StateResponse },
  "POST /api/logs/": { 201: z.null() },
  "POST /api/logs/filter": { 200: z.array(LogResponse) },
  "POST /api/events": { 204: noContent },
  "POST /api/events/filter": { 200: EventPageResponse },
  "GET /api/events/filter/next": { 200: EventPageResponse },
  "POST /api/events/count-by/:countable": { 200: z.array(EventCountResponse) },
  "GET /api/flow_runs/:id/graph-v2": { 200: GraphResponse },
  "POST /api/ui/flows/count-deployments": { 200: countsById },
  "POST /api/ui/flows/next-runs": {
    200: z.record(id, SimpleNextFlowRunResponse.nullable()),
  },
  "POST /api/ui/flow_runs/history": { 200: z.array(SimpleFlowRunResponse) },
  "POST /api/ui/flow_runs/count-task-runs": { 200: countsById },
  "POST /api/ui/task_runs/dashboard/counts": { 200: z.array(TaskRunCountResponse) },
  "POST /api/ui/task_runs/count": { 200: CountByStateResponse },
  "GET /api/ui/task_runs/:id": { 200: UiTaskRunResponse },
};

/** `onRoute` hook: give a route its documented responses (routes that declare their own win). */
export function attachResponseSchemas(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) {
    const response = RESPONSE_SCHEMAS[`${method} ${route.url}`];
    if (!response) continue;
    const schema = (route.schema ?? {}) as { response?: unknown };
    if (schema.response) return;
    route.schema = { ...schema, response };
    return;
  }
}

/**
 * The app's serializer compiler: plain `JSON.stringify`, whatever the response schema (they are
 * documentation; see above).
 */
export function jsonSerializerCompiler(): (data: unknown) => string {
  return (data) => JSON.stringify(data);
}

/**
 * The swagger `transformObject`: components for the named schemas, without the `…Input` copies
 * the zod provider also derives for them when no request uses them.
 */
export const documentTransformObject: typeof jsonSchemaTransformObject = (document) => {
  const object = jsonSchemaTransformObject(document) as {
    components?: { schemas?: Record<string, unknown> };
  };
  const schemas = object.components?.schemas;
  if (!schemas) return object as ReturnType<typeof jsonSchemaTransformObject>;
  const inputs = Object.keys(schemas).filter((name) => name.endsWith("Input"));
  const refsIn = (value: unknown) =>
    inputs.filter((name) => JSON.stringify(value).includes(`"#/components/schemas/${name}"`));
  // the `…Input` schemas reachable from the paths and the other components are kept
  const removed = Object.fromEntries(inputs.map((name) => [name, schemas[name]]));
  for (const name of inputs) delete schemas[name];
  const keep = new Set<string>(refsIn(object));
  for (const name of keep) for (const ref of refsIn(removed[name])) keep.add(ref);
  for (const name of keep) schemas[name] = removed[name];
  return object as ReturnType<typeof jsonSchemaTransformObject>;
};

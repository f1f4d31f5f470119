/**
 * Prefect's filter grammar (`prefect.server.schemas.filters` / `sorting`) as zod 4 schemas, for the
 * bodies of `POST /flows/filter`, `/flow_runs/filter`, `/task_runs/filter`, `/logs/filter`, the
 * matching `/count` and `/paginate` endpoints. Filter objects forbid extra keys (pydantic
 * `extra="forbid"`, `additionalProperties: false` in the OpenAPI); request bodies ignore them, as
 * FastAPI does. Everything that is optional is also nullable, as in the OpenAPI.
 */
import { z } from "zod";
import type * as core from "../../core/filters.ts";
import {
  type Agrees,
  DateTimeString,
  Int4,
  LikePattern,
  orDefault,
  StateTypeSchema,
  Uuid,
} from "./common.ts";

/** `PREFECT_API_DEFAULT_LIMIT`: the default and the largest `limit` a body may ask for. */
export const DEFAULT_FILTER_LIMIT = 200;

export const OperatorSchema = z.enum(["and_", "or_"]);
export type Operator = z.infer<typeof OperatorSchema>;

const operator = orDefault(OperatorSchema, () => "and_" as const);
const ids = z.array(Uuid).nullish();
const strings = z.array(z.string()).nullish();
const flag = z.boolean().nullish();
const time = DateTimeString.nullish();
const stateTypes = z.array(StateTypeSchema).nullish();

// ---------------------------------------------------------------------------------------------
// Sorts
// ---------------------------------------------------------------------------------------------

export const FlowSortSchema = z.enum(["CREATED_DESC", "UPDATED_DESC", "NAME_ASC", "NAME_DESC"]);
export const FlowRunSortSchema = z.enum([
  "ID_DESC",
  "START_TIME_ASC",
  "START_TIME_DESC",
  "EXPECTED_START_TIME_ASC",
  "EXPECTED_START_TIME_DESC",
  "NAME_ASC",
  "NAME_DESC",
  "NEXT_SCHEDULED_START_TIME_ASC",
  "END_TIME_DESC",
]);
export const TaskRunSortSchema = z.enum([
  "ID_DESC",
  "EXPECTED_START_TIME_ASC",
  "EXPECTED_START_TIME_DESC",
  "NAME_ASC",
  "NAME_DESC",
  "NEXT_SCHEDULED_START_TIME_ASC",
  "END_TIME_DESC",
]);
export const LogSortSchema = z.enum(["TIMESTAMP_ASC", "TIMESTAMP_DESC"]);
export const DeploymentSortSchema = z.enum([
  "CREATED_DESC",
  "UPDATED_DESC",
  "NAME_ASC",
  "NAME_DESC",
]);
export type FlowSort = z.infer<typeof FlowSortSchema>;
export type FlowRunSort = z.infer<typeof FlowRunSortSchema>;
export type TaskRunSort = z.infer<typeof TaskRunSortSchema>;
export type LogSort = z.infer<typeof LogSortSchema>;

// ---------------------------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------------------------

export const FlowFilterIdSchema = z.strictObject({ any_: ids, not_any_: ids });
export const FlowFilterDeploymentSchema = z.strictObject({ operator, is_null_: flag });
export const FlowFilterNameSchema = z.strictObject({ any_: strings, like_: LikePattern.nullish() });
export const FlowFilterTagsSchema = z.strictObject({ operator, all_: strings, is_null_: flag });

export const FlowFilterSchema = z.strictObject({
  operator,
  id: FlowFilterIdSchema.nullish(),
  deployment: FlowFilterDeploymentSchema.nullish(),
  name: FlowFilterNameSchema.nullish(),
  tags: FlowFilterTagsSchema.nullish(),
});
export type FlowFilter = z.infer<typeof FlowFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Flow runs
// ---------------------------------------------------------------------------------------------

const anyNotAny = z.strictObject({ any_: strings, not_any_: strings });
const timeRange = z.strictObject({ before_: time, after_: time });
const timeRangeOrNull = z.strictObject({ before_: time, after_: time, is_null_: flag });

export const FlowRunFilterIdSchema = z.strictObject({ any_: ids, not_any_: ids });
export const FlowRunFilterNameSchema = z.strictObject({
  any_: strings,
  like_: LikePattern.nullish(),
});
export const FlowRunFilterTagsSchema = z.strictObject({
  operator,
  all_: strings,
  any_: strings,
  is_null_: flag,
});
export const FlowRunFilterDeploymentIdSchema = z.strictObject({
  operator,
  any_: ids,
  is_null_: flag,
});
export const FlowRunFilterWorkQueueNameSchema = z.strictObject({
  operator,
  any_: strings,
  is_null_: flag,
});
export const FlowRunFilterStateTypeSchema = z.strictObject({
  any_: stateTypes,
  not_any_: stateTypes,
});
export const FlowRunFilterStateNameSchema = anyNotAny;
export const FlowRunFilterStateSchema = z.strictObject({
  operator,
  type: FlowRunFilterStateTypeSchema.nullish(),
  name: FlowRunFilterStateNameSchema.nullish(),
});
export const FlowRunFilterFlowVersionSchema = z.strictObject({ any_: strings });
export const FlowRunFilterStartTimeSchema = timeRangeOrNull;
export const FlowRunFilterEndTimeSchema = timeRangeOrNull;
export const FlowRunFilterExpectedStartTimeSchema = timeRange;
export const FlowRunFilterNextScheduledStartTimeSchema = timeRange;
export const FlowRunFilterParentFlowRunIdSchema = z.strictObject({ operator, any_: ids });
export const FlowRunFilterParentTaskRunIdSchema = z.strictObject({
  operator,
  any_: ids,
  is_null_: flag,
});
export const FlowRunFilterIdempotencyKeySchema = anyNotAny;
export const FlowRunFilterCreatedBySchema = z.strictObject({
  operator,
  id_: ids,
  type_: strings,
  is_null_: flag,
});

export const FlowRunFilterSchema = z.strictObject({
  operator,
  id: FlowRunFilterIdSchema.nullish(),
  name: FlowRunFilterNameSchema.nullish(),
  tags: FlowRunFilterTagsSchema.nullish(),
  deployment_id: FlowRunFilterDeploymentIdSchema.nullish(),
  work_queue_name: FlowRunFilterWorkQueueNameSchema.nullish(),
  state: FlowRunFilterStateSchema.nullish(),
  flow_version: FlowRunFilterFlowVersionSchema.nullish(),
  start_time: FlowRunFilterStartTimeSchema.nullish(),
  end_time: FlowRunFilterEndTimeSchema.nullish(),
  expected_start_time: FlowRunFilterExpectedStartTimeSchema.nullish(),
  next_scheduled_start_time: FlowRunFilterNextScheduledStartTimeSchema.nullish(),
  parent_flow_run_id: FlowRunFilterParentFlowRunIdSchema.nullish(),
  parent_task_run_id: FlowRunFilterParentTaskRunIdSchema.nullish(),
  idempotency_key: FlowRunFilterIdempotencyKeySchema.nullish(),
  created_by: FlowRunFilterCreatedBySchema.nullish(),
});
export type FlowRunFilter = z.infer<typeof FlowRunFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Task runs
// ---------------------------------------------------------------------------------------------

export const TaskRunFilterIdSchema = z.strictObject({ any_: ids });
export const TaskRunFilterNameSchema = z.strictObject({
  any_: strings,
  like_: LikePattern.nullish(),
});
export const TaskRunFilterTagsSchema = z.strictObject({ operator, all_: strings, is_null_: flag });
export const TaskRunFilterStateTypeSchema = z.strictObject({ any_: stateTypes });
export const TaskRunFilterStateNameSchema = z.strictObject({ any_: strings });
export const TaskRunFilterStateSchema = z.strictObject({
  operator,
  type: TaskRunFilterStateTypeSchema.nullish(),
  name: TaskRunFilterStateNameSchema.nullish(),
});
export const TaskRunFilterStartTimeSchema = timeRangeOrNull;
export const TaskRunFilterEndTimeSchema = timeRangeOrNull;
export const TaskRunFilterExpectedStartTimeSchema = timeRange;
export const TaskRunFilterSubFlowRunsSchema = z.strictObject({ exists_: flag });
/** `is_null_` defaults to false: `{}` keeps only task runs that belong to a flow run. */
export const TaskRunFilterFlowRunIdSchema = z.strictObject({
  operator,
  any_: ids,
  // `null` is a value of its own here (no criterion), as in Prefect: not the default
  is_null_: z.boolean().nullable().default(false),
});

export const TaskRunFilterSchema = z.strictObject({
  operator,
  id: TaskRunFilterIdSchema.nullish(),
  name: TaskRunFilterNameSchema.nullish(),
  tags: TaskRunFilterTagsSchema.nullish(),
  state: TaskRunFilterStateSchema.nullish(),
  start_time: TaskRunFilterStartTimeSchema.nullish(),
  end_time: TaskRunFilterEndTimeSchema.nullish(),
  expected_start_time: TaskRunFilterExpectedStartTimeSchema.nullish(),
  subflow_runs: TaskRunFilterSubFlowRunsSchema.nullish(),
  flow_run_id: TaskRunFilterFlowRunIdSchema.nullish(),
});
export type TaskRunFilter = z.infer<typeof TaskRunFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

export const LogFilterLevelSchema = z.strictObject({
  ge_: Int4.nullish(),
  le_: Int4.nullish(),
});
export const LogFilterTimestampSchema = timeRange;
export const LogFilterFlowRunIdSchema = z.strictObject({ any_: ids });
export const LogFilterTaskRunIdSchema = z.strictObject({ any_: ids, is_null_: flag });
export const LogFilterTextSearchSchema = z.strictObject({ query: z.string().max(200) });

export const LogFilterSchema = z.strictObject({
  operator,
  level: LogFilterLevelSchema.nullish(),
  timestamp: LogFilterTimestampSchema.nullish(),
  flow_run_id: LogFilterFlowRunIdSchema.nullish(),
  task_run_id: LogFilterTaskRunIdSchema.nullish(),
  text: LogFilterTextSearchSchema.nullish(),
});
export type LogFilter = z.infer<typeof LogFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Deployments, work pools and work queues, validated as Prefect types them
// ---------------------------------------------------------------------------------------------

export const DeploymentFilterSchema = z.strictObject({
  operator,
  id: z.strictObject({ any_: ids, not_any_: ids }).nullish(),
  name: z.strictObject({ any_: strings, like_: LikePattern.nullish() }).nullish(),
  flow_or_deployment_name: z.strictObject({ like_: LikePattern.nullish() }).nullish(),
  paused: z.strictObject({ eq_: flag }).nullish(),
  tags: z.strictObject({ operator, all_: strings, any_: strings, is_null_: flag }).nullish(),
  work_queue_name: z.strictObject({ any_: strings }).nullish(),
  /** Deprecated in Prefect, and ignored there. */
  concurrency_limit: z
    .strictObject({
      ge_: z.number().int().nullish(),
      le_: z.number().int().nullish(),
      is_null_: flag,
    })
    .nullish(),
});
export const WorkPoolFilterSchema = z.strictObject({
  operator,
  id: z.strictObject({ any_: ids }).nullish(),
  name: z.strictObject({ any_: strings }).nullish(),
  type: z.strictObject({ any_: strings }).nullish(),
});
export const WorkQueueFilterSchema = z.strictObject({
  operator,
  id: z.strictObject({ any_: ids }).nullish(),
  name: z.strictObject({ any_: strings, startswith_: strings }).nullish(),
});
export type UnsupportedResourceFilter =
  | z.infer<typeof DeploymentFilterSchema>
  | z.infer<typeof WorkPoolFilterSchema>
  | z.infer<typeof WorkQueueFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

/** `limit`: an integer in [0, 200], 200 when missing or null (422 otherwise, as Prefect). */
export const LimitSchema = orDefault(
  z.number().int().min(0).max(DEFAULT_FILTER_LIMIT),
  () => DEFAULT_FILTER_LIMIT,
);
const offset = orDefault(z.number().int().min(0), () => 0);
const page = orDefault(z.number().int().min(1), () => 1);
/** A sort that takes its default when missing or null. */
function sortOr<S extends string>(schema: z.ZodType<S>, fallback: S) {
  return orDefault(schema, () => fallback);
}

const taskRunsCountShape = {
  flows: FlowFilterSchema.nullish(),
  flow_runs: FlowRunFilterSchema.nullish(),
  task_runs: TaskRunFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
};
const flowsCountShape = { ...taskRunsCountShape, work_pools: WorkPoolFilterSchema.nullish() };
const flowRunsCountShape = {
  ...flowsCountShape,
  work_pool_queues: WorkQueueFilterSchema.nullish(),
};

/** The `count`, `filter` (limit/offset) and `paginate` (limit/page) bodies of one resource. */
function listBodies<Shape extends z.ZodRawShape, Sort extends z.ZodType>(shape: Shape, sort: Sort) {
  return {
    count: z.object(shape),
    filter: z.object({ ...shape, sort, limit: LimitSchema, offset }),
    paginate: z.object({ ...shape, sort, limit: LimitSchema, page }),
  };
}

const flowBodies = listBodies(flowsCountShape, sortOr(FlowSortSchema, "NAME_ASC"));
const flowRunBodies = listBodies(flowRunsCountShape, sortOr(FlowRunSortSchema, "ID_DESC"));
const taskRunBodies = listBodies(taskRunsCountShape, sortOr(TaskRunSortSchema, "ID_DESC"));
const deploymentBodies = listBodies(flowRunsCountShape, sortOr(DeploymentSortSchema, "NAME_ASC"));

/** `POST /flows/count`, `/flows/filter` (default sort `NAME_ASC`), `/flows/paginate`. */
export const FlowsCountBodySchema = flowBodies.count;
export const FlowsFilterBodySchema = flowBodies.filter;
export const FlowsPaginateBodySchema = flowBodies.paginate;
/** `POST /flow_runs/count`, `/flow_runs/filter` (default sort `ID_DESC`), `/flow_runs/paginate`. */
export const FlowRunsCountBodySchema = flowRunBodies.count;
export const FlowRunsFilterBodySchema = flowRunBodies.filter;
export const FlowRunsPaginateBodySchema = flowRunBodies.paginate;
/** `POST /task_runs/count`, `/task_runs/filter` (default sort `ID_DESC`), `/task_runs/paginate`. */
export const TaskRunsCountBodySchema = taskRunBodies.count;
export const TaskRunsFilterBodySchema = taskRunBodies.filter;
export const TaskRunsPaginateBodySchema = taskRunBodies.paginate;

/** `POST /deployments/count`, `/deployments/filter` (default sort `NAME_ASC`), `/deployments/paginate`. */
export const DeploymentsCountBodySchema = deploymentBodies.count;
export const DeploymentsFilterBodySchema = deploymentBodies.filter;
export const DeploymentsPaginateBodySchema = deploymentBodies.paginate;

/** `POST /logs/filter` (default sort `TIMESTAMP_ASC`). */
export const LogsFilterBodySchema = z.object({
  logs: LogFilterSchema.nullish(),
  sort: sortOr(LogSortSchema, "TIMESTAMP_ASC"),
  limit: LimitSchema,
  offset,
});

export type FlowsCountBody = z.infer<typeof FlowsCountBodySchema>;
export type FlowsFilterBody = z.infer<typeof FlowsFilterBodySchema>;
export type FlowsPaginateBody = z.infer<typeof FlowsPaginateBodySchema>;
export type FlowRunsCountBody = z.infer<typeof FlowRunsCountBodySchema>;
export type FlowRunsFilterBody = z.infer<typeof FlowRunsFilterBodySchema>;
export type FlowRunsPaginateBody = z.infer<typeof FlowRunsPaginateBodySchema>;
export type TaskRunsCountBody = z.infer<typeof TaskRunsCountBodySchema>;
export type TaskRunsFilterBody = z.infer<typeof TaskRunsFilterBodySchema>;
export type TaskRunsPaginateBody = z.infer<typeof TaskRunsPaginateBodySchema>;
export type LogsFilterBody = z.infer<typeof LogsFilterBodySchema>;

// ---------------------------------------------------------------------------------------------
// The schemas and the filter grammar of `core/filters.ts` agree (checked at compile time): what a
// schema parses is a core value, and every core value is one the schema takes
// ---------------------------------------------------------------------------------------------

const agreement: [
  Agrees<typeof FlowFilterSchema, core.FlowFilter>,
  Agrees<typeof FlowRunFilterSchema, core.FlowRunFilter>,
  Agrees<typeof TaskRunFilterSchema, core.TaskRunFilter>,
  Agrees<typeof LogFilterSchema, core.LogFilter>,
  Agrees<typeof DeploymentFilterSchema, core.DeploymentFilter>,
  Agrees<typeof WorkPoolFilterSchema, core.WorkPoolFilter>,
  Agrees<typeof WorkQueueFilterSchema, core.WorkQueueFilter>,
  Agrees<typeof FlowsCountBodySchema, core.FlowsQuery>,
  Agrees<typeof FlowRunsCountBodySchema, core.FlowRunsQuery>,
  Agrees<typeof TaskRunsCountBodySchema, core.TaskRunsQuery>,
  Agrees<typeof FlowsFilterBodySchema, core.FlowsListing>,
  Agrees<typeof FlowRunsFilterBodySchema, core.FlowRunsListing>,
  Agrees<typeof TaskRunsFilterBodySchema, core.TaskRunsListing>,
  Agrees<typeof LogsFilterBodySchema, core.LogsListing>,
  Agrees<typeof FlowSortSchema, core.FlowSort>,
  Agrees<typeof FlowRunSortSchema, core.FlowRunSort>,
  Agrees<typeof TaskRunSortSchema, core.TaskRunSort>,
  Agrees<typeof LogSortSchema, core.LogSort>,
  Agrees<typeof DeploymentSortSchema, core.DeploymentSort>,
  Agrees<typeof DeploymentsCountBodySchema, core.DeploymentsQuery>,
  Agrees<typeof DeploymentsFilterBodySchema, core.DeploymentsListing>,
] = [
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
  true,
];
void agreement;

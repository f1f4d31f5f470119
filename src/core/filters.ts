/**
 * Prefect's filter grammar (`prefect.server.schemas.filters` / `sorting`) as plain types: what
 * listing, counting and paging flows, flow runs, task runs and logs take, through either transport.
 * The HTTP edge declares zod schemas that satisfy these types (`server/schemas/filters.ts`);
 * storage turns them into SQL (`storage/filter-sql.ts`); the clients send them as they are. Every
 * optional criterion is also nullable, as in Prefect's OpenAPI document, and an unset criterion
 * filters nothing. The sort enums are Prefect's, exactly (a test holds them to
 * `prefect-openapi.json`).
 */
import { ValidationError } from "./errors.ts";
import type { StateType } from "./state-types.ts";

type Maybe<T> = T | null | undefined;

/** `PREFECT_API_DEFAULT_LIMIT`: the default and the largest page a listing may ask for. */
export const DEFAULT_LIST_LIMIT = 200;

export const Operator = { AND: "and_", OR: "or_" } as const;
export type Operator = (typeof Operator)[keyof typeof Operator];

// ---------------------------------------------------------------------------------------------
// Sorts
// ---------------------------------------------------------------------------------------------

export const FlowSort = {
  CREATED_DESC: "CREATED_DESC",
  UPDATED_DESC: "UPDATED_DESC",
  NAME_ASC: "NAME_ASC",
  NAME_DESC: "NAME_DESC",
} as const;
export type FlowSort = (typeof FlowSort)[keyof typeof FlowSort];

export const FlowRunSort = {
  ID_DESC: "ID_DESC",
  START_TIME_ASC: "START_TIME_ASC",
  START_TIME_DESC: "START_TIME_DESC",
  EXPECTED_START_TIME_ASC: "EXPECTED_START_TIME_ASC",
  EXPECTED_START_TIME_DESC: "EXPECTED_START_TIME_DESC",
  NAME_ASC: "NAME_ASC",
  NAME_DESC: "NAME_DESC",
  NEXT_SCHEDULED_START_TIME_ASC: "NEXT_SCHEDULED_START_TIME_ASC",
  END_TIME_DESC: "END_TIME_DESC",
} as const;
export type FlowRunSort = (typeof FlowRunSort)[keyof typeof FlowRunSort];

export const TaskRunSort = {
  ID_DESC: "ID_DESC",
  EXPECTED_START_TIME_ASC: "EXPECTED_START_TIME_ASC",
  EXPECTED_START_TIME_DESC: "EXPECTED_START_TIME_DESC",
  NAME_ASC: "NAME_ASC",
  NAME_DESC: "NAME_DESC",
  NEXT_SCHEDULED_START_TIME_ASC: "NEXT_SCHEDULED_START_TIME_ASC",
  END_TIME_DESC: "END_TIME_DESC",
} as const;
export type TaskRunSort = (typeof TaskRunSort)[keyof typeof TaskRunSort];

export const DeploymentSort = {
  CREATED_DESC: "CREATED_DESC",
  UPDATED_DESC: "UPDATED_DESC",
  NAME_ASC: "NAME_ASC",
  NAME_DESC: "NAME_DESC",
} as const;
export type DeploymentSort = (typeof DeploymentSort)[keyof typeof DeploymentSort];

export const LogSort = {
  TIMESTAMP_ASC: "TIMESTAMP_ASC",
  TIMESTAMP_DESC: "TIMESTAMP_DESC",
} as const;
export type LogSort = (typeof LogSort)[keyof typeof LogSort];

// ---------------------------------------------------------------------------------------------
// Criteria shared by several filters
// ---------------------------------------------------------------------------------------------

export interface AnyNotAny<T = string> {
  any_?: Maybe<T[]>;
  not_any_?: Maybe<T[]>;
}
export interface AnyLike {
  any_?: Maybe<string[]>;
  like_?: Maybe<string>;
}
export interface TimeRange {
  before_?: Maybe<string>;
  after_?: Maybe<string>;
}
export interface TimeRangeOrNull extends TimeRange {
  is_null_?: Maybe<boolean>;
}
export interface TagsFilter {
  operator?: Operator;
  all_?: Maybe<string[]>;
  any_?: Maybe<string[]>;
  is_null_?: Maybe<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Flows, flow runs, task runs, logs
// ---------------------------------------------------------------------------------------------

export interface FlowFilter {
  operator?: Operator;
  id?: Maybe<AnyNotAny>;
  deployment?: Maybe<{ operator?: Operator; is_null_?: Maybe<boolean> }>;
  name?: Maybe<AnyLike>;
  tags?: Maybe<Omit<TagsFilter, "any_">>;
}

export interface FlowRunStateFilter {
  operator?: Operator;
  type?: Maybe<AnyNotAny<StateType>>;
  name?: Maybe<AnyNotAny>;
}

export interface FlowRunFilter {
  operator?: Operator;
  id?: Maybe<AnyNotAny>;
  name?: Maybe<AnyLike>;
  tags?: Maybe<TagsFilter>;
  deployment_id?: Maybe<{ operator?: Operator; any_?: Maybe<string[]>; is_null_?: Maybe<boolean> }>;
  work_queue_name?: Maybe<{
    operator?: Operator;
    any_?: Maybe<string[]>;
    is_null_?: Maybe<boolean>;
  }>;
  state?: Maybe<FlowRunStateFilter>;
  flow_version?: Maybe<{ any_?: Maybe<string[]> }>;
  start_time?: Maybe<TimeRangeOrNull>;
  end_time?: Maybe<TimeRangeOrNull>;
  expected_start_time?: Maybe<TimeRange>;
  next_scheduled_start_time?: Maybe<TimeRange>;
  parent_flow_run_id?: Maybe<{ operator?: Operator; any_?: Maybe<string[]> }>;
  parent_task_run_id?: Maybe<{
    operator?: Operator;
    any_?: Maybe<string[]>;
    is_null_?: Maybe<boolean>;
  }>;
  idempotency_key?: Maybe<AnyNotAny>;
  created_by?: Maybe<{
    operator?: Operator;
    id_?: Maybe<string[]>;
    type_?: Maybe<string[]>;
    is_null_?: Maybe<boolean>;
  }>;
}

export interface TaskRunFilter {
  operator?: Operator;
  id?: Maybe<{ any_?: Maybe<string[]> }>;
  name?: Maybe<AnyLike>;
  tags?: Maybe<Omit<TagsFilter, "any_">>;
  state?: Maybe<{
    operator?: Operator;
    type?: Maybe<{ any_?: Maybe<StateType[]> }>;
    name?: Maybe<{ any_?: Maybe<string[]> }>;
  }>;
  start_time?: Maybe<TimeRangeOrNull>;
  end_time?: Maybe<TimeRangeOrNull>;
  expected_start_time?: Maybe<TimeRange>;
  subflow_runs?: Maybe<{ exists_?: Maybe<boolean> }>;
  /** `is_null_` defaults to false: `{}` keeps only task runs that belong to a flow run. */
  flow_run_id?: Maybe<{ operator?: Operator; any_?: Maybe<string[]>; is_null_?: Maybe<boolean> }>;
}

export interface LogFilter {
  operator?: Operator;
  level?: Maybe<{ ge_?: Maybe<number>; le_?: Maybe<number> }>;
  timestamp?: Maybe<TimeRange>;
  flow_run_id?: Maybe<{ any_?: Maybe<string[]> }>;
  task_run_id?: Maybe<{ any_?: Maybe<string[]>; is_null_?: Maybe<boolean> }>;
  /** Prefect's text search: `error -debug "connection timeout" +required`. */
  text?: Maybe<{ query: string }>;
}

// ---------------------------------------------------------------------------------------------
// Deployments, work pools and work queues (a run or deployment is in a pool through its queue)
// ---------------------------------------------------------------------------------------------

export interface DeploymentFilter {
  operator?: Operator;
  id?: Maybe<AnyNotAny>;
  name?: Maybe<AnyLike>;
  flow_or_deployment_name?: Maybe<{ like_?: Maybe<string> }>;
  paused?: Maybe<{ eq_?: Maybe<boolean> }>;
  tags?: Maybe<TagsFilter>;
  work_queue_name?: Maybe<{ any_?: Maybe<string[]> }>;
  /** Deprecated in Prefect, and ignored there. */
  concurrency_limit?: Maybe<{
    ge_?: Maybe<number>;
    le_?: Maybe<number>;
    is_null_?: Maybe<boolean>;
  }>;
}
export interface WorkPoolFilter {
  operator?: Operator;
  id?: Maybe<{ any_?: Maybe<string[]> }>;
  name?: Maybe<{ any_?: Maybe<string[]> }>;
  type?: Maybe<{ any_?: Maybe<string[]> }>;
}
export interface WorkQueueFilter {
  operator?: Operator;
  id?: Maybe<{ any_?: Maybe<string[]> }>;
  name?: Maybe<{ any_?: Maybe<string[]>; startswith_?: Maybe<string[]> }>;
}

// ---------------------------------------------------------------------------------------------
// What a listing selects: the criteria of `count`, plus sort and page for `filter`
// ---------------------------------------------------------------------------------------------

export interface TaskRunsQuery {
  flows?: Maybe<FlowFilter>;
  flow_runs?: Maybe<FlowRunFilter>;
  task_runs?: Maybe<TaskRunFilter>;
  deployments?: Maybe<DeploymentFilter>;
}
export interface FlowsQuery extends TaskRunsQuery {
  work_pools?: Maybe<WorkPoolFilter>;
}
export interface FlowRunsQuery extends FlowsQuery {
  work_pool_queues?: Maybe<WorkQueueFilter>;
}
/** What selects deployments: the criteria of `POST /deployments/count`. */
export type DeploymentsQuery = FlowRunsQuery;
export interface LogsQuery {
  logs?: Maybe<LogFilter>;
}

/** A page of a listing as asked for: unset parts take the resource's defaults. */
export interface PageRequest<S> {
  sort?: Maybe<S>;
  limit?: Maybe<number>;
  offset?: Maybe<number>;
}

/** A page with every part decided. */
export interface Page<S> {
  sort: S;
  limit: number;
  offset: number;
}

/** Each resource's default sort (Prefect's). */
export const DEFAULT_SORTS = {
  flows: FlowSort.NAME_ASC,
  flowRuns: FlowRunSort.ID_DESC,
  taskRuns: TaskRunSort.ID_DESC,
  logs: LogSort.TIMESTAMP_ASC,
  deployments: DeploymentSort.NAME_ASC,
} as const;

/**
 * The page `request` asks for, with `defaultSort` and Prefect's default limit and offset. A sort
 * that is not one of `sorts` (Prefect's enum for the resource) is a ValidationError, as the API's
 * 422 is.
 */
export function resolvePage<S extends string>(
  request: PageRequest<S>,
  defaultSort: S,
  sorts: Record<string, S>,
  maxLimit: number = DEFAULT_LIST_LIMIT,
): Page<S> {
  const sort = request.sort ?? defaultSort;
  if (!Object.values(sorts).includes(sort)) {
    throw new ValidationError(
      `unknown sort '${String(sort)}': use one of ${Object.values(sorts).join(", ")}`,
    );
  }
  const limit = request.limit ?? Math.min(DEFAULT_LIST_LIMIT, maxLimit);
  const offset = request.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > maxLimit) {
    throw new ValidationError(`limit must be an integer from 0 to ${maxLimit}, not ${limit}`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ValidationError(`offset must be an integer of 0 or more, not ${offset}`);
  }
  return { sort, limit, offset };
}

export type FlowsListing = FlowsQuery & PageRequest<FlowSort>;
export type FlowRunsListing = FlowRunsQuery & PageRequest<FlowRunSort>;
export type TaskRunsListing = TaskRunsQuery & PageRequest<TaskRunSort>;
export type LogsListing = LogsQuery & PageRequest<LogSort>;
export type DeploymentsListing = DeploymentsQuery & PageRequest<DeploymentSort>;

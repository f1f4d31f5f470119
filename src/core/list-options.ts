/**
 * The SDK's and CLI's shorthand for listing runs (`flowNames`, `stateTypes`, …), turned into
 * Prefect's filter grammar (`filters.ts`) in one place, so that both clients send and run the same
 * listing. Prefect's own criteria may be given alongside (`flow_runs`, `flows`, …): a shorthand
 * criterion sets its field of those filters.
 */
import {
  type FlowRunSort,
  FlowRunSort as FlowRunSorts,
  type FlowRunsListing,
  type FlowSort,
  FlowSort as FlowSorts,
  type FlowsListing,
  type LogSort,
  LogSort as LogSorts,
  type LogsListing,
  type TaskRunSort,
  TaskRunSort as TaskRunSorts,
  type TaskRunsListing,
} from "./filters.ts";
import type { StateType } from "./state-types.ts";

export interface FlowListOptions extends Omit<FlowsListing, "sort"> {
  /** Flows whose name contains this (case-insensitive). */
  nameLike?: string;
  /** Default `CREATED_DESC`: newest first. */
  sort?: FlowSort;
}

export interface FlowRunListOptions extends Omit<FlowRunsListing, "sort"> {
  flowIds?: string[];
  flowNames?: string[];
  stateTypes?: StateType[];
  stateNames?: string[];
  parentTaskRunIds?: string[];
  ids?: string[];
  /** Default `EXPECTED_START_TIME_DESC`. */
  sort?: FlowRunSort;
}

export interface TaskRunListOptions extends Omit<TaskRunsListing, "sort"> {
  flowRunIds?: string[];
  stateTypes?: StateType[];
  stateNames?: string[];
  ids?: string[];
  /** Default `EXPECTED_START_TIME_DESC`. */
  sort?: TaskRunSort;
}

export interface LogListOptions extends LogsListing {
  flowRunId?: string;
  taskRunId?: string;
  minLevel?: number;
  /** Shorthand for `sort`: `asc` (`TIMESTAMP_ASC`, the default: oldest first) or `desc`. */
  order?: "asc" | "desc";
  /** Prefect's sort; wins over `order`. */
  sort?: LogSort;
}

const any = <T>(values: T[]) => ({ any_: values });

/** A filter with the shorthand's fields set over the given one's (undefined when empty). */
function merged<F extends object>(given: F | null | undefined, fields: Partial<F>): F | undefined {
  const set = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (set.length === 0) return given ?? undefined;
  return { ...given, ...Object.fromEntries(set) } as F;
}

/**
 * A run's state criterion with the shorthand's types and names set over the given one's (a given
 * `type` stays when only `stateNames` is given, and the other way round).
 */
function stateCriterion<S extends { type?: unknown; name?: unknown }>(
  given: S | null | undefined,
  stateTypes: StateType[] | undefined,
  stateNames: string[] | undefined,
): S | undefined {
  return merged(given, {
    type: stateTypes ? any(stateTypes) : undefined,
    name: stateNames ? any(stateNames) : undefined,
  } as Partial<S>);
}

export function flowsListing(o: FlowListOptions = {}): FlowsListing {
  const { nameLike, sort, ...rest } = o;
  return {
    ...rest,
    flows: merged(rest.flows, { name: nameLike === undefined ? undefined : { like_: nameLike } }),
    sort: sort ?? FlowSorts.CREATED_DESC,
  };
}

export function flowRunsListing(o: FlowRunListOptions = {}): FlowRunsListing {
  const { flowIds, flowNames, stateTypes, stateNames, parentTaskRunIds, ids, sort, ...rest } = o;
  return {
    ...rest,
    flow_runs: merged(rest.flow_runs, {
      id: ids ? any(ids) : undefined,
      parent_task_run_id: parentTaskRunIds ? any(parentTaskRunIds) : undefined,
      state: stateCriterion(rest.flow_runs?.state, stateTypes, stateNames),
    }),
    flows: merged(rest.flows, {
      id: flowIds ? any(flowIds) : undefined,
      name: flowNames ? any(flowNames) : undefined,
    }),
    sort: sort ?? FlowRunSorts.EXPECTED_START_TIME_DESC,
  };
}

export function taskRunsListing(o: TaskRunListOptions = {}): TaskRunsListing {
  const { flowRunIds, stateTypes, stateNames, ids, sort, ...rest } = o;
  return {
    ...rest,
    task_runs: merged(rest.task_runs, {
      id: ids ? any(ids) : undefined,
      state: stateCriterion(rest.task_runs?.state, stateTypes, stateNames),
    }),
    flow_runs: merged(rest.flow_runs, { id: flowRunIds ? any(flowRunIds) : undefined }),
    sort: sort ?? TaskRunSorts.EXPECTED_START_TIME_DESC,
  };
}

export function logsListing(o: LogListOptions = {}): LogsListing {
  const { flowRunId, taskRunId, minLevel, order, sort, ...rest } = o;
  return {
    ...rest,
    logs: merged(rest.logs, {
      flow_run_id: flowRunId === undefined ? undefined : any([flowRunId]),
      task_run_id: taskRunId === undefined ? undefined : any([taskRunId]),
      level: minLevel === undefined ? undefined : { ge_: minLevel },
    }),
    sort: sort ?? (order === "desc" ? LogSorts.TIMESTAMP_DESC : LogSorts.TIMESTAMP_ASC),
  };
}

/** The criteria of a listing, without its sort and page (what `count` takes). */
export function criteriaOf<L extends { sort?: unknown; limit?: unknown; offset?: unknown }>(
  listing: L,
): Omit<L, "sort" | "limit" | "offset"> {
  const { sort: _sort, limit: _limit, offset: _offset, ...criteria } = listing;
  return criteria;
}

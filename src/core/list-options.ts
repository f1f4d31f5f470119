/** Options for listing runs: the subset of Prefect's filters the SDK and CLI need directly. */
import type { StateType } from "./state-types.ts";

export const FLOW_RUN_SORTS = {
  START_TIME_DESC: ["start_time", "desc"],
  START_TIME_ASC: ["start_time", "asc"],
  EXPECTED_START_TIME_DESC: ["expected_start_time", "desc"],
  EXPECTED_START_TIME_ASC: ["expected_start_time", "asc"],
  NAME_ASC: ["name", "asc"],
  NAME_DESC: ["name", "desc"],
  END_TIME_DESC: ["end_time", "desc"],
  CREATED_DESC: ["created", "desc"],
  ID_DESC: ["id", "desc"],
} as const;
export type FlowRunSort = keyof typeof FLOW_RUN_SORTS;

export const TASK_RUN_SORTS = {
  EXPECTED_START_TIME_DESC: ["expected_start_time", "desc"],
  EXPECTED_START_TIME_ASC: ["expected_start_time", "asc"],
  START_TIME_DESC: ["start_time", "desc"],
  START_TIME_ASC: ["start_time", "asc"],
  NAME_ASC: ["name", "asc"],
  NAME_DESC: ["name", "desc"],
  END_TIME_DESC: ["end_time", "desc"],
  ID_DESC: ["id", "desc"],
} as const;
export type TaskRunSort = keyof typeof TASK_RUN_SORTS;

export interface FlowListOptions {
  limit?: number;
  offset?: number;
  nameLike?: string;
}

export interface FlowRunListOptions {
  flowIds?: string[];
  flowNames?: string[];
  stateTypes?: StateType[];
  stateNames?: string[];
  parentTaskRunIds?: string[];
  ids?: string[];
  limit?: number;
  offset?: number;
  sort?: FlowRunSort;
}

export interface TaskRunListOptions {
  flowRunIds?: string[];
  stateTypes?: StateType[];
  stateNames?: string[];
  ids?: string[];
  limit?: number;
  offset?: number;
  sort?: TaskRunSort;
}

export interface LogListOptions {
  flowRunId?: string;
  taskRunId?: string;
  minLevel?: number;
  limit?: number;
  offset?: number;
  order?: "asc" | "desc";
}

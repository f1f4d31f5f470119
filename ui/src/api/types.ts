/** Names for the Prefect 3 API schemas the UI uses (generated from the OpenAPI contract). */
import type { components } from "./prefect.d.ts";
import type { components as uiComponents } from "./prefect-ui-routes.d.ts";

type S = components["schemas"];
export type StateType = S["StateType"];
export type State = S["State"];
export type Flow = S["Flow"];
export type FlowRun = S["FlowRunResponse"];
export type TaskRun = S["TaskRun"];
export type Log = S["Log"];
export type FlowRunGraph = S["Graph"];
export type GraphNode = S["Node"];
export type HistoryInterval = S["HistoryResponse"];
export type OrchestrationResult = S["OrchestrationResult"];
export type FlowRunFilter = S["FlowRunFilter"];
export type TaskRunFilter = S["TaskRunFilter"];
export type FlowFilter = S["FlowFilter"];
export type FlowRunSort = S["FlowRunSort"];
export type TaskRunSort = S["TaskRunSort"];
/** A global limit (`/v2/concurrency_limits/…`); tag limits are among them as `tag:<tag>`. */
export type GlobalConcurrencyLimit = S["GlobalConcurrencyLimitResponse"];
export type GlobalConcurrencyLimitCreate = S["ConcurrencyLimitV2Create"];
export type GlobalConcurrencyLimitUpdate = S["ConcurrencyLimitV2Update"];
/** A task-run tag limit (`/concurrency_limits/…`): `active_slots` are the task runs holding it. */
export type TagConcurrencyLimit = S["ConcurrencyLimit"];
export type TagConcurrencyLimitCreate = S["ConcurrencyLimitCreate"];
export type ConcurrencyLeaseHolder = S["ConcurrencyLeaseHolder"];
export type Deployment = S["DeploymentResponse"];
export type DeploymentSchedule = S["DeploymentSchedule"];
export type DeploymentScheduleCreate = S["DeploymentScheduleCreate"];
export type DeploymentScheduleUpdate = S["DeploymentScheduleUpdate"];
export type DeploymentFlowRunCreate = S["DeploymentFlowRunCreate"];
export type DeploymentSort = S["DeploymentSort"];
export type CronSchedule = S["CronSchedule"];
export type IntervalSchedule = S["IntervalSchedule"];
export type RRuleSchedule = S["RRuleSchedule"];
export type Schedule = CronSchedule | IntervalSchedule | RRuleSchedule;
export type SimpleFlowRun = uiComponents["schemas"]["SimpleFlowRun"];

/** A page of `POST /flow_runs/paginate` and the like. */
export interface Paginated<T> {
  results: T[];
  count: number;
  limit: number;
  pages: number;
  page: number;
}

/** `GET /ui-settings`, as Prefect's UI server answers it. */
export interface UiSettings {
  api_url: string;
  csrf_enabled: boolean;
  auth: string | null;
  flags: string[];
}

export const STATE_TYPES: StateType[] = [
  "SCHEDULED",
  "PENDING",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "CRASHED",
  "PAUSED",
  "CANCELLING",
];

export const TERMINAL_STATES: ReadonlySet<StateType> = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "CRASHED",
]);

/**
 * Deployments through a client: create (upsert by flow and name), read, list, update, delete,
 * pause and resume, run, schedules, and the poll of a serving process. Options are camelCase;
 * what is sent is Prefect's wire (snake_case) and what comes back is the wire record
 * (`Deployment`, `FlowRun`). `HttpDeployments` speaks Prefect's `/deployments` API; the embedded
 * client calls the same models over the local database (`embedded/embedded-deployments.ts`).
 */
import type {
  ConcurrencyOptions,
  Deployment,
  DeploymentCreate,
  DeploymentFlowRunCreate,
  DeploymentSchedule,
  DeploymentUpdate,
} from "../core/deployments.ts";
import { ValidationError } from "../core/errors.ts";
import type {
  DeploymentFilter,
  DeploymentSort,
  DeploymentsListing,
  DeploymentsQuery,
} from "../core/filters.ts";
import type { FlowRun } from "../core/runs.ts";
import type { StateCreate } from "../core/state.ts";
import type { HttpTransport } from "./http-transport.ts";

/** A schedule as given: cron, interval (seconds) or rrule, with its options. */
export type ScheduleInput =
  | { cron: string; timezone?: string | null; day_or?: boolean }
  | { interval: number | string; anchor_date?: string; timezone?: string | null }
  | { rrule: string; timezone?: string | null };

export interface DeploymentScheduleOptions {
  schedule: ScheduleInput;
  /** Default true. */
  active?: boolean;
  /** At most this many runs scheduled ahead (up to `PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS`). */
  maxScheduledRuns?: number | null;
  /** Parameters of this schedule's runs, over the deployment's. */
  parameters?: Record<string, unknown>;
  slug?: string | null;
}

/** A deployment to create (or update, when its flow has one of that name). */
export interface DeploymentCreateOptions {
  name: string;
  flowId: string;
  paused?: boolean;
  schedules?: DeploymentScheduleOptions[];
  parameters?: Record<string, unknown>;
  /** The JSON Schema of the flow's parameters (runs are checked against it when enforced). */
  parameterOpenapiSchema?: Record<string, unknown> | null;
  /** Default true. */
  enforceParameterSchema?: boolean;
  tags?: string[];
  labels?: Record<string, string | number | boolean>;
  description?: string | null;
  version?: string | null;
  /** `path/to/file.ts:exportName`. */
  entrypoint?: string | null;
  path?: string | null;
  pullSteps?: Record<string, unknown>[] | null;
  workPoolName?: string | null;
  workQueueName?: string | null;
  jobVariables?: Record<string, unknown>;
  concurrencyLimit?: number | null;
  concurrencyOptions?: ConcurrencyOptions | null;
}

/** The fields of a deployment to change (`schedules` replaces them all). */
export interface DeploymentUpdateOptions {
  paused?: boolean;
  schedules?: DeploymentScheduleOptions[];
  parameters?: Record<string, unknown>;
  parameterOpenapiSchema?: Record<string, unknown> | null;
  enforceParameterSchema?: boolean;
  tags?: string[];
  description?: string | null;
  version?: string | null;
  entrypoint?: string | null;
  path?: string | null;
  pullSteps?: Record<string, unknown>[] | null;
  workPoolName?: string | null;
  workQueueName?: string | null;
  jobVariables?: Record<string, unknown>;
  concurrencyLimit?: number | null;
  concurrencyOptions?: ConcurrencyOptions | null;
}

export interface DeploymentScheduleUpdateOptions {
  schedule?: ScheduleInput;
  active?: boolean;
  maxScheduledRuns?: number | null;
  parameters?: Record<string, unknown>;
  slug?: string | null;
}

/** A run of a deployment: its parameters go over the deployment's. */
export interface DeploymentRunOptions {
  parameters?: Record<string, unknown>;
  name?: string;
  /** Default: Scheduled now. */
  state?: StateCreate;
  /** Added to the deployment's tags. */
  tags?: string[];
  labels?: Record<string, string | number | boolean>;
  idempotencyKey?: string;
  /** The task run of a parent flow run this run is a subflow of. */
  parentTaskRunId?: string;
  /** Override the deployment's choice of checking the parameters. */
  enforceParameterSchema?: boolean;
  workQueueName?: string;
  jobVariables?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export interface DeploymentListOptions {
  /** Deployments of these flows. */
  flowNames?: string[];
  /** Deployments of these names. */
  names?: string[];
  /** Deployments or flows whose name contains this (any case). */
  nameLike?: string;
  /** Deployments with all these tags. */
  tags?: string[];
  paused?: boolean;
  /** More criteria, as Prefect's `DeploymentFilter`. */
  filter?: DeploymentFilter;
  sort?: DeploymentSort;
  limit?: number;
  offset?: number;
}

export interface ScheduledRunsOptions {
  deploymentIds: readonly string[];
  /** Runs due before this time (ISO 8601); all Scheduled runs when left out. */
  scheduledBefore?: string;
  limit?: number;
}

export interface DeploymentsApi {
  /** Create a deployment, or update the one of its flow with that name. */
  create(options: DeploymentCreateOptions): Promise<Deployment>;
  /** By id; throws `ObjectNotFoundError("Deployment not found")` when there is none. */
  read(id: string): Promise<Deployment>;
  /** By `flow-name/deployment-name`; `ObjectNotFoundError` when there is none. */
  readByName(name: string): Promise<Deployment>;
  list(options?: DeploymentListOptions): Promise<Deployment[]>;
  count(options?: DeploymentListOptions): Promise<number>;
  update(id: string, options: DeploymentUpdateOptions): Promise<void>;
  delete(id: string): Promise<void>;
  /** The scheduler skips it; its scheduled runs not started are deleted. */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /**
   * A run of the deployment (Scheduled now unless a state is given). Parameters that do not match
   * an enforced schema: `ConflictError` with Prefect's message naming the field.
   */
  createFlowRun(id: string, options?: DeploymentRunOptions): Promise<FlowRun>;
  readSchedules(id: string): Promise<DeploymentSchedule[]>;
  createSchedules(
    id: string,
    schedules: readonly DeploymentScheduleOptions[],
  ): Promise<DeploymentSchedule[]>;
  updateSchedule(
    id: string,
    scheduleId: string,
    options: DeploymentScheduleUpdateOptions,
  ): Promise<void>;
  deleteSchedule(id: string, scheduleId: string): Promise<void>;
  /** What a serving process polls: Scheduled runs of these deployments, soonest first. */
  readScheduledFlowRuns(options: ScheduledRunsOptions): Promise<FlowRun[]>;
}

// ---------------------------------------------------------------------------------------------
// camelCase options → the wire
// ---------------------------------------------------------------------------------------------

/** `flow/deployment` → its two names; a `ValidationError` without the slash, as Prefect. */
export function splitDeploymentName(name: string): { flowName: string; deploymentName: string } {
  const slash = name.indexOf("/");
  if (slash <= 0 || slash === name.length - 1) {
    throw new ValidationError(
      `Invalid deployment name '${name}': give it as <FLOW_NAME>/<DEPLOYMENT_NAME>.`,
    );
  }
  return { flowName: name.slice(0, slash), deploymentName: name.slice(slash + 1) };
}

type Wire<T> = { -readonly [K in keyof T]: T[K] };

function defined<T extends object>(value: T): Wire<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Wire<T>;
}

/** A schedule option as `DeploymentScheduleCreate` on the wire (the schedule as given). */
export function wireSchedule(s: DeploymentScheduleOptions) {
  return defined({
    schedule: s.schedule,
    active: s.active,
    max_scheduled_runs: s.maxScheduledRuns,
    parameters: s.parameters,
    slug: s.slug,
  });
}

export function wireScheduleUpdate(s: DeploymentScheduleUpdateOptions) {
  return defined({
    schedule: s.schedule,
    active: s.active,
    max_scheduled_runs: s.maxScheduledRuns,
    parameters: s.parameters,
    slug: s.slug,
  });
}

/** `DeploymentCreate` as sent (schedules as given: the server, or the embedded client, checks them). */
export function wireCreate(o: DeploymentCreateOptions) {
  return defined({
    name: o.name,
    flow_id: o.flowId,
    paused: o.paused,
    schedules: o.schedules?.map(wireSchedule),
    parameters: o.parameters,
    parameter_openapi_schema: o.parameterOpenapiSchema,
    enforce_parameter_schema: o.enforceParameterSchema,
    tags: o.tags,
    labels: o.labels,
    description: o.description,
    version: o.version,
    entrypoint: o.entrypoint,
    path: o.path,
    pull_steps: o.pullSteps,
    work_pool_name: o.workPoolName,
    work_queue_name: o.workQueueName,
    job_variables: o.jobVariables,
    concurrency_limit: o.concurrencyLimit,
    concurrency_options: o.concurrencyOptions,
  });
}

export function wireUpdate(o: DeploymentUpdateOptions) {
  return defined({
    paused: o.paused,
    schedules: o.schedules?.map(wireSchedule),
    parameters: o.parameters,
    parameter_openapi_schema: o.parameterOpenapiSchema,
    enforce_parameter_schema: o.enforceParameterSchema,
    tags: o.tags,
    description: o.description,
    version: o.version,
    entrypoint: o.entrypoint,
    path: o.path,
    pull_steps: o.pullSteps,
    work_pool_name: o.workPoolName,
    work_queue_name: o.workQueueName,
    job_variables: o.jobVariables,
    concurrency_limit: o.concurrencyLimit,
    concurrency_options: o.concurrencyOptions,
  });
}

/** `DeploymentFlowRunCreate` as sent. */
export function wireRun(o: DeploymentRunOptions = {}): DeploymentFlowRunCreate {
  return defined({
    parameters: o.parameters ?? {},
    name: o.name,
    state: o.state ? wireState(o.state) : undefined,
    tags: o.tags,
    labels: o.labels,
    idempotency_key: o.idempotencyKey,
    parent_task_run_id: o.parentTaskRunId,
    enforce_parameter_schema: o.enforceParameterSchema,
    work_queue_name: o.workQueueName,
    job_variables: o.jobVariables,
    context: o.context,
  });
}

function wireState(state: StateCreate): StateCreate {
  const { id: _id, timestamp: _timestamp, ...rest } = state;
  return rest;
}

/** The listing of `POST /deployments/filter` for these options. */
export function deploymentsListing(o: DeploymentListOptions = {}): DeploymentsListing {
  const deployments: DeploymentFilter = { ...o.filter };
  if (o.names) deployments.name = { ...deployments.name, any_: o.names };
  if (o.nameLike !== undefined) deployments.flow_or_deployment_name = { like_: o.nameLike };
  if (o.tags) deployments.tags = { all_: o.tags };
  if (o.paused !== undefined) deployments.paused = { eq_: o.paused };
  const listing: DeploymentsListing = {};
  if (Object.keys(deployments).length > 0) listing.deployments = deployments;
  if (o.flowNames) listing.flows = { name: { any_: o.flowNames } };
  if (o.sort) listing.sort = o.sort;
  if (o.limit !== undefined) listing.limit = o.limit;
  if (o.offset !== undefined) listing.offset = o.offset;
  return listing;
}

/** The criteria of a listing (what `count` takes). */
export function deploymentsQuery(o: DeploymentListOptions = {}): DeploymentsQuery {
  const { sort: _s, limit: _l, offset: _o, ...query } = deploymentsListing(o);
  return query;
}

export type { DeploymentCreate, DeploymentUpdate };

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

const encode = encodeURIComponent;

export class HttpDeployments implements DeploymentsApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  create(options: DeploymentCreateOptions): Promise<Deployment> {
    return this.#http.request("POST", "/deployments/", wireCreate(options));
  }
  read(id: string): Promise<Deployment> {
    return this.#http.request("GET", `/deployments/${encode(id)}`);
  }
  readByName(name: string): Promise<Deployment> {
    const { flowName, deploymentName } = splitDeploymentName(name);
    return this.#http.request(
      "GET",
      `/deployments/name/${encode(flowName)}/${encode(deploymentName)}`,
    );
  }
  list(options: DeploymentListOptions = {}): Promise<Deployment[]> {
    return this.#http.request("POST", "/deployments/filter", deploymentsListing(options));
  }
  count(options: DeploymentListOptions = {}): Promise<number> {
    return this.#http.request("POST", "/deployments/count", deploymentsQuery(options));
  }
  async update(id: string, options: DeploymentUpdateOptions): Promise<void> {
    await this.#http.request("PATCH", `/deployments/${encode(id)}`, wireUpdate(options));
  }
  async delete(id: string): Promise<void> {
    await this.#http.request("DELETE", `/deployments/${encode(id)}`);
  }
  async pause(id: string): Promise<void> {
    await this.#http.request("POST", `/deployments/${encode(id)}/pause_deployment`);
  }
  async resume(id: string): Promise<void> {
    await this.#http.request("POST", `/deployments/${encode(id)}/resume_deployment`);
  }
  async createFlowRun(id: string, options: DeploymentRunOptions = {}): Promise<FlowRun> {
    return withStateTimestamp(
      await this.#http.request<FlowRun>(
        "POST",
        `/deployments/${encode(id)}/create_flow_run`,
        wireRun(options),
      ),
    );
  }
  readSchedules(id: string): Promise<DeploymentSchedule[]> {
    return this.#http.request("GET", `/deployments/${encode(id)}/schedules`);
  }
  createSchedules(
    id: string,
    schedules: readonly DeploymentScheduleOptions[],
  ): Promise<DeploymentSchedule[]> {
    return this.#http.request(
      "POST",
      `/deployments/${encode(id)}/schedules`,
      schedules.map(wireSchedule),
    );
  }
  async updateSchedule(
    id: string,
    scheduleId: string,
    options: DeploymentScheduleUpdateOptions,
  ): Promise<void> {
    await this.#http.request(
      "PATCH",
      `/deployments/${encode(id)}/schedules/${encode(scheduleId)}`,
      wireScheduleUpdate(options),
    );
  }
  async deleteSchedule(id: string, scheduleId: string): Promise<void> {
    await this.#http.request(
      "DELETE",
      `/deployments/${encode(id)}/schedules/${encode(scheduleId)}`,
    );
  }
  async readScheduledFlowRuns(options: ScheduledRunsOptions): Promise<FlowRun[]> {
    const runs = await this.#http.request<FlowRun[]>(
      "POST",
      "/deployments/get_scheduled_flow_runs",
      defined({
        deployment_ids: [...options.deploymentIds],
        scheduled_before: options.scheduledBefore,
        limit: options.limit,
      }),
    );
    return runs.map(withStateTimestamp);
  }
}

/** A run as answered, with `state_timestamp` (which Prefect's wire leaves out). */
function withStateTimestamp(run: FlowRun): FlowRun {
  run.state_timestamp = run.state?.timestamp ?? null;
  return run;
}

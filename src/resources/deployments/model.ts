/**
 * Deployments in the models layer (Prefect's `models/deployments.py` and the rules of
 * `api/deployments.py`): what both transports do with deployments and their schedules.
 *
 * Interface (for `serve()`, `runDeployment`, `flow-run execute`, `prefect.yaml` and the UI):
 *
 * - `createDeployment(ctx, DeploymentCreate)` → `{ deployment, created }`: upsert by flow id and
 *   name. A `work_pool_name` must name a pool (404 `Work pool "x" not found.`); the deployment is
 *   linked to its queue `work_queue_name` (made when missing) or its default queue
 *   (`work_queue_id`), and its `job_variables` are held to the pool's template (422). On upsert the fields given replace the stored ones, the schedules are replaced, and the
 *   deployment's future auto-scheduled runs are deleted (the scheduler makes them again).
 * - `readDeployment(ctx, id)`, `readDeploymentByName(ctx, flowName, name)`, `filterDeployments`,
 *   `countDeployments`: reads; `status` is READY while `last_polled` is under 60 s old.
 * - `updateDeployment(ctx, id, DeploymentUpdate)`, `deleteDeployment(ctx, id)`,
 *   `pauseDeployment` / `resumeDeployment` (pausing deletes its auto-scheduled runs not started).
 * - `createFlowRunFromDeployment(ctx, id, DeploymentFlowRunCreate)` → `{ flowRun, created }`:
 *   parameters over the deployment's, checked against `parameter_openapi_schema` when enforced
 *   (a `ConflictError` with Prefect's message naming the field, nothing created); the run is
 *   Scheduled now unless a state is given, and carries the deployment's id, version, tags, work
 *   queue and pool (ids and names) and labels; its `job_variables` over the deployment's are held
 *   to the pool's template (422 `Error creating flow run: …`).
 * - `readDeploymentSchedules`, `createDeploymentSchedules`, `updateDeploymentSchedule`,
 *   `deleteDeploymentSchedule`: changing or deleting a schedule deletes the deployment's
 *   auto-scheduled runs not started (the scheduler makes them again).
 * - `readScheduledFlowRuns(ctx, { deploymentIds, scheduledBefore, limit })`: what a serving
 *   process polls (Scheduled runs due before the time, soonest first); marks the deployments
 *   polled (READY).
 * - `scheduleDeploymentRuns(ctx, id, window?)`: create the scheduled runs the schedules want now
 *   (what the scheduler service does for each deployment), idempotently.
 */
import {
  type Deployment,
  type DeploymentCreate,
  type DeploymentFlowRunCreate,
  type DeploymentSchedule,
  type DeploymentScheduleCreate,
  type DeploymentScheduleUpdate,
  DeploymentStatus,
  type DeploymentUpdate,
} from "../../core/deployments.ts";
import { ConflictError, InvalidRequestError, ObjectNotFoundError } from "../../core/errors.ts";
import {
  DEFAULT_LIST_LIMIT,
  DEFAULT_SORTS,
  DeploymentSort,
  type DeploymentsListing,
  type DeploymentsQuery,
  FlowRunSort,
  resolvePage,
} from "../../core/filters.ts";
import { uuid4 } from "../../core/ids.ts";
import type { FlowRun } from "../../core/runs.ts";
import type { SchedulingWindow } from "../../core/schedules/scheduler-rules.ts";
import { StateType } from "../../core/state-types.ts";
import { addSeconds } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import type { Db } from "../../storage/database.ts";
import { isForeignKeyViolation, isUniqueViolation } from "../../storage/database-errors.ts";
import { createFlowRun, filterFlowRuns } from "../flow-runs/model.ts";
import {
  checkDeploymentJobVariables,
  checkFlowRunJobVariables,
} from "../work-pools/job-variables.ts";
import { readQueueWithPool, resolveWorkQueue } from "../work-pools/model.ts";
import { CircularSchemaError, parameterProblem } from "./parameter-validation.ts";
import * as deployments from "./queries.ts";

/**
 * The scheduler's queries and rules, with the cron and RRule libraries they compute run times
 * with: loaded by what schedules runs, not by every process that reads deployments.
 */
const scheduling = async () => {
  const [queries, rules] = await Promise.all([
    import("./scheduler-queries.ts"),
    import("../../core/schedules/scheduler-rules.ts"),
  ]);
  return { ...queries, schedulingWindow: rules.schedulingWindow };
};

const notFound = () => new ObjectNotFoundError("Deployment not found");
/** Prefect's PATCH and schedule routes end theirs with a period. */
const notFoundDot = () => new ObjectNotFoundError("Deployment not found.");

/** The work queue a deployment of a work pool gets when it names none (Prefect's). */
const DEFAULT_WORK_QUEUE = "default";

/** `max_scheduled_runs` of a schedule may not exceed this. */
function maxScheduledRunsLimit(ctx: AppContext): number {
  return ctx.settings.deploymentScheduleMaxScheduledRuns;
}

function checkMaxScheduledRuns(ctx: AppContext, value: number | null | undefined): void {
  const limit = maxScheduledRunsLimit(ctx);
  if (value != null && value > limit) {
    throw new InvalidRequestError(
      `max_scheduled_runs must be at most ${limit} (PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS), not ${value}`,
    );
  }
}

function newSchedule(
  deploymentId: string,
  input: DeploymentScheduleCreate,
  now: string,
): DeploymentSchedule {
  return {
    id: uuid4(),
    created: now,
    updated: now,
    deployment_id: deploymentId,
    schedule: input.schedule,
    active: input.active ?? true,
    max_scheduled_runs: input.max_scheduled_runs ?? null,
    parameters: input.parameters ?? {},
    slug: input.slug ?? null,
  };
}

/** A unique violation on schedule slugs, in Prefect's words. */
function slugConflict(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new ConflictError("Schedule slugs must be unique within a deployment.");
  }
  throw error;
}

// ---------------------------------------------------------------------------------------------
// Deployments
// ---------------------------------------------------------------------------------------------

/**
 * Create a deployment, or update the one of that flow and name (`created: false`): the fields
 * given replace the stored ones, its schedules are replaced by those given, and its future
 * auto-scheduled runs are deleted. Unknown flow → ObjectNotFoundError.
 */
export async function createDeployment(
  ctx: AppContext,
  input: DeploymentCreate,
): Promise<{ deployment: Deployment; created: boolean }> {
  for (const s of input.schedules ?? []) checkMaxScheduledRuns(ctx, s.max_scheduled_runs);
  const now = ctx.clock.nowIso();
  try {
    return await inTransaction(ctx, async ({ db }) => {
      const flow = await db
        .selectFrom("flow")
        .select(["id", "labels"])
        .where("id", "=", input.flow_id)
        .executeTakeFirst();
      if (!flow) throw new ObjectNotFoundError("Flow not found");
      const flowLabels = ctx.database.dialect.fromJson<Record<string, unknown>>(flow.labels) ?? {};
      const labels = {
        ...flowLabels,
        "prefect.flow.id": input.flow_id,
        ...(input.labels ?? {}),
      };
      const workPool = input.work_pool_name ?? null;
      let workQueue = input.work_queue_name ?? (workPool ? DEFAULT_WORK_QUEUE : null);
      let workQueueId: string | null = null;
      if (workPool) {
        // Prefect's: the pool must exist (404), the queue is made when missing, and the job
        // variables are held to the pool's template
        const { pool, queue } = await resolveWorkQueue(ctx, db, workPool, input.work_queue_name);
        await checkDeploymentJobVariables(
          ctx.database.dialect.fromJson(pool.base_job_template),
          input.job_variables,
          true,
        );
        workQueue = queue.name;
        workQueueId = queue.id;
      }
      const existing = await deployments.readDeploymentOfFlow(
        ctx.database,
        input.flow_id,
        input.name,
        now,
        db,
      );
      let deployment: Deployment;
      let created: boolean;
      if (!existing) {
        deployment = {
          id: uuid4(),
          created: now,
          updated: now,
          name: input.name,
          version: input.version ?? null,
          description: input.description ?? null,
          flow_id: input.flow_id,
          paused: input.paused ?? false,
          schedules: [],
          concurrency_limit: input.concurrency_limit ?? null,
          concurrency_options: input.concurrency_options ?? null,
          job_variables: input.job_variables ?? {},
          parameters: input.parameters ?? {},
          tags: input.tags ?? [],
          labels,
          work_queue_name: workQueue,
          work_queue_id: workQueueId,
          last_polled: null,
          parameter_openapi_schema: input.parameter_openapi_schema ?? null,
          path: input.path ?? null,
          pull_steps: input.pull_steps ?? [],
          entrypoint: input.entrypoint ?? null,
          storage_document_id: input.storage_document_id ?? null,
          infrastructure_document_id: input.infrastructure_document_id ?? null,
          created_by: input.created_by ?? null,
          updated_by: input.created_by ?? null,
          work_pool_name: workPool,
          status: DeploymentStatus.NOT_READY,
          enforce_parameter_schema: input.enforce_parameter_schema ?? true,
        };
        if (!(await deployments.insertDeployment(ctx.database, db, deployment))) {
          // taken meanwhile (PostgreSQL): the caller's retry finds it and updates it
          throw new ConflictError();
        }
        created = true;
      } else {
        deployment = mergeCreate(existing, input, labels, workQueue, now);
        if (input.work_pool_name !== undefined || input.work_queue_name !== undefined) {
          deployment.work_queue_id = workQueueId;
        }
        await deployments.updateDeployment(ctx.database, db, deployment);
        await deployments.deleteScheduledRuns(ctx.database, db, deployment.id, {
          autoScheduledOnly: true,
          futureAfter: now,
        });
        await deployments.deleteSchedulesOf(db, deployment.id);
        created = false;
      }
      const schedules = (input.schedules ?? []).map((s) => newSchedule(deployment.id, s, now));
      await deployments.insertSchedules(ctx.database, db, schedules).catch(slugConflict);
      deployment.schedules = await readSchedulesIn(ctx, db, deployment.id);
      return { deployment, created };
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new ObjectNotFoundError("Flow not found");
    if (
      error instanceof ConflictError &&
      error.message !== "Schedule slugs must be unique within a deployment."
    ) {
      // another writer created it first: this create updates theirs
      return createDeployment(ctx, input);
    }
    throw error;
  }
}

/** An existing deployment with the fields a create gives (Prefect's `exclude_unset` upsert). */
function mergeCreate(
  existing: Deployment,
  input: DeploymentCreate,
  labels: Record<string, unknown>,
  workQueue: string | null,
  now: string,
): Deployment {
  const d: Deployment = { ...existing, updated: now, labels };
  const set = <K extends keyof DeploymentCreate & keyof Deployment>(key: K) => {
    if (input[key] !== undefined) (d as unknown as Record<string, unknown>)[key] = input[key];
  };
  for (const key of [
    "version",
    "description",
    "paused",
    "concurrency_limit",
    "concurrency_options",
    "job_variables",
    "parameters",
    "tags",
    "parameter_openapi_schema",
    "path",
    "pull_steps",
    "entrypoint",
    "storage_document_id",
    "infrastructure_document_id",
    "work_pool_name",
    "enforce_parameter_schema",
  ] as const) {
    set(key);
  }
  if (input.work_queue_name !== undefined || input.work_pool_name !== undefined) {
    d.work_queue_name = workQueue;
  }
  if (input.created_by !== undefined) d.updated_by = input.created_by;
  d.job_variables ??= {};
  d.parameters ??= {};
  d.tags ??= [];
  return d;
}

async function readSchedulesIn(ctx: AppContext, db: Db, id: string) {
  return (await deployments.readSchedulesOf(ctx.database, [id], db)).get(id) ?? [];
}

export async function readDeployment(ctx: AppContext, id: string): Promise<Deployment> {
  return (
    (await deployments.readDeployment(ctx.database, id, ctx.clock.nowIso())) ??
    Promise.reject(notFound())
  );
}

/** The deployment `flowName/name`; ObjectNotFoundError("Deployment not found") when none. */
export async function readDeploymentByName(
  ctx: AppContext,
  flowName: string,
  name: string,
): Promise<Deployment> {
  return (
    (await deployments.readDeploymentByName(ctx.database, flowName, name, ctx.clock.nowIso())) ??
    Promise.reject(notFound())
  );
}

export async function filterDeployments(
  ctx: AppContext,
  listing: DeploymentsListing = {},
): Promise<Deployment[]> {
  return deployments.filterDeployments(
    ctx.database,
    { ...listing, ...resolvePage(listing, DEFAULT_SORTS.deployments, DeploymentSort) },
    ctx.clock.nowIso(),
  );
}

export async function countDeployments(
  ctx: AppContext,
  query: DeploymentsQuery = {},
): Promise<number> {
  return deployments.countDeployments(ctx.database, query);
}

/**
 * Change the fields given (Prefect's `PATCH /deployments/{id}`): parameters checked against the
 * schema (ignoring required ones) when enforced, `schedules` patched by slug when every schedule
 * has one, else replaced; the deployment's future auto-scheduled runs are deleted.
 */
export async function updateDeployment(
  ctx: AppContext,
  id: string,
  update: DeploymentUpdate,
): Promise<void> {
  for (const s of update.schedules ?? []) checkMaxScheduledRuns(ctx, s.max_scheduled_runs);
  const now = ctx.clock.nowIso();
  await inTransaction(ctx, async ({ db }) => {
    const existing = await deployments.readDeployment(ctx.database, id, now, db);
    if (!existing) throw notFoundDot();
    const plan = schedulePlan(existing, update.schedules);
    const enforce = update.enforce_parameter_schema ?? existing.enforce_parameter_schema;
    if (enforce) {
      const schema = update.parameter_openapi_schema || existing.parameter_openapi_schema;
      if (!isObject(schema)) {
        throw new ConflictError(
          "Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled and the deployment does not have a valid parameter schema.",
        );
      }
      const parameters = update.parameters ?? existing.parameters;
      const problem = await validationProblem(parameters, schema, true);
      if (problem) throw new ConflictError(`Error updating deployment: ${problem}`);
    }
    const d: Deployment = { ...existing, updated: now };
    const record = d as unknown as Record<string, unknown>;
    for (const key of [
      "version",
      "description",
      "paused",
      "concurrency_limit",
      "concurrency_options",
      "tags",
      "path",
      "pull_steps",
      "entrypoint",
      "storage_document_id",
      "infrastructure_document_id",
      "parameter_openapi_schema",
    ] as const) {
      if (update[key] !== undefined) record[key] = update[key];
    }
    if (update.parameters != null) d.parameters = update.parameters;
    if (update.job_variables) d.job_variables = update.job_variables;
    if (update.enforce_parameter_schema != null) {
      d.enforce_parameter_schema = update.enforce_parameter_schema;
    }
    if (update.work_pool_name !== undefined) {
      d.work_pool_name = update.work_pool_name;
      if (update.work_pool_name && update.work_queue_name == null) {
        d.work_queue_name = DEFAULT_WORK_QUEUE;
      }
    }
    if (update.work_queue_name !== undefined) d.work_queue_name = update.work_queue_name;
    await linkWorkQueue(ctx, db, d, update);
    d.tags ??= [];
    await deployments.updateDeployment(ctx.database, db, d);
    await deployments.deleteScheduledRuns(ctx.database, db, id, {
      autoScheduledOnly: true,
      futureAfter: now,
    });
    if (plan.replace) {
      await deployments.deleteSchedulesOf(db, id);
      const fresh = plan.replace.map((s) => newSchedule(id, s, now));
      await deployments.insertSchedules(ctx.database, db, fresh).catch(slugConflict);
    }
    for (const patch of plan.patch) {
      const current = await deployments.readScheduleBySlug(ctx.database, db, id, patch.slug ?? "");
      if (current) {
        await deployments
          .updateSchedule(ctx.database, db, patchedSchedule(current, patch, now))
          .catch(slugConflict);
      }
    }
    const created = plan.create.map((s) => newSchedule(id, s, now));
    await deployments.insertSchedules(ctx.database, db, created).catch(slugConflict);
  });
}

/**
 * The work queue of an updated deployment, as Prefect's `PATCH` finds it: a pool given → its queue
 * of that name (made when missing) or its default one; a queue name alone → that queue of the
 * deployment's pool. The job variables are held to the pool's template (422 naming the field).
 */
async function linkWorkQueue(
  ctx: AppContext,
  db: Db,
  d: Deployment,
  update: DeploymentUpdate,
): Promise<void> {
  const poolGiven = update.work_pool_name !== undefined;
  const queueGiven = update.work_queue_name !== undefined;
  if (poolGiven && !update.work_pool_name) d.work_queue_id = null;
  const poolName = d.work_pool_name;
  if ((poolGiven || queueGiven) && poolName) {
    const { queue } = await resolveWorkQueue(ctx, db, poolName, update.work_queue_name);
    d.work_queue_id = queue.id;
    d.work_queue_name = queue.name;
  }
  if (update.job_variables && d.work_queue_id) {
    const found = await readQueueWithPool(ctx, d.work_queue_id, db);
    if (found) {
      await checkDeploymentJobVariables(
        ctx.database.dialect.fromJson(found.pool.base_job_template),
        update.job_variables,
        false,
      );
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** How an update's `schedules` apply: Prefect's slug rules. */
function schedulePlan(
  existing: Deployment,
  schedules: DeploymentScheduleUpdate[] | undefined,
): {
  replace: DeploymentScheduleCreate[] | null;
  patch: DeploymentScheduleUpdate[];
  create: DeploymentScheduleCreate[];
} {
  const none = { replace: null, patch: [], create: [] };
  if (schedules === undefined) return none;
  const allProvidedHaveSlugs = schedules.every((s) => s.slug != null);
  const allExistingHaveSlugs =
    existing.schedules.length > 0 && existing.schedules.every((s) => s.slug != null);
  if (allProvidedHaveSlugs && allExistingHaveSlugs) {
    const slugs = new Set(existing.schedules.map((s) => s.slug));
    const patch: DeploymentScheduleUpdate[] = [];
    const create: DeploymentScheduleCreate[] = [];
    for (const s of schedules) {
      if (slugs.has(s.slug ?? null)) patch.push(s);
      else if (s.schedule) {
        create.push({
          schedule: s.schedule,
          active: s.active ?? true,
          slug: s.slug,
          parameters: s.parameters,
          max_scheduled_runs: s.max_scheduled_runs,
        });
      } else {
        throw new InvalidRequestError(
          "Unable to create new deployment schedules without a schedule configuration.",
        );
      }
    }
    return { replace: null, patch, create };
  }
  if (!allProvidedHaveSlugs && allExistingHaveSlugs) {
    throw new InvalidRequestError(
      "Please provide a slug for each schedule in your request to ensure schedules are updated correctly.",
    );
  }
  const replace = schedules.flatMap((s) =>
    s.schedule
      ? [
          {
            schedule: s.schedule,
            active: s.active ?? true,
            parameters: s.parameters,
            slug: s.slug,
            max_scheduled_runs: s.max_scheduled_runs,
          },
        ]
      : [],
  );
  return { replace, patch: [], create: [] };
}

/** A schedule with the fields of an update that are not null (Prefect: `exclude_none`). */
function patchedSchedule(
  current: DeploymentSchedule,
  update: DeploymentScheduleUpdate,
  now: string,
): DeploymentSchedule {
  return {
    ...current,
    updated: now,
    schedule: update.schedule ?? current.schedule,
    active: update.active ?? current.active,
    max_scheduled_runs: update.max_scheduled_runs ?? current.max_scheduled_runs,
    parameters: update.parameters ?? current.parameters,
    slug: update.slug ?? current.slug,
  };
}

/** Delete a deployment with its schedules and its runs not started (Scheduled, auto or not). */
export async function deleteDeployment(ctx: AppContext, id: string): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    await deployments.deleteScheduledRuns(ctx.database, db, id, { autoScheduledOnly: false });
    if (!(await deployments.deleteDeployment(db, id))) throw notFound();
  });
}

/** Pause a deployment: the scheduler skips it, and its auto-scheduled runs not started go. */
export async function pauseDeployment(ctx: AppContext, id: string): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    if (!(await deployments.setPaused(ctx.database, db, id, true, ctx.clock.nowIso()))) {
      throw notFound();
    }
    await deployments.deleteScheduledRuns(ctx.database, db, id, { autoScheduledOnly: true });
  });
}

/** Resume a paused deployment: the scheduler makes its runs again. */
export async function resumeDeployment(ctx: AppContext, id: string): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    if (!(await deployments.setPaused(ctx.database, db, id, false, ctx.clock.nowIso()))) {
      throw notFound();
    }
  });
}

/** `GET /deployments/{id}/work_queue_check`: no work queues are stored yet, so none. */
export async function workQueueCheck(ctx: AppContext, id: string): Promise<unknown[]> {
  await readDeployment(ctx, id);
  return [];
}

// ---------------------------------------------------------------------------------------------
// Runs of a deployment
// ---------------------------------------------------------------------------------------------

/** Prefect's message for parameters that do not validate, or null (a circular schema too). */
async function validationProblem(
  parameters: Record<string, unknown>,
  schema: Record<string, unknown>,
  ignoreRequired: boolean,
): Promise<string | null> {
  try {
    return await parameterProblem(parameters, schema, { ignoreRequired });
  } catch (error) {
    if (error instanceof CircularSchemaError) {
      throw new InvalidRequestError(
        "Invalid schema: Unable to validate schema with circular references.",
      );
    }
    throw error;
  }
}

/**
 * Create a flow run of a deployment (`POST /deployments/{id}/create_flow_run`): its parameters
 * over the deployment's, validated against the deployment's schema when enforced (the run's
 * `enforce_parameter_schema` overrides the deployment's) — a refusal creates nothing.
 */
export async function createFlowRunFromDeployment(
  ctx: AppContext,
  id: string,
  input: DeploymentFlowRunCreate,
): Promise<{ flowRun: FlowRun; created: boolean }> {
  const deployment = await readDeployment(ctx, id);
  const parameters = { ...deployment.parameters, ...(input.parameters ?? {}) };
  const enforce = input.enforce_parameter_schema ?? deployment.enforce_parameter_schema;
  if (enforce) {
    const schema = deployment.parameter_openapi_schema;
    if (!isObject(schema)) {
      throw new ConflictError(
        "Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled and the deployment does not have a valid parameter schema.",
      );
    }
    const problem = await validationProblem(parameters, schema, false);
    if (problem) throw new ConflictError(`Error creating flow run: ${problem}`);
  }
  if (input.work_queue_name && !deployment.work_pool_name) {
    throw new InvalidRequestError(
      `Cannot create flow run in work queue ${input.work_queue_name} because deployment ${id} is not associated with a work pool. Please remove work_pool_name and try again.`,
      400,
    );
  }
  let workQueueId = deployment.work_queue_id;
  let workQueueName = deployment.work_queue_name;
  let workPoolId: string | null = null;
  const found = workQueueId ? await readQueueWithPool(ctx, workQueueId) : null;
  if (found) {
    workPoolId = found.pool.id;
    await checkFlowRunJobVariables(
      ctx.database.dialect.fromJson(found.pool.base_job_template),
      deployment.job_variables,
      input.job_variables,
    );
    if (input.work_queue_name) {
      const { queue } = await inTransaction(ctx, ({ db }) =>
        resolveWorkQueue(ctx, db, found.pool.name, input.work_queue_name),
      );
      workQueueId = queue.id;
      workQueueName = queue.name;
    }
  } else if (input.work_queue_name) {
    workQueueName = input.work_queue_name;
  }
  const tags = [...new Set([...deployment.tags, ...(input.tags ?? [])])];
  const now = ctx.clock.nowIso();
  const state = input.state ?? {
    type: StateType.SCHEDULED,
    name: "Scheduled",
    state_details: { scheduled_time: now },
  };
  return createFlowRun(ctx, {
    flow_id: deployment.flow_id,
    deployment_id: deployment.id,
    deployment_version: deployment.version,
    name: input.name,
    state,
    parameters,
    context: input.context ?? {},
    empirical_policy: input.empirical_policy,
    tags,
    labels: {
      ...deployment.labels,
      "prefect.flow.id": deployment.flow_id,
      "prefect.deployment.id": deployment.id,
      ...(input.labels ?? {}),
    },
    idempotency_key: input.idempotency_key,
    parent_task_run_id: input.parent_task_run_id,
    work_queue_name: workQueueName,
    work_queue_id: workQueueId,
    work_pool_id: workPoolId,
    work_pool_name: found ? found.pool.name : deployment.work_pool_name,
    job_variables: input.job_variables ?? {},
    infrastructure_document_id:
      input.infrastructure_document_id ?? deployment.infrastructure_document_id,
    created_by: input.created_by ? { ...input.created_by } : null,
  });
}

/**
 * The Scheduled runs of these deployments due before `scheduledBefore` (all when not given),
 * soonest first (`POST /deployments/get_scheduled_flow_runs`, what a serving process polls); the
 * deployments are marked polled, hence READY.
 */
export async function readScheduledFlowRuns(
  ctx: AppContext,
  options: { deploymentIds: readonly string[]; scheduledBefore?: string | null; limit?: number },
): Promise<FlowRun[]> {
  const ids = [...options.deploymentIds];
  const runs =
    ids.length === 0
      ? []
      : await filterFlowRuns(ctx, {
          flow_runs: {
            deployment_id: { any_: ids },
            state: { type: { any_: [StateType.SCHEDULED] } },
            next_scheduled_start_time: { before_: options.scheduledBefore ?? null },
          },
          sort: FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
          limit: options.limit ?? DEFAULT_LIST_LIMIT,
        });
  await deployments.markPolled(ctx.database.db, ids, ctx.clock.nowIso());
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------

export async function readDeploymentSchedules(
  ctx: AppContext,
  id: string,
): Promise<DeploymentSchedule[]> {
  const deployment = await deployments.readDeployment(ctx.database, id, ctx.clock.nowIso());
  if (!deployment) throw notFoundDot();
  return deployment.schedules;
}

/** Add schedules to a deployment (slugs unique within it: 409 otherwise). */
export async function createDeploymentSchedules(
  ctx: AppContext,
  id: string,
  inputs: readonly DeploymentScheduleCreate[],
): Promise<DeploymentSchedule[]> {
  for (const s of inputs) checkMaxScheduledRuns(ctx, s.max_scheduled_runs);
  const now = ctx.clock.nowIso();
  return inTransaction(ctx, async ({ db }) => {
    const exists = await db
      .selectFrom("deployment")
      .select("id")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!exists) throw notFoundDot();
    const schedules = inputs.map((s) => newSchedule(id, s, now));
    await deployments.insertSchedules(ctx.database, db, schedules).catch(slugConflict);
    return schedules;
  });
}

/** Change a schedule's fields given (not null); the deployment's future auto-scheduled runs go. */
export async function updateDeploymentSchedule(
  ctx: AppContext,
  id: string,
  scheduleId: string,
  update: DeploymentScheduleUpdate,
): Promise<void> {
  checkMaxScheduledRuns(ctx, update.max_scheduled_runs);
  const now = ctx.clock.nowIso();
  await inTransaction(ctx, async ({ db }) => {
    const exists = await db
      .selectFrom("deployment")
      .select("id")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!exists) throw notFoundDot();
    const current = await deployments.readSchedule(ctx.database, db, id, scheduleId);
    if (!current) throw new ObjectNotFoundError("Schedule not found.");
    await deployments
      .updateSchedule(ctx.database, db, patchedSchedule(current, update, now))
      .catch(slugConflict);
    await deployments.deleteScheduledRuns(ctx.database, db, id, {
      autoScheduledOnly: true,
      futureAfter: now,
    });
  });
}

/** Delete a schedule; the deployment's auto-scheduled runs not started go. */
export async function deleteDeploymentSchedule(
  ctx: AppContext,
  id: string,
  scheduleId: string,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const exists = await db
      .selectFrom("deployment")
      .select("id")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!exists) throw notFoundDot();
    if (!(await deployments.deleteSchedule(db, id, scheduleId))) {
      throw new ObjectNotFoundError("Schedule not found.");
    }
    await deployments.deleteScheduledRuns(ctx.database, db, id, { autoScheduledOnly: true });
    // changed: the scheduler's recent-deployments loop makes the other schedules' runs again
    // within seconds, not at its next full loop
    await db
      .updateTable("deployment")
      .set({ updated: ctx.clock.nowIso() })
      .where("id", "=", id)
      .execute();
  });
}

/**
 * Create the runs a deployment's active schedules want in `window` (default: the scheduler's
 * window now, from the settings) that do not exist yet; returns the ids created. Idempotent: a
 * run's key is unique per flow, so two callers at once never create the same run.
 */
export async function scheduleDeploymentRuns(
  ctx: AppContext,
  id: string,
  window?: Partial<SchedulingWindow>,
): Promise<string[]> {
  const deployment = await readDeployment(ctx, id);
  const { schedulingWindow, planDeploymentRuns, insertScheduledRuns } = await scheduling();
  const now = ctx.clock.nowIso();
  const limits = ctx.settings.scheduler;
  const full = { ...schedulingWindow(window?.start ?? now, limits), ...stripUndefined(window) };
  const planned = await planDeploymentRuns(ctx.database, [deployment], full, now);
  return insertScheduledRuns(ctx.database, planned, ctx.settings.scheduler.insertBatchSize);
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * One pass of the scheduler over these deployments: the runs their active schedules want in the
 * scheduler's window now that do not exist yet, inserted idempotently. Returns the ids created.
 */
export async function scheduleDeployments(
  ctx: AppContext,
  ids: readonly string[],
): Promise<string[]> {
  const { schedulingWindow, readDeploymentsToPlan, planDeploymentRuns, insertScheduledRuns } =
    await scheduling();
  const now = ctx.clock.nowIso();
  const toPlan = await readDeploymentsToPlan(ctx.database, ids, now);
  const planned = await planDeploymentRuns(
    ctx.database,
    toPlan,
    schedulingWindow(now, ctx.settings.scheduler),
    now,
  );
  return insertScheduledRuns(ctx.database, planned, ctx.settings.scheduler.insertBatchSize);
}

/** A page of deployments the scheduler's main loop should look at (`afterId`: the last seen). */
export async function deploymentsToSchedule(ctx: AppContext, afterId?: string): Promise<string[]> {
  const { deploymentsNeedingRuns } = await scheduling();
  const s = ctx.settings.scheduler;
  return deploymentsNeedingRuns(ctx.database, {
    now: ctx.clock.nowIso(),
    limits: s,
    batchSize: s.deploymentBatchSize,
    afterId,
  });
}

/** Deployments (or their schedules) changed in the last `seconds`, for the recent loop. */
export async function recentDeploymentsToSchedule(
  ctx: AppContext,
  seconds: number,
): Promise<string[]> {
  const { recentlyChangedDeployments } = await scheduling();
  return recentlyChangedDeployments(ctx.database, {
    since: addSeconds(ctx.clock.nowIso(), -seconds),
    batchSize: ctx.settings.scheduler.deploymentBatchSize,
  });
}

/** How many deployments each flow has (`POST /ui/flows/count-deployments`). */
export function countDeploymentsByFlow(
  ctx: AppContext,
  flowIds: readonly string[],
): Promise<Record<string, number>> {
  return deployments.countDeploymentsByFlow(ctx.database, flowIds);
}

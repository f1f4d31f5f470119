/**
 * Flow runs in the models layer (Prefect's `models/flow_runs.py`): what both transports do with flow
 * runs — creation, reads, listings, updates, deletion and orchestrated state changes. Every write
 * is one transaction; the events a state change emits are stored with it and published once it
 * commits (`services/unit-of-work.ts`).
 */
import { ObjectNotFoundError } from "../../core/errors.ts";
import {
  DEFAULT_SORTS,
  FlowRunSort,
  type FlowRunsListing,
  type FlowRunsQuery,
  resolvePage,
} from "../../core/filters.ts";
import { uuid4 } from "../../core/ids.ts";
import { generateRunName } from "../../core/names.ts";
import type { FlowRunCreate } from "../../core/run-inputs.ts";
import type { FlowRunRelations } from "../../core/run-state-event.ts";
import {
  defaultFlowRunPolicy,
  emptyRunTimes,
  type FlowRun,
  type FlowRunPolicy,
} from "../../core/runs.ts";
import type { StateCreate } from "../../core/state.ts";
import { StateType } from "../../core/state-types.ts";
import type { TransitionOutcome } from "../../orchestration/apply.ts";
import { applyPolicy } from "../../orchestration/apply.ts";
import { createFlowContext, type FlowOrchestrationDeps } from "../../orchestration/context.ts";
import {
  CoreFlowPolicy,
  type FlowPolicy,
  GlobalFlowPolicy,
  MinimalFlowPolicy,
} from "../../orchestration/policies.ts";
import { buildState } from "../../orchestration/states.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction, type UnitOfWork } from "../../services/unit-of-work.ts";
import type { Database, Db } from "../../storage/database.ts";
import { isForeignKeyViolation, isUniqueViolation } from "../../storage/database-errors.ts";
import {
  checkDeploymentSlotInTransaction,
  releaseDeploymentSlotInTransaction,
  secureDeploymentSlotInTransaction,
} from "../concurrency-limits/deployment-limits.ts";
import { readFlowRunWithState } from "../states/locked-reads.ts";
import { flowRunStateTimestampTaken, insertFlowRunState } from "../states/queries.ts";
import { setRunState } from "../states/set-run-state.ts";
import { forceTaskRunStateInTransaction } from "../task-runs/model.ts";
import { type FlowRunGraph, readFlowRunGraph as readGraph } from "./graph-queries.ts";
import { averageFlowRunLateness } from "./lateness-queries.ts";
import * as flowRuns from "./queries.ts";
import { readFlowRunRelations } from "./relations-queries.ts";

const notFound = () => new ObjectNotFoundError("Flow run not found");

export interface SetFlowRunStateOptions {
  force?: boolean;
  /** `X-Prefect-Api-Version` of the caller, if any. */
  apiVersion?: string | null;
  /** Client version parsed from `User-Agent: prefect/<v>`, if any. */
  clientVersion?: string | null;
  /** Policy used when not forced (default CoreFlowPolicy; the late-runs service passes its own). */
  policy?: FlowPolicy;
  /**
   * Only if the run is still in this state (its id): otherwise REJECT with its current state and
   * nothing written. A worker claims a run it read Scheduled this way — without it, a run another
   * worker has already run to Completed would accept its Pending (Prefect lets a completed run
   * whose result is not persisted be run again).
   */
  expectedStateId?: string | null;
}

/**
 * Create a flow run with its initial state (given or Pending), forced through MinimalFlowPolicy.
 * A flow run of the same flow with the same `idempotency_key` is returned instead (`created:
 * false`), also when another writer created it concurrently. Unknown flow → ObjectNotFoundError.
 */
export async function createFlowRun(
  ctx: AppContext,
  input: FlowRunCreate,
): Promise<{ flowRun: FlowRun; created: boolean }> {
  const existing = async () =>
    input.idempotency_key
      ? flowRuns.readFlowRunByIdempotencyKey(ctx.database, input.flow_id, input.idempotency_key)
      : null;
  const found = await existing();
  if (found) return { flowRun: found, created: false };
  const run = newFlowRun(input, ctx.clock.nowIso());
  try {
    await inTransaction(ctx, async (uow) => {
      await orchestrate(ctx, uow, run, input.state ?? { type: StateType.PENDING }, {
        force: true,
        isNew: true,
      });
    });
    return { flowRun: run, created: true };
  } catch (error) {
    // the insert's foreign key says when the flow does not exist (no read before it)
    if (isForeignKeyViolation(error)) throw new ObjectNotFoundError("Flow not found");
    // another writer took the idempotency key first: theirs is the run
    if (input.idempotency_key && isUniqueViolation(error)) {
      const theirs = await existing();
      if (theirs) return { flowRun: theirs, created: false };
    }
    throw error;
  }
}

function newFlowRun(input: FlowRunCreate, now: string): FlowRun {
  return {
    id: input.id ?? uuid4(),
    created: now,
    updated: now,
    name: input.name ?? generateRunName(),
    flow_id: input.flow_id,
    deployment_id: input.deployment_id ?? null,
    deployment_version: input.deployment_version ?? null,
    work_queue_id: input.work_queue_id ?? null,
    work_queue_name: input.work_queue_name ?? null,
    flow_version: input.flow_version ?? null,
    parameters: input.parameters ?? {},
    idempotency_key: input.idempotency_key ?? null,
    context: input.context ?? {},
    empirical_policy: { ...defaultFlowRunPolicy(), ...input.empirical_policy },
    tags: input.tags ?? [],
    labels: { ...input.labels, "prefect.flow.id": input.flow_id },
    parent_task_run_id: input.parent_task_run_id ?? null,
    auto_scheduled: false,
    infrastructure_document_id: input.infrastructure_document_id ?? null,
    infrastructure_pid: input.infrastructure_pid ?? null,
    created_by: input.created_by ?? null,
    work_pool_id: input.work_pool_id ?? null,
    work_pool_name: input.work_pool_name ?? null,
    job_variables: input.job_variables ?? {},
    ...emptyRunTimes(),
  };
}

export async function readFlowRun(ctx: AppContext, id: string): Promise<FlowRun> {
  return (await flowRuns.readFlowRun(ctx.database, id)) ?? Promise.reject(notFound());
}

export async function filterFlowRuns(
  ctx: AppContext,
  listing: FlowRunsListing = {},
): Promise<FlowRun[]> {
  return flowRuns.filterFlowRuns(ctx.database, {
    ...listing,
    ...resolvePage(listing, DEFAULT_SORTS.flowRuns, FlowRunSort),
  });
}

export async function countFlowRuns(ctx: AppContext, query: FlowRunsQuery = {}): Promise<number> {
  return flowRuns.countFlowRuns(ctx.database, query);
}

/** Points of the runs page's scatter plot: up to this many (`/ui/flow_runs/history`). */
const MAX_FLOW_RUN_POINTS = 1000;

/** The flow runs of a listing as the points of the runs page's scatter plot. */
export async function filterFlowRunPoints(ctx: AppContext, listing: FlowRunsListing = {}) {
  return flowRuns.filterFlowRunPoints(ctx.database, {
    ...listing,
    ...resolvePage(listing, DEFAULT_SORTS.flowRuns, FlowRunSort, MAX_FLOW_RUN_POINTS),
  });
}

/** Average lateness, in seconds, of the flow runs a query selects (null when none is late). */
export async function readFlowRunLateness(ctx: AppContext, query: FlowRunsQuery = {}) {
  return averageFlowRunLateness(ctx.database, query, ctx.clock.nowIso());
}

/** A flow run's graph of task runs and subflow runs (since `since`, for updates). */
export async function readFlowRunGraph(
  ctx: AppContext,
  id: string,
  since?: string,
): Promise<FlowRunGraph> {
  await ctx.events.settle();
  return (await readGraph(ctx.database, id, since)) ?? Promise.reject(notFound());
}

/** The fields of Prefect's `FlowRunUpdate`. */
export interface FlowRunUpdate {
  name?: string | null;
  flow_version?: string | null;
  parameters?: Record<string, unknown>;
  empirical_policy?: Partial<Record<keyof FlowRunPolicy, unknown>>;
  tags?: string[];
  infrastructure_pid?: string | null;
  job_variables?: Record<string, unknown> | null;
}

/**
 * Apply the fields given, in one transaction with the run locked (so that a state change committed
 * meanwhile is not written back over).
 */
export async function updateFlowRun(
  ctx: AppContext,
  id: string,
  update: FlowRunUpdate,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const run = await readFlowRunWithState(ctx.database, db, id, true);
    if (!run) throw notFound();
    if (update.name) run.name = update.name;
    if (update.flow_version !== undefined) run.flow_version = update.flow_version;
    if (update.parameters !== undefined) run.parameters = update.parameters;
    if (update.empirical_policy !== undefined) {
      run.empirical_policy = {
        ...run.empirical_policy,
        ...update.empirical_policy,
      } as FlowRunPolicy;
    }
    if (update.tags !== undefined) run.tags = update.tags;
    if (update.infrastructure_pid !== undefined) run.infrastructure_pid = update.infrastructure_pid;
    if (update.job_variables !== undefined) run.job_variables = update.job_variables ?? {};
    run.updated = ctx.clock.nowIso();
    await flowRuns.updateFlowRun(ctx.database, db, run);
  });
}

/**
 * Merge labels into a flow run's (Prefect's `PATCH /flow_runs/{id}/labels`): read and written in
 * one transaction with the run locked, so that concurrent patches all land.
 */
export async function updateFlowRunLabels(
  ctx: AppContext,
  id: string,
  labels: Record<string, string | number | boolean>,
): Promise<void> {
  await inTransaction(ctx, async ({ db }) => {
    const run = await readFlowRunWithState(ctx.database, db, id, true);
    if (!run) throw notFound();
    run.labels = { ...run.labels, ...labels };
    run.updated = ctx.clock.nowIso();
    await flowRuns.updateFlowRun(ctx.database, db, run);
  });
}

/** Delete a flow run with its task runs, states and logs. */
export async function deleteFlowRun(ctx: AppContext, id: string): Promise<void> {
  if (!(await flowRuns.deleteFlowRun(ctx.database, id))) throw notFound();
}

/**
 * Propose a state for a flow run: CoreFlowPolicy (or `options.policy`), MinimalFlowPolicy when
 * forced, then GlobalFlowPolicy, in one transaction with the run locked. Unknown id →
 * ObjectNotFoundError; `written` tells whether a state was written (HTTP 201 vs 200).
 */
export function setFlowRunState(
  ctx: AppContext,
  id: string,
  state: StateCreate,
  options: SetFlowRunStateOptions = {},
): Promise<TransitionOutcome> {
  return setRunState(ctx, notFound, readFlowRunWithState, id, (uow, run) => {
    if (options.expectedStateId && run.state_id !== options.expectedStateId)
      return Promise.resolve({
        result: {
          status: "REJECT",
          state: run.state,
          details: {
            type: "reject_details",
            reason: "The flow run's state changed since it was read.",
          },
        },
        written: false,
      } satisfies TransitionOutcome);
    return orchestrate(ctx, uow, run, state, { ...options, isNew: false });
  });
}

/**
 * How long the flow and parent task run of a flow run are remembered for its state events, and for
 * how many runs: Prefect's `PREFECT_API_EVENTS_RELATED_RESOURCE_CACHE_TTL` (5 minutes) and cache size.
 */
const RELATIONS_TTL_MS = 5 * 60_000;
const RELATIONS_CACHED_RUNS = 1000;
const relationsCache = new WeakMap<
  Database,
  Map<string, { relations: FlowRunRelations; expires: number }>
>();

/** The flow and parent task run a flow run's state events name, read once per run and TTL. */
async function flowRunRelations(
  database: Database,
  db: Db,
  run: FlowRun,
): Promise<FlowRunRelations> {
  let cache = relationsCache.get(database);
  if (!cache) {
    cache = new Map();
    relationsCache.set(database, cache);
  }
  const now = Date.now();
  const cached = cache.get(run.id);
  if (cached && cached.expires > now) return cached.relations;
  const relations = await readFlowRunRelations(database, db, run.flow_id, run.parent_task_run_id);
  if (relations.flow) {
    cache.delete(run.id);
    cache.set(run.id, { relations, expires: now + RELATIONS_TTL_MS });
    // the oldest entry goes first (a Map keeps the order entries were set in)
    if (cache.size > RELATIONS_CACHED_RUNS) cache.delete(cache.keys().next().value ?? "");
  }
  return relations;
}

/** The run's deployment concurrency slot, taken, checked and given back in its transition. */
function deploymentSlotDeps(
  ctx: AppContext,
  trx: Db,
  run: FlowRun,
): Pick<
  FlowOrchestrationDeps,
  "secureDeploymentSlot" | "checkDeploymentSlot" | "releaseDeploymentSlot"
> {
  const deploymentId = run.deployment_id;
  if (!deploymentId) return {};
  return {
    secureDeploymentSlot: () => secureDeploymentSlotInTransaction(ctx, trx, run.id, deploymentId),
    checkDeploymentSlot: (leaseId) =>
      checkDeploymentSlotInTransaction(ctx, trx, run.id, deploymentId, leaseId),
    releaseDeploymentSlot: () => releaseDeploymentSlotInTransaction(ctx, trx, run.id, deploymentId),
  };
}

async function orchestrate(
  ctx: AppContext,
  uow: UnitOfWork,
  run: FlowRun,
  state: StateCreate,
  options: SetFlowRunStateOptions & { isNew: boolean },
): Promise<TransitionOutcome> {
  const { database, clock } = ctx;
  const trx = uow.db;
  const now = clock.nowIso();
  const relations = await flowRunRelations(database, trx, run);
  const policy = options.force ? MinimalFlowPolicy : (options.policy ?? CoreFlowPolicy);
  const deps: FlowOrchestrationDeps = {
    stateTimestampTaken: (timestamp) =>
      options.isNew ? Promise.resolve(false) : flowRunStateTimestampTaken(trx, run.id, timestamp),
    forceParentTaskRunState: (taskRunId, parentState) =>
      forceTaskRunStateInTransaction(ctx, trx, taskRunId, parentState),
    emit: (event) => uow.emit(event),
    ...deploymentSlotDeps(ctx, trx, run),
  };
  const orchestration = createFlowContext({
    run,
    proposedState: buildState(state, now),
    clock,
    deps,
    apiVersion: options.apiVersion,
    clientVersion: options.clientVersion,
    relations,
  });
  return applyPolicy(orchestration, policy, GlobalFlowPolicy, async (writes) => {
    if (writes.runChanged) run.updated = now;
    if (options.isNew) await flowRuns.insertFlowRun(database, trx, run);
    else if (writes.runChanged) await flowRuns.updateFlowRun(database, trx, run);
    if (writes.stateWritten && run.state)
      await insertFlowRunState(database, trx, run.id, run.state, now);
  });
}

/**
 * Task runs in the models layer (Prefect's `models/task_runs.py`): what both transports do with task
 * runs — creation, reads, listings, renaming, deletion, orchestrated state changes (each one
 * transaction) and the bulk recording of client-orchestrated transitions.
 */
import { ConflictError, coerceError, ObjectNotFoundError } from "../../core/errors.ts";
import {
  DEFAULT_SORTS,
  resolvePage,
  TaskRunSort,
  type TaskRunsListing,
  type TaskRunsQuery,
} from "../../core/filters.ts";
import { uuid4 } from "../../core/ids.ts";
import { generateRunName } from "../../core/names.ts";
import type { TaskRunCreate } from "../../core/run-inputs.ts";
import { defaultTaskRunPolicy, emptyRunTimes, type TaskRun } from "../../core/runs.ts";
import type { StateCreate } from "../../core/state.ts";
import { StateType } from "../../core/state-types.ts";
import { type Clock, normalizeIso } from "../../core/time.ts";
import {
  applyPolicy,
  StateValidationError,
  type TransitionOutcome,
} from "../../orchestration/apply.ts";
import {
  createTaskContext,
  type FlowRunSnapshot,
  type TaskOrchestrationDeps,
} from "../../orchestration/context.ts";
import {
  BackgroundTaskPolicy,
  CoreTaskPolicy,
  GlobalTaskPolicy,
  MinimalTaskPolicy,
  type TaskPolicy,
} from "../../orchestration/policies.ts";
import { buildState } from "../../orchestration/states.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction } from "../../services/unit-of-work.ts";
import type { Database, Db } from "../../storage/database.ts";
import { taskRunToRow } from "../../storage/rows.ts";
import { wakeWaiters } from "../concurrency-limits/service.ts";
import {
  releaseTagSlotsInTransaction,
  secureTagSlotsInTransaction,
} from "../concurrency-limits/tag-limits.ts";
import { readFlowRunWithState, readTaskRunWithState } from "../states/locked-reads.ts";
import { insertTaskRunState } from "../states/queries.ts";
import { setRunState } from "../states/set-run-state.ts";
import { insertTaskRunCacheEntry, readCachedTaskRunState } from "./cache-queries.ts";
import * as taskRuns from "./queries.ts";

export interface SetTaskRunStateOptions {
  force?: boolean;
}

/** Policy selection: deferred → BackgroundTaskPolicy (even forced); force → Minimal; else Core. */
export function selectTaskPolicy(state: StateCreate, force: boolean | undefined): TaskPolicy {
  if (state.state_details?.deferred === true) return BackgroundTaskPolicy;
  return force ? MinimalTaskPolicy : CoreTaskPolicy;
}

/** Create a task run, or return the existing one with the same (flow_run_id, task_key, dynamic_key). */
export async function createTaskRun(
  ctx: AppContext,
  input: TaskRunCreate,
): Promise<{ taskRun: TaskRun; created: boolean }> {
  const { database, clock } = ctx;
  const run = newTaskRun(input, clock.nowIso(), await flowRunLabels(database, input.flow_run_id));
  const created = await inTransaction(ctx, async ({ db }) => {
    const state = input.state ?? { type: StateType.PENDING };
    const { inserted } = await orchestrateTaskRun(ctx, db, run, state, {
      force: true,
      isNew: true,
    });
    return inserted;
  });
  if (created) return { taskRun: run, created: true };
  const existing = await findExisting(database, input, run.id);
  if (!existing) throw new Error(`task run ${run.id} was neither inserted nor found`);
  return { taskRun: existing, created: false };
}

/** The run a create that inserted nothing met: the one holding its natural key, else its id. */
async function findExisting(database: Database, input: TaskRunCreate, id: string) {
  if (input.flow_run_id) {
    const row = await database.db
      .selectFrom("task_run")
      .select("id")
      .where("flow_run_id", "=", input.flow_run_id)
      .where("task_key", "=", input.task_key)
      .where("dynamic_key", "=", input.dynamic_key)
      .executeTakeFirst();
    if (row) return taskRuns.readTaskRun(database, row.id);
  }
  return taskRuns.readTaskRun(database, id);
}

/**
 * The labels of the flow run a new task run belongs to (none without one). A flow run that does
 * not exist is a ConflictError, as Prefect answers the foreign key the insert would break (409).
 */
async function flowRunLabels(
  database: Database,
  flowRunId: string | null | undefined,
): Promise<Record<string, unknown>> {
  if (!flowRunId) return {};
  const row = await database.db
    .selectFrom("flow_run")
    .select("labels")
    .where("id", "=", flowRunId)
    .executeTakeFirst();
  if (!row) throw new ConflictError();
  return database.dialect.fromJson<Record<string, unknown>>(row.labels) ?? {};
}

/**
 * A task run as created: its labels are its flow run's, then `prefect.flow-run.id`, then its own
 * (Prefect's `with_system_labels_for_task_run`; the later win).
 */
function newTaskRun(
  input: TaskRunCreate,
  now: string,
  parentLabels: Record<string, unknown>,
): TaskRun {
  const systemLabels = input.flow_run_id ? { "prefect.flow-run.id": input.flow_run_id } : {};
  return {
    id: input.id ?? uuid4(),
    created: now,
    updated: now,
    name: input.name ?? generateRunName(),
    flow_run_id: input.flow_run_id ?? null,
    task_key: input.task_key,
    dynamic_key: input.dynamic_key,
    cache_key: input.cache_key ?? null,
    cache_expiration: input.cache_expiration ?? null,
    task_version: input.task_version ?? null,
    empirical_policy: { ...defaultTaskRunPolicy(), ...input.empirical_policy },
    tags: input.tags ?? [],
    labels: { ...parentLabels, ...systemLabels, ...input.labels },
    task_inputs: input.task_inputs ?? {},
    flow_run_run_count: 0,
    ...emptyRunTimes(),
  };
}

const notFound = () => new ObjectNotFoundError("Task run not found");

// Reads of task runs first wait for the task-run events received so far to be recorded
// (`EventBus.settle`): a client that reported transitions and then reads sees them, through either
// transport.

export async function readTaskRun(ctx: AppContext, id: string): Promise<TaskRun> {
  await ctx.events.settle();
  return (await taskRuns.readTaskRun(ctx.database, id)) ?? Promise.reject(notFound());
}

export async function filterTaskRuns(
  ctx: AppContext,
  listing: TaskRunsListing = {},
): Promise<TaskRun[]> {
  const page = resolvePage(listing, DEFAULT_SORTS.taskRuns, TaskRunSort);
  await ctx.events.settle();
  return taskRuns.filterTaskRuns(ctx.database, { ...listing, ...page });
}

export async function countTaskRuns(ctx: AppContext, query: TaskRunsQuery = {}): Promise<number> {
  await ctx.events.settle();
  return taskRuns.countTaskRuns(ctx.database, query);
}

/** Change a task run's name (Prefect's `TaskRunUpdate`). */
export async function updateTaskRun(
  ctx: AppContext,
  id: string,
  update: { name?: string | null },
): Promise<void> {
  if (update.name == null) {
    await readTaskRun(ctx, id);
    return;
  }
  if (!(await taskRuns.renameTaskRun(ctx.database, id, update.name, ctx.clock.nowIso())))
    throw notFound();
}

/** Delete a task run with its states and logs. */
export async function deleteTaskRun(ctx: AppContext, id: string): Promise<void> {
  if (!(await taskRuns.deleteTaskRun(ctx.database, id))) throw notFound();
}

export { recordTaskRunTransitions } from "./record-transitions.ts";

/** Propose a state for a task run (policy per {@link selectTaskPolicy}) in one transaction. */
export function setTaskRunState(
  ctx: AppContext,
  id: string,
  state: StateCreate,
  options: SetTaskRunStateOptions = {},
): Promise<TransitionOutcome> {
  return setRunState(ctx, notFound, readTaskRunWithState, id, async ({ db }, run) => {
    const { outcome } = await orchestrateTaskRun(ctx, db, run, state, { force: options.force });
    return outcome;
  });
}

/**
 * Force a state onto a task run inside an open transaction (a subflow's parent task run):
 * MinimalTaskPolicy + GlobalTaskPolicy. A missing task run is skipped.
 */
export async function forceTaskRunStateInTransaction(
  ctx: AppContext,
  trx: Db,
  id: string,
  state: StateCreate,
): Promise<void> {
  const run = await readTaskRunWithState(ctx.database, trx, id, true);
  if (!run) return;
  try {
    await orchestrateTaskRun(ctx, trx, run, state, { force: true });
  } catch (error) {
    if (error instanceof StateValidationError) throw coerceError(error.cause);
    throw error;
  }
}

/**
 * Orchestrate `state` for `run` (policy per {@link selectTaskPolicy}); `inserted` tells whether
 * the run row was inserted (always true for existing runs).
 */
async function orchestrateTaskRun(
  ctx: AppContext,
  trx: Db,
  run: TaskRun,
  state: StateCreate,
  options: { force?: boolean; isNew?: boolean },
): Promise<{ outcome: TransitionOutcome; inserted: boolean }> {
  const { database, clock } = ctx;
  const isNew = options.isNew ?? false;
  const policy = selectTaskPolicy(state, options.force);
  const now = clock.nowIso();
  const orchestration = createTaskContext({
    run,
    proposedState: buildState(state, now),
    clock,
    deps: { ...taskDeps(database, trx, run, clock), ...tagSlotDeps(ctx, trx, run) },
  });
  let inserted = true;
  const outcome = await applyPolicy(orchestration, policy, GlobalTaskPolicy, async (writes) => {
    if (writes.runChanged) run.updated = now;
    if (isNew) {
      const res = await trx
        .insertInto("task_run")
        .values(taskRunToRow(database.dialect, run))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      inserted = Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
      if (!inserted) return;
    } else if (writes.runChanged) {
      await taskRuns.updateTaskRun(database, trx, run);
    }
    if (writes.stateWritten && run.state) {
      await insertTaskRunState(database, trx, run.id, run.state, now);
    }
  });
  return { outcome, inserted };
}

/** The run's tag concurrency slots, taken and freed in its transition's transaction. */
function tagSlotDeps(
  ctx: AppContext,
  trx: Db,
  run: TaskRun,
): Pick<TaskOrchestrationDeps, "secureTagSlots" | "releaseTagSlots"> {
  return {
    async secureTagSlots() {
      const outcome = await secureTagSlotsInTransaction(ctx, trx, run.id, run.tags);
      if ("taken" in outcome) return { status: "taken" };
      if (outcome.kind === "zero") return { status: "zero", reason: outcome.reason };
      const delaySeconds = ctx.settings.taskRunTagConcurrencySlotWaitSeconds;
      return { status: "full", reason: outcome.reason, delaySeconds };
    },
    async releaseTagSlots() {
      const freed = await releaseTagSlotsInTransaction(ctx, trx, run.id, run.tags);
      // tried once the transition commits (their attempt waits for its locks)
      if (freed.length > 0) wakeWaiters(ctx, freed);
    },
  };
}

function taskDeps(database: Database, trx: Db, run: TaskRun, clock: Clock): TaskOrchestrationDeps {
  let flowRun: Promise<FlowRunSnapshot | null> | undefined;
  return {
    readFlowRun() {
      const flowRunId = run.flow_run_id;
      if (!flowRunId) return Promise.resolve(null);
      flowRun ??= readFlowRunWithState(database, trx, flowRunId, false).then((r) =>
        r ? { id: r.id, run_count: r.run_count, state: r.state } : null,
      );
      return flowRun;
    },
    readCachedState: (cacheKey, now) => readCachedTaskRunState(database, trx, cacheKey, now),
    insertCacheEntry: (cacheKey, expiration, stateId) =>
      insertTaskRunCacheEntry(trx, {
        cacheKey,
        expiration: expiration ? normalizeIso(expiration) : null,
        stateId,
        created: clock.nowIso(),
      }),
  };
}

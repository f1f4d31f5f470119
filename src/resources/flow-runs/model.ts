/**
 * Flow runs in the models layer (Prefect's `models/flow_runs.py`): creation and orchestrated
 * state changes, each one database transaction.
 */
import { uuid4 } from "../../core/ids.ts";
import { generateRunName } from "../../core/names.ts";
import type { FlowRunCreate } from "../../core/run-inputs.ts";
import { defaultFlowRunPolicy, emptyRunTimes, type FlowRun } from "../../core/runs.ts";
import type { StateCreate } from "../../core/state.ts";
import { StateType } from "../../core/state-types.ts";
import { type Clock, systemClock } from "../../core/time.ts";
import { applyPolicy, type TransitionOutcome } from "../../orchestration/apply.ts";
import { createFlowContext, type FlowOrchestrationDeps } from "../../orchestration/context.ts";
import type { FlowRunStateEvent } from "../../orchestration/events.ts";
import {
  CoreFlowPolicy,
  type FlowPolicy,
  GlobalFlowPolicy,
  MinimalFlowPolicy,
} from "../../orchestration/policies.ts";
import { buildState } from "../../orchestration/states.ts";
import type { Database, Db } from "../../storage/database.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import { readFlowRunWithState } from "../states/locked-reads.ts";
import { flowRunStateTimestampTaken, insertFlowRunState } from "../states/queries.ts";
import { setRunState } from "../states/set-run-state.ts";
import { forceTaskRunStateInTransaction } from "../task-runs/model.ts";
import { insertFlowRun, readFlowRun, updateFlowRun } from "./queries.ts";

export interface SetFlowRunStateOptions {
  force?: boolean;
  /** `X-Prefect-Api-Version` of the caller, if any. */
  apiVersion?: string | null;
  /** Client version parsed from `User-Agent: prefect/<v>`, if any. */
  clientVersion?: string | null;
  /** Policy used when not forced (default CoreFlowPolicy; the late-runs service passes its own). */
  policy?: FlowPolicy;
  /** Receives `prefect.flow-run.*` events (none are emitted without it). */
  emitEvent?: (event: FlowRunStateEvent) => void | Promise<void>;
  /** Clock for server-side timestamps (tests). */
  clock?: Clock;
}

export interface CreateFlowRunOptions {
  clock?: Clock;
  emitEvent?: (event: FlowRunStateEvent) => void | Promise<void>;
}

export type SetStateOutcome = TransitionOutcome;

/** Create a flow run with its initial state (given or Pending), forced through MinimalFlowPolicy. */
export async function createFlowRun(
  database: Database,
  input: FlowRunCreate,
  options: CreateFlowRunOptions = {},
): Promise<FlowRun> {
  if (input.idempotency_key) {
    const existing = await findByIdempotencyKey(database, input.flow_id, input.idempotency_key);
    if (existing) return existing;
  }
  const clock = options.clock ?? systemClock;
  const run = newFlowRun(input, clock.nowIso());
  try {
    return await withWriteTransaction(database, async (trx) => {
      await orchestrateFlowRun(database, trx, run, input.state ?? { type: StateType.PENDING }, {
        force: true,
        clock,
        emitEvent: options.emitEvent,
        isNew: true,
      });
      return run;
    });
  } catch (error) {
    if (input.idempotency_key) {
      const existing = await findByIdempotencyKey(database, input.flow_id, input.idempotency_key);
      if (existing) return existing;
    }
    throw error;
  }
}

async function findByIdempotencyKey(database: Database, flowId: string, key: string) {
  const row = await database.db
    .selectFrom("flow_run")
    .select("id")
    .where("flow_id", "=", flowId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  return row ? readFlowRun(database, row.id) : null;
}

function newFlowRun(input: FlowRunCreate, now: string): FlowRun {
  return {
    id: input.id ?? uuid4(),
    created: now,
    updated: now,
    name: input.name ?? generateRunName(),
    flow_id: input.flow_id,
    deployment_id: input.deployment_id ?? null,
    deployment_version: null,
    work_queue_id: null,
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
    infrastructure_document_id: null,
    infrastructure_pid: null,
    created_by: null,
    work_pool_id: null,
    work_pool_name: input.work_pool_name ?? null,
    job_variables: input.job_variables ?? {},
    ...emptyRunTimes(),
  };
}

/**
 * Propose a state for a flow run: CoreFlowPolicy (or `options.policy`), MinimalFlowPolicy when
 * forced, then GlobalFlowPolicy, in one transaction. Unknown id → ObjectNotFoundError.
 */
export async function setFlowRunState(
  database: Database,
  id: string,
  state: StateCreate,
  options: SetFlowRunStateOptions = {},
): Promise<SetStateOutcome> {
  return setRunState(database, "Flow run", id, readFlowRunWithState, (trx, run) =>
    orchestrateFlowRun(database, trx, run, state, { ...options, isNew: false }),
  );
}

async function orchestrateFlowRun(
  database: Database,
  trx: Db,
  run: FlowRun,
  state: StateCreate,
  options: SetFlowRunStateOptions & { isNew: boolean },
): Promise<SetStateOutcome> {
  const clock = options.clock ?? systemClock;
  const now = clock.nowIso();
  const policy = options.force ? MinimalFlowPolicy : (options.policy ?? CoreFlowPolicy);
  const deps: FlowOrchestrationDeps = {
    stateTimestampTaken: (timestamp) =>
      options.isNew ? Promise.resolve(false) : flowRunStateTimestampTaken(trx, run.id, timestamp),
    forceParentTaskRunState: async (taskRunId, parentState) => {
      await forceTaskRunStateInTransaction(database, trx, taskRunId, parentState, clock);
    },
    emitEvent: options.emitEvent,
  };
  const ctx = createFlowContext({
    run,
    proposedState: buildState(state, now),
    clock,
    deps,
    apiVersion: options.apiVersion,
    clientVersion: options.clientVersion,
  });
  return applyPolicy(ctx, policy, GlobalFlowPolicy, async ({ stateWritten, runChanged }) => {
    if (runChanged) run.updated = now;
    if (options.isNew) await insertFlowRun(database, trx, run);
    else if (runChanged) await updateFlowRun(database, trx, run);
    if (stateWritten && run.state) await insertFlowRunState(database, trx, run.id, run.state, now);
  });
}

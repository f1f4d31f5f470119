/**
 * What the cancellation-cleanup service reads, each a single keyset-paged query (`id > after`,
 * by id), so that a loop reads each candidate once even when it leaves some unchanged:
 *
 * - the `Cancelling` flow runs, with what tells whether anything can still stop them (their
 *   process, their deployment) — by the `flow_run.state_type` index;
 * - the unfinished subflow runs whose parent flow run is `Cancelled` (child → parent task run →
 *   parent flow run), with the parent's name — by the `state_type` index and primary keys;
 * - the unfinished task runs of flow runs `Cancelled` since `endedSince` — by the `state_type`
 *   index on `flow_run`, then the `(flow_run_id, …)` index on `task_run`.
 */
import type { TaskRun } from "../../core/runs.ts";
import { StateType } from "../../core/state-types.ts";
import type { Database } from "../../storage/database.ts";
import { taskRunFromRow } from "../../storage/rows.ts";

/** States a run can still leave (Prefect's non-terminal states). */
export const UNFINISHED_STATES: readonly StateType[] = [
  StateType.SCHEDULED,
  StateType.PENDING,
  StateType.RUNNING,
  StateType.PAUSED,
  StateType.CANCELLING,
];

/** A flow run in the `Cancelling` state. */
export interface CancellingFlowRun {
  id: string;
  /** Its Cancelling state: the one the service replaces (and only that one). */
  state_id: string | null;
  /** When it entered Cancelling. */
  state_timestamp: string | null;
  /** `"<hostname>:<pid>"` of its process, when recorded. */
  infrastructure_pid: string | null;
  deployment_id: string | null;
}

/** Up to `limit` Cancelling flow runs with ids after `after`, by id. */
export function readCancellingFlowRuns(
  database: Database,
  after: string,
  limit: number,
): Promise<CancellingFlowRun[]> {
  return database.db
    .selectFrom("flow_run")
    .select(["id", "state_id", "state_timestamp", "infrastructure_pid", "deployment_id"])
    .where("state_type", "=", StateType.CANCELLING)
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** An unfinished subflow run of a cancelled flow run. */
export interface OrphanedSubflowRun {
  id: string;
  /** Its current state: the one the service replaces (and only that one). */
  state_id: string | null;
  state_type: StateType;
  deployment_id: string | null;
  parent_flow_run_id: string;
  parent_flow_run_name: string;
}

/**
 * Up to `limit` subflow runs, ids after `after` (by id), not in a final state, whose parent flow
 * run is Cancelled. A subflow run of a deployment already Cancelling is left out: its worker, or
 * the service's look at Cancelling runs, ends it.
 */
export async function readSubflowRunsOfCancelledParents(
  database: Database,
  after: string,
  limit: number,
): Promise<OrphanedSubflowRun[]> {
  const rows = await database.db
    .selectFrom("flow_run as child")
    .innerJoin("task_run as parent_task", "parent_task.id", "child.parent_task_run_id")
    .innerJoin("flow_run as parent", "parent.id", "parent_task.flow_run_id")
    .select([
      "child.id as id",
      "child.state_id as state_id",
      "child.state_type as state_type",
      "child.deployment_id as deployment_id",
      "parent.id as parent_flow_run_id",
      "parent.name as parent_flow_run_name",
    ])
    .where("child.state_type", "in", UNFINISHED_STATES)
    .where("parent.state_type", "=", StateType.CANCELLED)
    .where((eb) =>
      eb.or([
        eb("child.state_type", "!=", StateType.CANCELLING),
        eb("child.deployment_id", "is", null),
      ]),
    )
    .where("child.id", ">", after)
    .orderBy("child.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, state_type: r.state_type as StateType }));
}

/**
 * Up to `limit` task runs, ids after `after` (by id), not in a final state, of flow runs that are
 * Cancelled and ended at or after `endedSince` (each without its state: the service replaces it).
 */
export async function readUnfinishedTaskRunsOfCancelledFlowRuns(
  database: Database,
  endedSince: string,
  after: string,
  limit: number,
): Promise<TaskRun[]> {
  const rows = await database.db
    .selectFrom("flow_run")
    .innerJoin("task_run", "task_run.flow_run_id", "flow_run.id")
    .selectAll("task_run")
    .where("flow_run.state_type", "=", StateType.CANCELLED)
    .where("flow_run.end_time", ">=", endedSince)
    .where("task_run.state_type", "in", UNFINISHED_STATES)
    .where("task_run.id", ">", after)
    .orderBy("task_run.id")
    .limit(limit)
    .execute();
  return rows.map((row) => taskRunFromRow(database.dialect, row, null));
}

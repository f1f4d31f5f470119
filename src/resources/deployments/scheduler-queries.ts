/**
 * The scheduler's queries (Prefect's scheduler service and `_generate_scheduled_flow_runs` /
 * `_insert_scheduled_flow_runs`): which deployments need runs, the runs their schedules want (the
 * pure rules of `core/schedules`), and their insertion keyed by Prefect's idempotency keys —
 * `INSERT … ON CONFLICT (flow_id, idempotency_key) DO NOTHING`, then the states of the rows that
 * were inserted, in one transaction: two schedulers at once never create the same run.
 */
import { sql } from "kysely";
import type { Deployment } from "../../core/deployments.ts";
import { uuid4 } from "../../core/ids.ts";
import { generateRunName } from "../../core/names.ts";
import { defaultFlowRunPolicy, type FlowRun } from "../../core/runs.ts";
import {
  plannedScheduledRuns,
  type SchedulerLimits,
  type SchedulingWindow,
} from "../../core/schedules/index.ts";
import { emptyStateDetails, type StateRecord } from "../../core/state.ts";
import { StateType } from "../../core/state-types.ts";
import { addSeconds } from "../../core/time.ts";
import type { Database, Db } from "../../storage/database.ts";
import { deploymentFromRow } from "../../storage/deployment-rows.ts";
import { flowRunStateToRow, flowRunToRow } from "../../storage/rows.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import { readSchedulesOf } from "./queries.ts";

/** A scheduled run to insert: the run with its Scheduled state. */
export type PlannedRun = FlowRun & { state: StateRecord };

/**
 * Deployments the scheduler should look at now (Prefect's selection): not paused, with an active
 * schedule, and fewer than `minRuns` future auto-scheduled Scheduled runs or the last of them
 * sooner than now + `minScheduledTimeSeconds`; least recently updated first, `batchSize` of them
 * after `afterId` in id order (one page of a loop).
 */
export async function deploymentsNeedingRuns(
  database: Database,
  options: { now: string; limits: SchedulerLimits; batchSize: number; afterId?: string },
): Promise<string[]> {
  const { db, dialect } = database;
  const horizon = addSeconds(options.now, options.limits.minScheduledTimeSeconds);
  let q = db
    .selectFrom("deployment")
    .leftJoin("flow_run", (join) =>
      join
        .onRef("flow_run.deployment_id", "=", "deployment.id")
        .on("flow_run.state_type", "=", StateType.SCHEDULED)
        .on("flow_run.next_scheduled_start_time", ">=", options.now)
        .on("flow_run.auto_scheduled", "=", dialect.toBool(true)),
    )
    .select("deployment.id")
    .where("deployment.paused", "=", dialect.toBool(false))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("deployment_schedule")
          .select("deployment_schedule.id")
          .whereRef("deployment_schedule.deployment_id", "=", "deployment.id")
          .where("deployment_schedule.active", "=", dialect.toBool(true)),
      ),
    );
  if (options.afterId) q = q.where("deployment.id", ">", options.afterId);
  const rows = await q
    .groupBy("deployment.id")
    .having((eb) =>
      eb.or([
        eb(eb.fn.count("flow_run.next_scheduled_start_time"), "<", options.limits.minRuns),
        eb(sql`max(flow_run.next_scheduled_start_time)`, "<", horizon),
      ]),
    )
    .orderBy("deployment.id")
    .limit(options.batchSize)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deployments with an active schedule, not paused, changed since `since` (they or one of their
 * schedules): what the recent-deployments loop schedules at once, without waiting for the
 * scheduler's next loop.
 */
export async function recentlyChangedDeployments(
  database: Database,
  options: { since: string; batchSize: number },
): Promise<string[]> {
  const { db, dialect } = database;
  const rows = await db
    .selectFrom("deployment")
    .select("deployment.id")
    .where("deployment.paused", "=", dialect.toBool(false))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("deployment_schedule")
          .select("deployment_schedule.id")
          .whereRef("deployment_schedule.deployment_id", "=", "deployment.id")
          .where("deployment_schedule.active", "=", dialect.toBool(true)),
      ),
    )
    .where((eb) =>
      eb.or([
        eb("deployment.updated", ">=", options.since),
        eb.exists(
          eb
            .selectFrom("deployment_schedule as changed")
            .select("changed.id")
            .whereRef("changed.deployment_id", "=", "deployment.id")
            .where("changed.updated", ">=", options.since),
        ),
      ]),
    )
    .orderBy("deployment.updated")
    .limit(options.batchSize)
    .execute();
  return rows.map((r) => r.id);
}

/** The idempotency keys of these deployments' runs expected at or after `start`. */
async function existingKeys(
  database: Database,
  deploymentIds: readonly string[],
  start: string,
): Promise<Set<string>> {
  if (deploymentIds.length === 0) return new Set();
  const rows = await database.db
    .selectFrom("flow_run")
    .select("idempotency_key")
    .where("deployment_id", "in", [...deploymentIds])
    .where("idempotency_key", "is not", null)
    .where("expected_start_time", ">=", start)
    .execute();
  return new Set(rows.map((r) => r.idempotency_key ?? ""));
}

/**
 * The runs these deployments' active schedules want in `window` that do not exist yet, built as
 * Prefect's scheduler builds them: tag `auto-scheduled` first, the deployment's parameters under
 * the schedule's, the deployment's labels, `created_by` the schedule, Scheduled with the message
 * "Flow run scheduled".
 */
export async function planDeploymentRuns(
  database: Database,
  deployments: readonly Deployment[],
  window: SchedulingWindow,
  now: string,
): Promise<PlannedRun[]> {
  const keys = await existingKeys(
    database,
    deployments.map((d) => d.id),
    window.start,
  );
  const queueIds = deployments.flatMap((d) => (d.work_queue_id ? [d.work_queue_id] : []));
  const poolOfQueue = new Map(
    queueIds.length === 0
      ? []
      : (
          await database.db
            .selectFrom("work_queue")
            .select(["id", "work_pool_id"])
            .where("id", "in", [...new Set(queueIds)])
            .execute()
        ).map((q) => [q.id, q.work_pool_id] as const),
  );
  const runs: PlannedRun[] = [];
  for (const deployment of deployments) {
    for (const schedule of deployment.schedules) {
      const planned = plannedScheduledRuns({
        deploymentId: deployment.id,
        deploymentPaused: deployment.paused,
        schedule,
        existingIdempotencyKeys: keys,
        window,
      });
      for (const p of planned) {
        const id = uuid4();
        const state: StateRecord = {
          id: uuid4(),
          type: StateType.SCHEDULED,
          name: "Scheduled",
          timestamp: now,
          message: "Flow run scheduled",
          data: null,
          state_details: { ...emptyStateDetails(), scheduled_time: p.scheduledTime },
        };
        runs.push({
          id,
          created: now,
          updated: now,
          name: generateRunName(),
          flow_id: deployment.flow_id,
          deployment_id: deployment.id,
          deployment_version: deployment.version,
          work_queue_id: deployment.work_queue_id,
          work_queue_name: deployment.work_queue_name,
          flow_version: null,
          parameters: { ...deployment.parameters, ...schedule.parameters },
          idempotency_key: p.idempotencyKey,
          context: {},
          empirical_policy: defaultFlowRunPolicy(),
          tags: ["auto-scheduled", ...deployment.tags],
          labels: {
            ...deployment.labels,
            "prefect.flow.id": deployment.flow_id,
            "prefect.deployment.id": deployment.id,
          },
          parent_task_run_id: null,
          auto_scheduled: true,
          infrastructure_document_id: deployment.infrastructure_document_id,
          infrastructure_pid: null,
          created_by: p.createdBy,
          work_pool_id: poolOfQueue.get(deployment.work_queue_id ?? "") ?? null,
          work_pool_name: deployment.work_pool_name,
          job_variables: {},
          state_id: state.id,
          state_type: StateType.SCHEDULED,
          state_name: "Scheduled",
          state_timestamp: now,
          run_count: 0,
          expected_start_time: p.scheduledTime,
          next_scheduled_start_time: p.scheduledTime,
          start_time: null,
          end_time: null,
          total_run_time: 0,
          state,
        });
      }
    }
  }
  return runs;
}

/**
 * Insert planned runs, skipping those whose idempotency key is taken (by an earlier loop or
 * another scheduler), with the states of those inserted, `batchSize` runs a transaction. Returns
 * the ids of the runs inserted.
 */
export async function insertScheduledRuns(
  database: Database,
  runs: readonly PlannedRun[],
  batchSize: number,
): Promise<string[]> {
  const inserted: string[] = [];
  for (let i = 0; i < runs.length; i += batchSize) {
    const planned = runs.slice(i, i + batchSize);
    const ids = await withWriteTransaction(database, async (db) => {
      const batch = await stillWanted(database, db, planned);
      if (batch.length === 0) return [];
      const rows = await db
        .insertInto("flow_run")
        .values(batch.map((run) => flowRunToRow(database.dialect, run)))
        .onConflict((oc) => oc.columns(["flow_id", "idempotency_key"]).doNothing())
        .returning("id")
        .execute();
      const taken = new Set(rows.map((r) => r.id));
      const states = batch
        .filter((run) => taken.has(run.id))
        .map((run) => flowRunStateToRow(database.dialect, run.id, run.state, run.created));
      if (states.length > 0) await db.insertInto("flow_run_state").values(states).execute();
      return [...taken];
    });
    inserted.push(...ids);
  }
  return inserted;
}

/** The schedule of a scheduled run, from its idempotency key (`scheduled <deployment> <schedule> <time>`). */
function scheduleIdOf(run: PlannedRun): string | null {
  return run.idempotency_key?.split(" ")[2] ?? null;
}

/**
 * The planned runs whose deployment is still not paused and whose schedule still exists and is
 * active, read in the insert's transaction: a pause or a schedule deleted since the runs were
 * planned (the pause deleting the runs there were) must not be followed by the insert of more. On
 * PostgreSQL the rows are read FOR SHARE, so a pause committing meanwhile waits for the insert and
 * deletes what it inserted; SQLite's write transactions are serialised already.
 */
async function stillWanted(
  database: Database,
  db: Db,
  planned: readonly PlannedRun[],
): Promise<PlannedRun[]> {
  const { dialect } = database;
  const locking = dialect.name === "postgres";
  const deploymentIds = [
    ...new Set(planned.flatMap((r) => (r.deployment_id ? [r.deployment_id] : []))),
  ];
  const scheduleIds = [...new Set(planned.flatMap((r) => scheduleIdOf(r) ?? []))];
  if (deploymentIds.length === 0 || scheduleIds.length === 0) return [];
  const live = await db
    .selectFrom("deployment")
    .select("id")
    .where("id", "in", deploymentIds)
    .where("paused", "=", dialect.toBool(false))
    .$if(locking, (q) => q.forShare())
    .execute();
  const active = await db
    .selectFrom("deployment_schedule")
    .select("id")
    .where("id", "in", scheduleIds)
    .where("active", "=", dialect.toBool(true))
    .$if(locking, (q) => q.forShare())
    .execute();
  const liveIds = new Set(live.map((d) => d.id));
  const activeIds = new Set(active.map((d) => d.id));
  return planned.filter(
    (r) =>
      r.deployment_id !== null &&
      liveIds.has(r.deployment_id) &&
      activeIds.has(scheduleIdOf(r) ?? ""),
  );
}

/** The deployments of these ids with their schedules (for planning their runs). */
export async function readDeploymentsToPlan(
  database: Database,
  ids: readonly string[],
  now: string,
): Promise<Deployment[]> {
  if (ids.length === 0) return [];
  const rows = await database.db
    .selectFrom("deployment")
    .selectAll()
    .where("id", "in", [...ids])
    .execute();
  const schedules = await readSchedulesOf(database, ids);
  return rows.map((r) => deploymentFromRow(database.dialect, r, schedules.get(r.id) ?? [], now));
}

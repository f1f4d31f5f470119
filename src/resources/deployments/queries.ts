/** Storage queries of deployments and their schedules (Prefect's `models/deployments.py` SQL). */
import type { Deployment, DeploymentSchedule } from "../../core/deployments.ts";
import type { DeploymentSort, DeploymentsQuery, Page } from "../../core/filters.ts";
import { StateType } from "../../core/state-types.ts";
import type { Database, Db } from "../../storage/database.ts";
import {
  deploymentFromRow,
  deploymentScheduleFromRow,
  deploymentScheduleToRow,
  deploymentToRow,
} from "../../storage/deployment-rows.ts";
import { countWhere, deploymentsOrder, deploymentsWhere } from "../../storage/filter-sql.ts";
import type { DeploymentTable } from "../../storage/schema.ts";

type Executor = Pick<Db, "selectFrom" | "insertInto" | "updateTable" | "deleteFrom">;

/** Each deployment's schedules, newest update first (Prefect's order). */
export async function readSchedulesOf(
  database: Database,
  deploymentIds: readonly string[],
  db: Executor = database.db,
): Promise<Map<string, DeploymentSchedule[]>> {
  const byDeployment = new Map<string, DeploymentSchedule[]>(deploymentIds.map((id) => [id, []]));
  if (deploymentIds.length === 0) return byDeployment;
  const rows = await db
    .selectFrom("deployment_schedule")
    .selectAll()
    .where("deployment_id", "in", [...deploymentIds])
    .orderBy("updated", "desc")
    .orderBy("id", "desc")
    .execute();
  for (const row of rows) {
    byDeployment.get(row.deployment_id)?.push(deploymentScheduleFromRow(database.dialect, row));
  }
  return byDeployment;
}

async function withSchedules(
  database: Database,
  rows: DeploymentTable[],
  now: string,
  db: Executor = database.db,
): Promise<Deployment[]> {
  const schedules = await readSchedulesOf(
    database,
    rows.map((r) => r.id),
    db,
  );
  return rows.map((r) => deploymentFromRow(database.dialect, r, schedules.get(r.id) ?? [], now));
}

export async function readDeployment(
  database: Database,
  id: string,
  now: string,
  db: Executor = database.db,
): Promise<Deployment | null> {
  const row = await db.selectFrom("deployment").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? ((await withSchedules(database, [row], now, db))[0] ?? null) : null;
}

/** The deployment of a flow (by id) with this name, if any. */
export async function readDeploymentOfFlow(
  database: Database,
  flowId: string,
  name: string,
  now: string,
  db: Executor = database.db,
): Promise<Deployment | null> {
  const row = await db
    .selectFrom("deployment")
    .selectAll()
    .where("flow_id", "=", flowId)
    .where("name", "=", name)
    .executeTakeFirst();
  return row ? ((await withSchedules(database, [row], now, db))[0] ?? null) : null;
}

/** `flow_name/deployment_name`. */
export async function readDeploymentByName(
  database: Database,
  flowName: string,
  name: string,
  now: string,
): Promise<Deployment | null> {
  const row = await database.db
    .selectFrom("deployment")
    .innerJoin("flow", "flow.id", "deployment.flow_id")
    .selectAll("deployment")
    .where("flow.name", "=", flowName)
    .where("deployment.name", "=", name)
    .executeTakeFirst();
  return row ? ((await withSchedules(database, [row], now))[0] ?? null) : null;
}

export async function filterDeployments(
  database: Database,
  listing: DeploymentsQuery & Page<DeploymentSort>,
  now: string,
): Promise<Deployment[]> {
  let q = database.db
    .selectFrom("deployment")
    .selectAll("deployment")
    .where(deploymentsWhere(database, listing));
  for (const [expr, modifiers] of deploymentsOrder(listing.sort)) q = q.orderBy(expr, modifiers);
  const rows = await q.limit(listing.limit).offset(listing.offset).execute();
  return withSchedules(database, rows, now);
}

export function countDeployments(database: Database, query: DeploymentsQuery): Promise<number> {
  return countWhere(database, "deployment", deploymentsWhere(database, query));
}

/** Insert a deployment row; false when one of that flow and name exists already. */
export async function insertDeployment(
  database: Database,
  db: Executor,
  deployment: Deployment,
): Promise<boolean> {
  const res = await db
    .insertInto("deployment")
    .values(deploymentToRow(database.dialect, deployment))
    .onConflict((oc) => oc.columns(["flow_id", "name"]).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Write every column of a deployment but its id, flow, name and creation. */
export async function updateDeployment(
  database: Database,
  db: Executor,
  deployment: Deployment,
): Promise<void> {
  const {
    id,
    created: _c,
    flow_id: _f,
    name: _n,
    ...rest
  } = deploymentToRow(database.dialect, deployment);
  await db.updateTable("deployment").set(rest).where("id", "=", id).execute();
}

/** Pause or resume; false when there is no such deployment. */
export async function setPaused(
  database: Database,
  db: Executor,
  id: string,
  paused: boolean,
  updated: string,
): Promise<boolean> {
  const res = await db
    .updateTable("deployment")
    .set({ paused: database.dialect.toBool(paused), updated })
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Delete a deployment (its schedules go with it); false when there is none. */
export async function deleteDeployment(db: Executor, id: string): Promise<boolean> {
  // its other runs stay, without it (Prefect's foreign key sets null)
  await db
    .updateTable("flow_run")
    .set({ deployment_id: null })
    .where("deployment_id", "=", id)
    .execute();
  const res = await db.deleteFrom("deployment").where("id", "=", id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** `last_polled` of these deployments is now (a serving process or worker asked for their runs). */
export async function markPolled(db: Executor, ids: readonly string[], now: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("deployment")
    .set({ last_polled: now })
    .where("id", "in", [...ids])
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------

export async function insertSchedules(
  database: Database,
  db: Executor,
  schedules: readonly DeploymentSchedule[],
): Promise<void> {
  if (schedules.length === 0) return;
  await db
    .insertInto("deployment_schedule")
    .values(schedules.map((s) => deploymentScheduleToRow(database.dialect, s)))
    .execute();
}

export async function readSchedule(
  database: Database,
  db: Executor,
  deploymentId: string,
  scheduleId: string,
): Promise<DeploymentSchedule | null> {
  const row = await db
    .selectFrom("deployment_schedule")
    .selectAll()
    .where("id", "=", scheduleId)
    .where("deployment_id", "=", deploymentId)
    .executeTakeFirst();
  return row ? deploymentScheduleFromRow(database.dialect, row) : null;
}

/** The schedule of a deployment with this slug, if any. */
export async function readScheduleBySlug(
  database: Database,
  db: Executor,
  deploymentId: string,
  slug: string,
): Promise<DeploymentSchedule | null> {
  const row = await db
    .selectFrom("deployment_schedule")
    .selectAll()
    .where("slug", "=", slug)
    .where("deployment_id", "=", deploymentId)
    .executeTakeFirst();
  return row ? deploymentScheduleFromRow(database.dialect, row) : null;
}

/** Write every column of a schedule but its id, deployment and creation. */
export async function updateSchedule(
  database: Database,
  db: Executor,
  schedule: DeploymentSchedule,
): Promise<void> {
  const {
    id,
    created: _c,
    deployment_id: _d,
    ...rest
  } = deploymentScheduleToRow(database.dialect, schedule);
  await db.updateTable("deployment_schedule").set(rest).where("id", "=", id).execute();
}

export async function deleteSchedule(
  db: Executor,
  deploymentId: string,
  scheduleId: string,
): Promise<boolean> {
  const res = await db
    .deleteFrom("deployment_schedule")
    .where("id", "=", scheduleId)
    .where("deployment_id", "=", deploymentId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function deleteSchedulesOf(db: Executor, deploymentId: string): Promise<void> {
  await db.deleteFrom("deployment_schedule").where("deployment_id", "=", deploymentId).execute();
}

/**
 * Prefect's `_delete_scheduled_runs`: a deployment's runs that are Scheduled and never ran (not
 * those awaiting a concurrency slot) — only those the scheduler made (`autoScheduledOnly`), only
 * those due after `futureAfter` when given. Returns how many were deleted.
 */
export async function deleteScheduledRuns(
  database: Database,
  db: Executor,
  deploymentId: string,
  options: { autoScheduledOnly: boolean; futureAfter?: string },
): Promise<number> {
  let q = db
    .deleteFrom("flow_run")
    .where("deployment_id", "=", deploymentId)
    .where("state_type", "=", StateType.SCHEDULED)
    .where("state_name", "!=", "AwaitingConcurrencySlot")
    .where("run_count", "=", 0);
  if (options.autoScheduledOnly) q = q.where("auto_scheduled", "=", database.dialect.toBool(true));
  if (options.futureAfter !== undefined) {
    q = q.where("next_scheduled_start_time", ">", options.futureAfter);
  }
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** How many deployments each of these flows has (0 for those with none). */
export async function countDeploymentsByFlow(
  database: Database,
  flowIds: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(flowIds.map((id) => [id, 0]));
  if (flowIds.length === 0) return counts;
  const rows = await database.db
    .selectFrom("deployment")
    .select(["flow_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("flow_id", "in", [...flowIds])
    .groupBy("flow_id")
    .execute();
  for (const row of rows) counts[row.flow_id] = Number(row.n);
  return counts;
}

/**
 * A deployment's `concurrency_limit`, kept as Prefect 3 keeps it: a global limit named
 * `deployment:<deployment id>` whose slots are held under leases whose holder is the flow run
 * (`{type: "flow_run", id}`). What the flow-run orchestration rules call, inside the run's state
 * transition, to take a slot when a run goes PENDING (`SecureFlowConcurrencySlots`), to check it
 * is still held when the run goes RUNNING (`ValidateDeploymentConcurrencyAtRunning`) and to give
 * it back when the run leaves PENDING/RUNNING/CANCELLING (`ReleaseFlowConcurrencySlots`).
 *
 * The limit is made (or its size set) from the deployment's `concurrency_limit` the first time a
 * run of it needs a slot. A lease has no expiry here: this package's runs do not renew leases,
 * so the slot is held until the run leaves those states (a run whose process died is settled
 * `Crashed` by the zombie service, which gives the slot back).
 */
import type { ConcurrencyLease } from "../../core/concurrency.ts";
import { uuid4 } from "../../core/ids.ts";
import { addSeconds } from "../../core/time.ts";
import type { DeploymentSlotCheck, DeploymentSlotOutcome } from "../../orchestration/context.ts";
import type { AppContext } from "../../services/context.ts";
import type { Db } from "../../storage/database.ts";
import { type LimitRow, readLimit, writeLimit } from "./queries.ts";
import {
  attemptInTransaction,
  leasesOfLimits,
  releaseLeaseInTransaction,
  wakeWaiters,
} from "./service.ts";

/** The name of a deployment's concurrency limit (Prefect's). */
export const deploymentLimitName = (deploymentId: string): string => `deployment:${deploymentId}`;

/** A lease that does not run out (as long as a tag limit's: ~100 years). */
const DEPLOYMENT_LEASE_SECONDS = 100 * 365 * 86_400;

type Strategy = "ENQUEUE" | "CANCEL_NEW";

/** The deployment's limit and collision strategy; null when the deployment is gone. */
async function readDeploymentLimit(
  ctx: AppContext,
  trx: Db,
  deploymentId: string,
): Promise<{ limit: number | null; strategy: Strategy } | null> {
  const row = await trx
    .selectFrom("deployment")
    .select(["concurrency_limit", "concurrency_options"])
    .where("id", "=", deploymentId)
    .executeTakeFirst();
  if (!row) return null;
  const options =
    row.concurrency_options === null
      ? null
      : ctx.database.dialect.fromJson<{ collision_strategy?: string } | null>(
          row.concurrency_options,
        );
  const strategy: Strategy =
    options?.collision_strategy === "CANCEL_NEW" ? "CANCEL_NEW" : "ENQUEUE";
  return { limit: row.concurrency_limit, strategy };
}

/**
 * The deployment's limit row, made when missing and sized to `limit` (locked on PostgreSQL, as
 * every slot count is read).
 */
async function limitRow(ctx: AppContext, trx: Db, deploymentId: string, limit: number) {
  const { database } = ctx;
  const name = deploymentLimitName(deploymentId);
  const now = ctx.clock.nowIso();
  // two runs of a new limit's deployment claimed at once: one makes it, the other finds it
  await trx
    .insertInto("concurrency_limit_v2")
    .values({
      id: uuid4(),
      created: now,
      updated: now,
      active: database.dialect.toBool(true),
      name,
      limit,
      active_slots: 0,
      denied_slots: 0,
      slot_decay_per_second: 0,
      avg_slot_occupancy_seconds: 2,
      decay_anchor: now,
    })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const row = (await readLimit(database, trx, { name }, true)) as LimitRow;
  if (row.limit !== limit) {
    const resized = { ...row, limit, updated: now };
    await writeLimit(database, trx, resized);
    return resized;
  }
  return row;
}

function flowRunLease(flowRunId: string) {
  return (limitIds: string[], now: string): ConcurrencyLease => ({
    id: uuid4(),
    created: now,
    expiration: addSeconds(now, DEPLOYMENT_LEASE_SECONDS),
    resource_ids: limitIds,
    slots: 1,
    holder: { type: "flow_run", id: flowRunId },
    holder_id: null,
    holder_process: null,
  });
}

async function takeSlot(ctx: AppContext, trx: Db, row: LimitRow, flowRunId: string) {
  const got = await attemptInTransaction(
    ctx,
    trx,
    { names: [row.name], slots: 1 },
    { mayTake: () => true, countDenied: true, lease: flowRunLease(flowRunId) },
    { lease: null },
  );
  return got.taken ? (got.lease?.id ?? null) : null;
}

/** Take a slot of the deployment's limit for the flow run (the PENDING transition's). */
export async function secureDeploymentSlotInTransaction(
  ctx: AppContext,
  trx: Db,
  flowRunId: string,
  deploymentId: string,
): Promise<DeploymentSlotOutcome> {
  const deployment = await readDeploymentLimit(ctx, trx, deploymentId);
  if (!deployment || deployment.limit === null) return { status: "unlimited" };
  if (deployment.limit === 0) return { status: "zero" };
  const row = await limitRow(ctx, trx, deploymentId, deployment.limit);
  if (!row.active) return { status: "unlimited" };
  const leaseId = await takeSlot(ctx, trx, row, flowRunId);
  if (leaseId) return { status: "taken", leaseId };
  return {
    status: "full",
    strategy: deployment.strategy,
    waitSeconds: ctx.settings.deploymentConcurrencySlotWaitSeconds,
  };
}

/** The leases the flow run holds on the deployment's limit (and that limit), if it has one. */
async function heldBy(ctx: AppContext, trx: Db, flowRunId: string, deploymentId: string) {
  const row = await readLimit(ctx.database, trx, { name: deploymentLimitName(deploymentId) }, true);
  if (!row) return null;
  const leases = await leasesOfLimits(ctx, [row.id], trx);
  const mine = leases.filter((l) => l.holder?.type === "flow_run" && l.holder.id === flowRunId);
  return { row, leases: mine };
}

/**
 * Whether the flow run still holds its slot under `leaseId` (the RUNNING transition's): when the
 * lease is gone (its limit was reset, or a client let it run out), a free slot is taken anew.
 */
export async function checkDeploymentSlotInTransaction(
  ctx: AppContext,
  trx: Db,
  flowRunId: string,
  deploymentId: string,
  leaseId: string,
): Promise<DeploymentSlotCheck> {
  const held = await heldBy(ctx, trx, flowRunId, deploymentId);
  if (!held?.row.active) return { status: "held" };
  if (held.leases.some((l) => l.id === leaseId)) return { status: "held" };
  const retaken = await takeSlot(ctx, trx, held.row, flowRunId);
  return retaken ? { status: "retaken", leaseId: retaken } : { status: "lost" };
}

/** Give back the flow run's slots of the deployment's limit; its waiters are woken. */
export async function releaseDeploymentSlotInTransaction(
  ctx: AppContext,
  trx: Db,
  flowRunId: string,
  deploymentId: string,
): Promise<void> {
  const held = await heldBy(ctx, trx, flowRunId, deploymentId);
  if (!held || held.leases.length === 0) return;
  for (const lease of held.leases) await releaseLeaseInTransaction(ctx, trx, lease.id);
  // tried once the transition commits (their attempt waits for its locks)
  wakeWaiters(ctx, [held.row.id]);
}

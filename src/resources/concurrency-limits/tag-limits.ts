/**
 * v1 tag limits on task runs (Prefect's `/concurrency_limits/…`), kept as Prefect 3 keeps them:
 * as global limits named `tag:<tag>`, whose slots are held under leases whose holder is the task
 * run (`{type: "task_run", id}`). Also what the task-run orchestration rules call to secure and
 * release a task run's tag slots inside its state transition.
 */
import {
  type ConcurrencyLease,
  ConcurrencySlotsUnavailableError,
  type MinimalConcurrencyLimit,
  tagLimitName,
  tagOfLimitName,
} from "../../core/concurrency.ts";
import { ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import { addSeconds } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import type { Database, Db } from "../../storage/database.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import { createLimit, updateLimit } from "./model.ts";
import * as limits from "./queries.ts";
import {
  attemptInTransaction,
  describeHolders,
  leasesOfLimits,
  releaseLease,
  releaseLeaseInTransaction,
  revokeLeasesOfLimits,
  wakeWaiters,
} from "./service.ts";

/** A v1 tag limit as Prefect's `ConcurrencyLimit` shows it. */
export interface TagConcurrencyLimit {
  id: string;
  created: string | null;
  updated: string | null;
  tag: string;
  concurrency_limit: number;
  /** Ids of the task runs holding a slot. */
  active_slots: string[];
}

const notFound = () => new ObjectNotFoundError("Concurrency limit not found");

/** Prefect's TTL of a lease a v1 client (or the server, for a task run) holds: ~100 years. */
const TAG_LEASE_SECONDS = 100 * 365 * 86_400;

async function view(ctx: AppContext, row: limits.LimitRow): Promise<TagConcurrencyLimit> {
  const leases = await leasesOfLimits(ctx, [row.id]);
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    tag: tagOfLimitName(row.name) ?? row.name,
    concurrency_limit: row.limit,
    active_slots: leases.flatMap((l) => (l.holder?.type === "task_run" ? [l.holder.id] : [])),
  };
}

async function readTagRow(database: Database, tag: string): Promise<limits.LimitRow | null> {
  return limits.readLimit(database, database.db, { name: tagLimitName(tag) });
}

/** Create a tag limit, or set the limit of the existing one (`created: false`), as Prefect's v1 upsert. */
export async function createTagLimit(
  ctx: AppContext,
  input: { tag: string; concurrency_limit: number },
): Promise<{ limit: TagConcurrencyLimit; created: boolean }> {
  const existing = await readTagRow(ctx.database, input.tag);
  if (existing) {
    await updateLimit(ctx, existing.id, { limit: input.concurrency_limit });
    const row =
      (await limits.readLimit(ctx.database, ctx.database.db, { id: existing.id })) ?? existing;
    return { limit: await view(ctx, row), created: false };
  }
  const created = await createLimit(ctx, {
    name: tagLimitName(input.tag),
    limit: input.concurrency_limit,
    active: true,
  });
  return { limit: await view(ctx, { ...created, decay_anchor: created.updated }), created: true };
}

export async function readTagLimit(ctx: AppContext, tag: string): Promise<TagConcurrencyLimit> {
  const row = await readTagRow(ctx.database, tag);
  if (!row) throw notFound();
  return view(ctx, row);
}

/** A tag limit by its id (a global limit that is not a tag limit is not found, as Prefect). */
export async function readTagLimitById(ctx: AppContext, id: string): Promise<TagConcurrencyLimit> {
  const row = await limits.readLimit(ctx.database, ctx.database.db, { id });
  if (!row || tagOfLimitName(row.name) === null) throw notFound();
  return view(ctx, row);
}

/** A page of the tag limits, by tag. */
export async function listTagLimits(
  ctx: AppContext,
  page: { offset?: number; limit?: number | null } = {},
): Promise<TagConcurrencyLimit[]> {
  const all = await limits.listLimits(ctx.database, { offset: 0, limit: null });
  const tagged = all.filter((row) => tagOfLimitName(row.name) !== null);
  const offset = page.offset ?? 0;
  const slice = tagged.slice(offset, page.limit == null ? undefined : offset + page.limit);
  return Promise.all(slice.map((row) => view(ctx, row)));
}

async function deleteRow(ctx: AppContext, row: limits.LimitRow | null): Promise<void> {
  if (!row) throw notFound();
  await revokeLeasesOfLimits(ctx, [row.id]);
  await withWriteTransaction(ctx.database, (trx) => limits.deleteLimit(trx, row.id));
  wakeWaiters(ctx, [row.id]);
}

export async function deleteTagLimit(ctx: AppContext, tag: string): Promise<void> {
  await deleteRow(ctx, await readTagRow(ctx.database, tag));
}

export async function deleteTagLimitById(ctx: AppContext, id: string): Promise<void> {
  const row = await limits.readLimit(ctx.database, ctx.database.db, { id });
  await deleteRow(ctx, row && tagOfLimitName(row.name) !== null ? row : null);
}

/**
 * Free every slot of a tag limit; with `slotOverride`, the listed task runs then hold one each
 * (Prefect's reset).
 */
export async function resetTagLimit(
  ctx: AppContext,
  tag: string,
  slotOverride: readonly string[] | null = null,
): Promise<void> {
  const row = await readTagRow(ctx.database, tag);
  if (!row) throw notFound();
  await revokeLeasesOfLimits(ctx, [row.id]);
  for (const taskRunId of slotOverride ?? []) {
    await withWriteTransaction(ctx.database, (trx) =>
      attemptInTransaction(
        ctx,
        trx,
        { names: [row.name], slots: 1 },
        { mayTake: () => true, countDenied: false, lease: taskRunLease(taskRunId) },
        { lease: null },
      ),
    );
  }
}

function taskRunLease(taskRunId: string) {
  return (limitIds: string[], now: string): ConcurrencyLease => ({
    id: uuid4(),
    created: now,
    expiration: addSeconds(now, TAG_LEASE_SECONDS),
    resource_ids: limitIds,
    slots: 1,
    holder: { type: "task_run", id: taskRunId },
    holder_id: null,
    holder_process: null,
  });
}

/** Why a task run cannot take its tag slots now. */
export type TagSlotsRefusal =
  | { kind: "zero"; tag: string; reason: string }
  | { kind: "full"; tag: string; reason: string };

/**
 * Take one slot of every tag limit of these tags for the task run, all or none, inside the
 * caller's write transaction. Tags without a limit take nothing.
 */
export async function secureTagSlotsInTransaction(
  ctx: AppContext,
  trx: Db,
  taskRunId: string,
  tags: readonly string[],
): Promise<{ taken: MinimalConcurrencyLimit[] } | TagSlotsRefusal> {
  const names = [...new Set(tags)].map(tagLimitName);
  const rows = await limits.readLimits(ctx.database, trx, { names });
  const zero = rows.find((row) => row.active && row.limit === 0);
  if (zero) {
    const tag = tagOfLimitName(zero.name) ?? zero.name;
    return {
      kind: "zero",
      tag,
      reason: `The concurrency limit on tag "${tag}" is 0 and will deadlock if the task tries to run again.`,
    };
  }
  const active = rows.filter((row) => row.active);
  if (active.length === 0) return { taken: [] };
  const got = await attemptInTransaction(
    ctx,
    trx,
    { names: active.map((row) => row.name), slots: 1 },
    { mayTake: () => true, countDenied: true, lease: taskRunLease(taskRunId) },
    { lease: null },
  );
  if (got.taken) {
    return {
      taken: active.map((row) => ({
        id: row.id,
        name: tagOfLimitName(row.name) ?? row.name,
        limit: row.limit,
      })),
    };
  }
  const full = got.active.find((row) => row.active_slots + 1 > row.limit) ?? got.active[0];
  const tag = full ? (tagOfLimitName(full.name) ?? full.name) : "";
  const holders = full ? await leasesOfLimits(ctx, [full.id], trx) : [];
  return {
    kind: "full",
    tag,
    reason: `Concurrency limit for the ${tag} tag has been reached (limit '${full?.name}': ${full?.active_slots}/${full?.limit} slots taken, held by ${describeHolders(holders)})`,
  };
}

/**
 * Free the task run's slots of its tags' limits inside the caller's write transaction; answers
 * the limits freed, whose waiters the caller wakes once it commits.
 */
export async function releaseTagSlotsInTransaction(
  ctx: AppContext,
  trx: Db,
  taskRunId: string,
  tags: readonly string[],
): Promise<string[]> {
  const names = [...new Set(tags)].map(tagLimitName);
  const rows = await limits.readLimits(ctx.database, trx, { names });
  if (rows.length === 0) return [];
  const leases = await leasesOfLimits(
    ctx,
    rows.map((row) => row.id),
    trx,
  );
  const freed = new Set<string>();
  for (const lease of leases) {
    if (lease.holder?.type !== "task_run" || lease.holder.id !== taskRunId) continue;
    const gone = await releaseLeaseInTransaction(ctx, trx, lease.id);
    for (const id of gone?.resource_ids ?? []) freed.add(id);
  }
  return [...freed];
}

/** Prefect's v1 `/concurrency_limits/increment`: a slot of each tag's limit for a task run. */
export async function incrementTagLimits(
  ctx: AppContext,
  tags: readonly string[],
  taskRunId: string,
): Promise<MinimalConcurrencyLimit[]> {
  const outcome = await withWriteTransaction(ctx.database, (trx) =>
    secureTagSlotsInTransaction(ctx, trx, taskRunId, tags),
  );
  if ("taken" in outcome) return outcome.taken;
  if (outcome.kind === "zero") throw new ConcurrencySlotsUnavailableError(outcome.reason);
  throw new ConcurrencySlotsUnavailableError(
    `Concurrency limit for the ${outcome.tag} tag has been reached`,
    {
      retryAfterSeconds: ctx.settings.taskRunTagConcurrencySlotWaitSeconds,
      limits: [tagLimitName(outcome.tag)],
    },
  );
}

/** Prefect's v1 `/concurrency_limits/decrement`: the task run's leases on these tags' limits freed. */
export async function decrementTagLimits(
  ctx: AppContext,
  tags: readonly string[],
  taskRunId: string,
): Promise<MinimalConcurrencyLimit[]> {
  const names = [...new Set(tags)].map(tagLimitName);
  const rows = await limits.readLimits(ctx.database, ctx.database.db, { names });
  const leases = await leasesOfLimits(
    ctx,
    rows.map((row) => row.id),
  );
  for (const lease of leases) {
    if (lease.holder?.id === taskRunId) await releaseLease(ctx, lease.id);
  }
  return rows.map((row) => ({ id: row.id, name: row.name, limit: row.limit }));
}

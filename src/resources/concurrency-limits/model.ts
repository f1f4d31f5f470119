/**
 * Global concurrency limits in the models layer (Prefect's `models/concurrency_limits_v2.py`):
 * create, read by id or name, list, update and delete. Taking and freeing their slots is
 * `service.ts`; v1 tag limits are `tag-limits.ts`.
 */
import type { ConcurrencyLimit } from "../../core/concurrency.ts";
import { ObjectNotFoundError } from "../../core/errors.ts";
import { isUuid, uuid4 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import * as limits from "./queries.ts";
import { revokeLeasesOfLimits, wakeWaiters } from "./service.ts";
import { decayedTo } from "./slot-math.ts";

/** What creates a limit (Prefect's `ConcurrencyLimitV2Create`). */
export interface LimitCreate {
  name: string;
  limit: number;
  active?: boolean;
  active_slots?: number;
  denied_slots?: number;
  slot_decay_per_second?: number;
}

/** The fields of a limit that can change (Prefect's `ConcurrencyLimitV2Update`). */
export type LimitUpdate = Partial<LimitCreate>;

const notFound = () => new ObjectNotFoundError("Concurrency Limit not found");

/** A limit as the API shows it: its slots decayed to now. */
function shown(row: limits.LimitRow, now: string): ConcurrencyLimit {
  const { decay_anchor: _anchor, ...limit } = decayedTo(row, now);
  return limit;
}

/** How a path names a limit: a UUID is an id, anything else a name (as Prefect reads it). */
const by = (idOrName: string) => (isUuid(idOrName) ? { id: idOrName } : { name: idOrName });

export async function createLimit(ctx: AppContext, input: LimitCreate): Promise<ConcurrencyLimit> {
  const now = ctx.clock.nowIso();
  const row: limits.LimitRow = {
    id: uuid4(),
    created: now,
    updated: now,
    active: input.active ?? true,
    name: input.name,
    limit: input.limit,
    active_slots: input.active_slots ?? 0,
    denied_slots: input.denied_slots ?? 0,
    slot_decay_per_second: input.slot_decay_per_second ?? 0,
    avg_slot_occupancy_seconds: 2,
    decay_anchor: now,
  };
  await withWriteTransaction(ctx.database, (trx) => limits.insertLimit(ctx.database, trx, row));
  return shown(row, now);
}

export async function readLimit(ctx: AppContext, idOrName: string): Promise<ConcurrencyLimit> {
  const row = await limits.readLimit(ctx.database, ctx.database.db, by(idOrName));
  if (!row) throw notFound();
  return shown(row, ctx.clock.nowIso());
}

/** The limits of these names that exist (any order). */
export async function readLimitsByName(
  ctx: AppContext,
  names: readonly string[],
): Promise<ConcurrencyLimit[]> {
  const rows = await limits.readLimits(ctx.database, ctx.database.db, { names });
  const now = ctx.clock.nowIso();
  return rows.map((row) => shown(row, now));
}

/** A page of limits by name (Prefect's `POST /v2/concurrency_limits/filter`). */
export async function listLimits(
  ctx: AppContext,
  page: { offset?: number; limit?: number | null } = {},
): Promise<ConcurrencyLimit[]> {
  const rows = await limits.listLimits(ctx.database, {
    offset: page.offset ?? 0,
    limit: page.limit ?? null,
  });
  const now = ctx.clock.nowIso();
  return rows.map((row) => shown(row, now));
}

/** Change a limit's fields; waiters of the limit are tried again (it may have grown). */
export async function updateLimit(
  ctx: AppContext,
  idOrName: string,
  update: LimitUpdate,
): Promise<void> {
  const id = await withWriteTransaction(ctx.database, async (trx) => {
    const row = await limits.readLimit(ctx.database, trx, by(idOrName), true);
    if (!row) throw notFound();
    const now = ctx.clock.nowIso();
    const next = { ...decayedTo(row, now), updated: now };
    for (const key of [
      "active",
      "name",
      "limit",
      "active_slots",
      "denied_slots",
      "slot_decay_per_second",
    ] as const) {
      const value = update[key];
      if (value !== undefined && value !== null) Object.assign(next, { [key]: value });
    }
    await limits.writeLimit(ctx.database, trx, next);
    return row.id;
  });
  wakeWaiters(ctx, [id]);
}

/** Delete a limit: the leases holding its slots are freed first (their other limits' slots too). */
export async function deleteLimit(ctx: AppContext, idOrName: string): Promise<void> {
  const row = await limits.readLimit(ctx.database, ctx.database.db, by(idOrName));
  if (!row) throw notFound();
  await revokeLeasesOfLimits(ctx, [row.id]);
  const deleted = await withWriteTransaction(ctx.database, (trx) =>
    limits.deleteLimit(trx, row.id),
  );
  if (!deleted) throw notFound();
  wakeWaiters(ctx, [row.id]);
}

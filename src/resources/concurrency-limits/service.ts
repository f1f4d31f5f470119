/**
 * Concurrency slots: taking them under a lease, freeing them, renewing leases, waiting for slots,
 * and the bindings that free the slots of a holder that died. Both transports call these: the
 * HTTP routes (`routes.ts`, `sockets.ts`) and, embedded, the SDK through the embedded client.
 *
 * ## The interface for the SDK
 *
 * Over HTTP (Prefect's routes, plus three things of ours that Prefect's clients never send):
 *
 * - `POST /api/v2/concurrency_limits/increment-with-lease` `{names, slots, mode, lease_duration,
 *   holder}` → 200 `{lease_id, limits}`; full → 423 `{"detail": "Locked"}` with `Retry-After`.
 *   Ours: `?wait=<seconds>` (up to 60) queues the request first come first served behind the
 *   others waiting on its limits and answers the moment the slots are free, or 423 at the end of
 *   the wait; header `x-prefect-ts-holder: <holder id>` binds the lease to that holder's socket.
 * - `POST /api/v2/concurrency_limits/increment` `{names, slots, mode: "rate_limit"}` (rate
 *   limits: no lease; slots decay) → 200 `[{id, name, limit}]`, 423 as above; `?wait=` too.
 * - `POST /api/v2/concurrency_limits/decrement-with-lease` `{lease_id}` → 204 (an unknown lease
 *   too, as Prefect); `POST /api/v2/concurrency_limits/leases/{id}/renew` `{lease_duration}` →
 *   204, or 404 `{"detail": "Lease not found"}`.
 * - Ours: `GET /api/v2/concurrency_limits/{id or name}/holders` → the leases holding its slots.
 * - Ours: the holder socket, WebSocket `/api/v2/concurrency_limits/leases/holder`. The client
 *   sends `{"type": "attach", "holder_id": "<uuid it chose>"}` first; the server answers
 *   `{"type": "attached", "holder_id": …, "leases": <bound leases it holds>}`. Leases taken with
 *   the header naming that holder id are then freed the moment the socket closes (the process
 *   died, or closed it). After a server restart, the client connects again and attaches with the
 *   same id within `PREFECT_SERVER_CONCURRENCY_HOLDER_GRACE_SECONDS` (5 s) to keep them.
 *   The server answers WebSocket pings; a bad first frame closes the socket with 1008.
 *
 * Embedded (no server): `acquireWithLease(ctx, {…, holderProcess: localProcessHolder()})`,
 * `releaseLease`, `renewLease`, `incrementSlots`, `waitReason`. A lease bound to a local process
 * (`holderProcess`) is freed once that process is gone: by whoever next finds one of its limits
 * full, by a server on this host within a second, and by `releaseDeadLocalLeases`. Waiting
 * embedded is `waitSeconds` (FIFO among the waiters of this process; other processes' releases
 * are seen within 100 ms).
 *
 * Errors: `ConcurrencySlotsUnavailableError` (423; `retryAfterSeconds`), `ConcurrencyRequestError`
 * (422: more slots than a limit has, a rate limit without decay), `ObjectNotFoundError` (404).
 * Names without a limit take no slots (a lease with no limits, as Prefect answers): whether a
 * limit is missing shows in the answer's `limits`, for `strict` to raise on.
 */
import { hostname } from "node:os";
import {
  type ConcurrencyLease,
  ConcurrencyRequestError,
  ConcurrencySlotsUnavailableError,
  type LeaseHolder,
  type MinimalConcurrencyLimit,
  nonDecayingDetail,
  SLOTS_EXCEED_LIMIT,
} from "../../core/concurrency.ts";
import { ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import { isProcessAlive, localPid } from "../../core/processes.ts";
import { addSeconds, secondsBetween } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import type { Db } from "../../storage/database.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import { databaseLeaseStorage, type LeaseStorage, leaseStorageKind } from "./lease-storage.ts";
import { type LimitRow, readLimits, writeLimit } from "./queries.ts";
import { leaseNamespace, redisLeaseStorage } from "./redis-lease-storage.ts";
import { decayedTo, freed, retryAfterSeconds, secondsUntilDecayed } from "./slot-math.ts";
import { type Waiter, WaitQueues } from "./waiters.ts";

export type SlotMode = "concurrency" | "rate_limit";

export interface SlotRequest {
  names: readonly string[];
  slots: number;
  mode?: SlotMode;
  /** Wait up to this many seconds for the slots (0 or none: answer at once, as Prefect). */
  waitSeconds?: number;
  /** Stop waiting (the request went away). */
  signal?: AbortSignal;
}

export interface LeaseRequest extends SlotRequest {
  /** Seconds until the lease expires unless renewed (default 300). */
  leaseDuration?: number;
  holder?: LeaseHolder | null;
  /** Bind the lease to the holder socket attached with this id. */
  holderId?: string | null;
  /** Bind the lease to this process (`"<host>:<pid>"`, see {@link localProcessHolder}). */
  holderProcess?: string | null;
}

export interface AcquiredLease {
  lease_id: string;
  limits: MinimalConcurrencyLimit[];
}

/** Prefect's default lease duration. */
export const DEFAULT_LEASE_SECONDS = 300;
/** The longest wait a request may ask for (the SDK asks again for longer waits). */
export const MAX_WAIT_SECONDS = 60;
/** How often waiters are tried again while any waits. */
const POLL_MS = 100;

/** This process as a lease's `holderProcess`. */
export function localProcessHolder(): string {
  return `${hostname()}:${process.pid}`;
}

// ---------------------------------------------------------------------------------------------
// the per-context runtime: lease storage, waiters, attached holders

interface Runtime {
  readonly storage: LeaseStorage;
  readonly waiters: WaitQueues;
  /** Holder ids attached to this process through the holder socket, with their socket count. */
  readonly attached: Map<string, number>;
  readonly startedAt: string;
  poll: NodeJS.Timeout | null;
}

const runtimes = new WeakMap<AppContext, Runtime>();

function runtime(ctx: AppContext): Runtime {
  let rt = runtimes.get(ctx);
  if (!rt) {
    const kind = leaseStorageKind(ctx.settings.concurrencyLeaseStorage);
    rt = {
      storage:
        kind === "redis"
          ? redisLeaseStorage(ctx.settings, leaseNamespace(ctx.database.location))
          : databaseLeaseStorage(ctx.database),
      waiters: new WaitQueues(),
      attached: new Map(),
      startedAt: ctx.clock.nowIso(),
      poll: null,
    };
    runtimes.set(ctx, rt);
  }
  return rt;
}

/** The lease storage of this context (the database unless the settings name Redis). */
export function leaseStorage(ctx: AppContext): LeaseStorage {
  return runtime(ctx).storage;
}

/** Close what the context's concurrency runtime holds open (Redis), and stop polling. */
export async function closeConcurrency(ctx: AppContext): Promise<void> {
  const rt = runtimes.get(ctx);
  if (!rt) return;
  if (rt.poll) clearInterval(rt.poll);
  rt.poll = null;
  await rt.storage.close();
  runtimes.delete(ctx);
}

function keepPolling(rt: Runtime): void {
  if (rt.waiters.size > 0) {
    rt.poll ??= setInterval(() => void rt.waiters.pump(), POLL_MS);
    rt.poll.unref();
  } else if (rt.poll) {
    clearInterval(rt.poll);
    rt.poll = null;
  }
}

/** Try the waiters of these limits now: slots of theirs were freed, or the limit changed. */
export function wakeWaiters(ctx: AppContext, limitIds: readonly string[]): void {
  const rt = runtimes.get(ctx);
  if (rt?.waiters.anyWaiting(limitIds)) void rt.waiters.pump(limitIds);
}

/** How many wait on each of these limits in this process. */
export function waitingCounts(ctx: AppContext, limitIds: readonly string[]): Map<string, number> {
  const rt = runtimes.get(ctx);
  return new Map(limitIds.map((id) => [id, rt?.waiters.waitingOn(id) ?? 0]));
}

// ---------------------------------------------------------------------------------------------
// one attempt at taking slots

export type Attempt =
  | { taken: true; rows: LimitRow[]; lease: ConcurrencyLease | null }
  | { taken: false; rows: LimitRow[]; active: LimitRow[]; retryAfter: number };

export interface AttemptOptions {
  /** False when someone queued first is owed the slots of these limits. */
  mayTake: (limitIds: readonly string[]) => boolean;
  /** Count a refusal in `denied_slots` (the first refusal of a request, not a waiter's retries). */
  countDenied: boolean;
  /** The lease to store with the slots, or null for slots without a lease (rate limits). */
  lease: ((limitIds: string[], now: string) => ConcurrencyLease) | null;
}

/** Check a request against its limits (Prefect's 422s). */
function checkRequest(active: readonly LimitRow[], slots: number, mode: SlotMode): void {
  if (active.some((row) => row.limit < slots))
    throw new ConcurrencyRequestError(SLOTS_EXCEED_LIMIT);
  const nonDecaying = active.filter((row) => row.slot_decay_per_second === 0).map((r) => r.name);
  if (mode === "rate_limit" && nonDecaying.length > 0) {
    throw new ConcurrencyRequestError(nonDecayingDetail(nonDecaying));
  }
}

/**
 * Take `slots` of every active limit named, all or none, in one write transaction (the limits
 * locked in id order on PostgreSQL; one writer at a time on SQLite), with the lease when one is
 * asked for.
 */
export async function attemptInTransaction(
  ctx: AppContext,
  trx: Db,
  request: SlotRequest,
  options: AttemptOptions,
  created: { lease: ConcurrencyLease | null },
): Promise<Attempt> {
  const rt = runtime(ctx);
  const rows = await readLimits(ctx.database, trx, { names: request.names }, true);
  const active = rows.filter((row) => row.active);
  checkRequest(active, request.slots, request.mode ?? "concurrency");
  const now = ctx.clock.nowIso();
  const current = active.map((row) => decayedTo(row, now));
  const ids = active.map((row) => row.id);
  const fits =
    current.every((row) => row.active_slots + request.slots <= row.limit) && options.mayTake(ids);
  if (!fits) {
    const retryAfter = retryAfterSeconds(current, request.slots);
    if (options.countDenied) {
      for (const row of current) {
        await writeLimit(ctx.database, trx, {
          ...row,
          denied_slots: row.denied_slots + request.slots,
          updated: now,
        });
      }
    }
    return { taken: false, rows, active: current, retryAfter };
  }
  for (const row of current) {
    await writeLimit(ctx.database, trx, {
      ...row,
      active_slots: row.active_slots + request.slots,
      updated: now,
    });
  }
  let lease: ConcurrencyLease | null = null;
  if (options.lease) {
    lease = options.lease(ids, now);
    created.lease = lease;
    await rt.storage.create(trx, lease);
  }
  return { taken: true, rows, lease };
}

async function attempt(
  ctx: AppContext,
  request: SlotRequest,
  options: AttemptOptions,
): Promise<Attempt> {
  const rt = runtime(ctx);
  const created: { lease: ConcurrencyLease | null } = { lease: null };
  try {
    return await withWriteTransaction(ctx.database, (trx) =>
      attemptInTransaction(ctx, trx, request, options, created),
    );
  } catch (error) {
    // a lease stored outside the transaction (Redis) goes with the slots it did not get
    if (created.lease && rt.storage.kind === "redis") {
      await rt.storage.take(ctx.database.db, created.lease.id).catch(() => undefined);
    }
    throw error;
  }
}

function locked(
  retryAfter: number | null,
  names: readonly string[] = [],
): ConcurrencySlotsUnavailableError {
  return new ConcurrencySlotsUnavailableError("Locked", {
    retryAfterSeconds: retryAfter,
    limits: names,
  });
}

/**
 * Take the slots now, or (with `waitSeconds`) queue for them; `undo` gives back slots a waiter
 * got after it stopped waiting.
 */
async function take(
  ctx: AppContext,
  request: SlotRequest,
  lease: AttemptOptions["lease"],
  undo: (got: Attempt & { taken: true }) => Promise<void>,
): Promise<Attempt & { taken: true }> {
  const rt = runtime(ctx);
  if (request.slots <= 0 || !Number.isInteger(request.slots)) {
    throw new ConcurrencyRequestError("slots must be a whole number greater than 0");
  }
  const first = await attempt(ctx, request, {
    mayTake: (ids) => !rt.waiters.anyWaiting(ids),
    countDenied: true,
    lease,
  });
  if (first.taken) return first;
  // a limit freed of its holders while others still held it: free the slots of dead local processes
  if (
    await releaseDeadLocalLeases(
      ctx,
      first.active.map((r) => r.id),
    )
  ) {
    const again = await attempt(ctx, request, {
      mayTake: (ids) => !rt.waiters.anyWaiting(ids),
      countDenied: false,
      lease,
    });
    if (again.taken) return again;
  }
  const wait = Math.min(request.waitSeconds ?? 0, MAX_WAIT_SECONDS);
  const fullNames = first.active
    .filter((row) => row.active_slots + request.slots > row.limit)
    .map((row) => row.name);
  if (!(wait > 0) || request.signal?.aborted) throw locked(first.retryAfter, fullNames);
  return new Promise((resolve, reject) => {
    let done = false;
    let retryAfter = first.retryAfter;
    /**
     * A rate limit frees its next slot at a moment known in advance: the waiter is tried then,
     * rather than at the next poll (which would cap a fast decay at the poll's rate).
     */
    let decayTimer: NodeJS.Timeout | undefined;
    const wakeWhenDecayed = (active: readonly LimitRow[]) => {
      const seconds = secondsUntilDecayed(active, request.slots, ctx.clock.nowIso());
      if (seconds === null || seconds * 1000 >= POLL_MS) return;
      clearTimeout(decayTimer);
      decayTimer = setTimeout(() => void rt.waiters.pump(waiter.limitIds), seconds * 1000 + 1);
    };
    const finish = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(decayTimer);
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onAbort);
      rt.waiters.remove(waiter);
      keepPolling(rt);
      outcome();
    };
    const waiter: Waiter = {
      limitIds: first.active.map((row) => row.id),
      attempt: async () => {
        if (done) return true;
        const next = await attempt(ctx, request, {
          mayTake: () => true,
          countDenied: false,
          lease,
        });
        if (!next.taken) {
          retryAfter = next.retryAfter;
          wakeWhenDecayed(next.active);
          return false;
        }
        if (done) await undo(next).catch(() => undefined);
        else finish(() => resolve(next));
        return true;
      },
      fail: (error) => finish(() => reject(error)),
    };
    const onAbort = () => finish(() => reject(locked(retryAfter, fullNames)));
    const timer = setTimeout(onAbort, wait * 1000);
    request.signal?.addEventListener("abort", onAbort);
    rt.waiters.enqueue(waiter);
    keepPolling(rt);
    wakeWhenDecayed(first.active);
    void rt.waiters.pump(waiter.limitIds);
  });
}

function minimal(request: SlotRequest, rows: readonly LimitRow[]): MinimalConcurrencyLimit[] {
  const byName = new Map(rows.map((row) => [row.name, row]));
  return [...new Set(request.names)].flatMap((name) => {
    const row = byName.get(name);
    return row ? [{ id: row.id, name: row.name, limit: row.limit }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// the operations

/** Take slots of every named limit under one lease (`increment-with-lease`). */
export async function acquireWithLease(
  ctx: AppContext,
  request: LeaseRequest,
): Promise<AcquiredLease> {
  const duration = request.leaseDuration ?? DEFAULT_LEASE_SECONDS;
  const got = await take(
    ctx,
    request,
    (limitIds, now) => ({
      id: uuid4(),
      created: now,
      expiration: addSeconds(now, duration),
      resource_ids: limitIds,
      slots: request.slots,
      holder: request.holder ?? null,
      holder_id: request.holderId ?? null,
      holder_process: request.holderProcess ?? null,
    }),
    async (late) => {
      if (late.lease) await releaseLease(ctx, late.lease.id);
    },
  );
  if (!got.lease) throw new Error("slots were taken without their lease");
  return { lease_id: got.lease.id, limits: minimal(request, got.rows) };
}

/** Take slots without a lease (`/increment`: rate limits, whose slots decay by themselves). */
export async function incrementSlots(
  ctx: AppContext,
  request: SlotRequest,
): Promise<MinimalConcurrencyLimit[]> {
  const got = await take(ctx, request, null, async (late) => {
    await decrementSlots(ctx, { names: request.names, slots: request.slots });
    void late;
  });
  return minimal(request, got.rows);
}

/** Free slots taken without a lease (`/decrement`), of the active limits named. */
export async function decrementSlots(
  ctx: AppContext,
  request: { names: readonly string[]; slots: number; occupancySeconds?: number | null },
): Promise<MinimalConcurrencyLimit[]> {
  const rows = await withWriteTransaction(ctx.database, async (trx) => {
    const found = await readLimits(ctx.database, trx, { names: request.names }, true);
    const now = ctx.clock.nowIso();
    for (const row of found.filter((r) => r.active)) {
      const next = freed(decayedTo(row, now), request.slots, request.occupancySeconds ?? null);
      await writeLimit(ctx.database, trx, { ...next, updated: now });
    }
    return found;
  });
  wakeWaiters(
    ctx,
    rows.map((r) => r.id),
  );
  return minimal({ names: request.names, slots: request.slots }, rows);
}

/**
 * Free a lease's slots inside an open write transaction (the lease taken from storage with
 * them); answers the lease, or null when it was gone. The caller wakes the waiters once it
 * commits, and puts a Redis lease back if the transaction fails.
 */
export async function releaseLeaseInTransaction(
  ctx: AppContext,
  trx: Db,
  leaseId: string,
  expiredBy?: string,
): Promise<ConcurrencyLease | null> {
  const lease = await runtime(ctx).storage.take(trx, leaseId, expiredBy);
  if (lease) await freeSlotsOf(ctx, trx, [lease]);
  return lease;
}

/**
 * Give back the slots of leases already taken from storage, in the caller's transaction: each
 * limit read (locked) and written once, whatever the number of leases.
 */
async function freeSlotsOf(
  ctx: AppContext,
  trx: Db,
  leases: readonly ConcurrencyLease[],
): Promise<void> {
  const limitIds = [...new Set(leases.flatMap((lease) => lease.resource_ids))];
  const rows = await readLimits(ctx.database, trx, { ids: limitIds }, true);
  const now = ctx.clock.nowIso();
  for (const row of rows) {
    let next = decayedTo(row, now);
    for (const lease of leases) {
      if (!lease.resource_ids.includes(row.id)) continue;
      next = freed(next, lease.slots, Math.max(0, secondsBetween(lease.created, now)));
    }
    await writeLimit(ctx.database, trx, { ...next, updated: now });
  }
}

/**
 * Free a lease's slots (`decrement-with-lease`, expiry, revocation). Answers the lease, or null
 * when it was gone (freed already: nothing is freed twice). With `expiredBy`, only a lease
 * still expired by then is freed.
 */
export async function releaseLease(
  ctx: AppContext,
  leaseId: string,
  expiredBy?: string,
): Promise<ConcurrencyLease | null> {
  const rt = runtime(ctx);
  const taken: { lease: ConcurrencyLease | null } = { lease: null };
  try {
    await withWriteTransaction(ctx.database, async (trx) => {
      taken.lease = await releaseLeaseInTransaction(ctx, trx, leaseId, expiredBy);
    });
  } catch (error) {
    if (taken.lease && rt.storage.kind === "redis") await rt.storage.restore(taken.lease);
    throw error;
  }
  if (taken.lease) wakeWaiters(ctx, taken.lease.resource_ids);
  return taken.lease;
}

/**
 * Free many leases in one transaction (a closed holder's, often hundreds: one transaction each
 * took seconds on PostgreSQL); answers how many were still held.
 */
export async function releaseLeases(ctx: AppContext, leaseIds: readonly string[]): Promise<number> {
  if (leaseIds.length === 0) return 0;
  const rt = runtime(ctx);
  const taken: ConcurrencyLease[] = [];
  try {
    await withWriteTransaction(ctx.database, async (trx) => {
      taken.length = 0;
      for (const id of leaseIds) {
        const lease = await rt.storage.take(trx, id);
        if (lease) taken.push(lease);
      }
      if (taken.length > 0) await freeSlotsOf(ctx, trx, taken);
    });
  } catch (error) {
    if (rt.storage.kind === "redis") for (const lease of taken) await rt.storage.restore(lease);
    throw error;
  }
  wakeWaiters(ctx, [...new Set(taken.flatMap((lease) => lease.resource_ids))]);
  return taken.length;
}

/** Renew a lease for `durationSeconds` from now; an unknown lease is Prefect's 404. */
export async function renewLease(
  ctx: AppContext,
  leaseId: string,
  durationSeconds: number = DEFAULT_LEASE_SECONDS,
): Promise<void> {
  const expiration = addSeconds(ctx.clock.nowIso(), durationSeconds);
  if (!(await runtime(ctx).storage.renew(leaseId, expiration))) {
    throw new ObjectNotFoundError("Lease not found");
  }
}

export function readLease(ctx: AppContext, leaseId: string): Promise<ConcurrencyLease | null> {
  return runtime(ctx).storage.read(leaseId);
}

/** The leases holding slots of these limits, oldest first. */
export function leasesOfLimits(
  ctx: AppContext,
  limitIds: readonly string[],
  trx?: Db,
): Promise<ConcurrencyLease[]> {
  return runtime(ctx).storage.ofLimits(limitIds, trx);
}

/** Free every lease on these limits (a limit deleted or reset). Answers how many were freed. */
export async function revokeLeasesOfLimits(
  ctx: AppContext,
  limitIds: readonly string[],
): Promise<number> {
  let freedCount = 0;
  for (const lease of await leasesOfLimits(ctx, limitIds)) {
    if (await releaseLease(ctx, lease.id)) freedCount++;
  }
  return freedCount;
}

// ---------------------------------------------------------------------------------------------
// holders that die: bound leases

/**
 * Free the leases bound to processes of this host that are gone (of these limits only, when
 * given). Answers how many were freed.
 */
export async function releaseDeadLocalLeases(
  ctx: AppContext,
  limitIds?: readonly string[],
): Promise<number> {
  const host = hostname();
  const rt = runtime(ctx);
  let candidates = await rt.storage.processBound(host);
  if (limitIds) {
    const wanted = new Set(limitIds);
    const onLimits = new Set(
      (await rt.storage.ofLimits(limitIds))
        .filter((l) => l.resource_ids.some((id) => wanted.has(id)))
        .map((l) => l.id),
    );
    candidates = candidates.filter((c) => onLimits.has(c.id));
  }
  let count = 0;
  for (const { id, holder_process } of candidates) {
    const pid = localPid(holder_process, host);
    if (pid !== null && !isProcessAlive(pid) && (await releaseLease(ctx, id))) count++;
  }
  return count;
}

/** A holder attached through the holder socket: `detach` when its socket closes. */
export interface AttachedHolder {
  /** How many leases bound to it exist now. */
  leases: number;
  /** The socket closed: unless another socket holds the same id, free its leases at once. */
  detach(): Promise<number>;
}

export async function attachHolder(ctx: AppContext, holderId: string): Promise<AttachedHolder> {
  const rt = runtime(ctx);
  rt.attached.set(holderId, (rt.attached.get(holderId) ?? 0) + 1);
  const until = addSeconds(ctx.clock.nowIso(), ctx.settings.concurrencyHolderGraceSeconds);
  await rt.storage.attach([holderId], until);
  const leases = (await rt.storage.ofHolder(holderId)).length;
  let detached = false;
  return {
    leases,
    async detach() {
      if (detached) return 0;
      detached = true;
      const left = (rt.attached.get(holderId) ?? 1) - 1;
      if (left > 0) {
        rt.attached.set(holderId, left);
        return 0;
      }
      rt.attached.delete(holderId);
      await rt.storage.detach(holderId);
      return releaseLeases(ctx, await rt.storage.ofHolder(holderId));
    },
  };
}

/** What one sweep of the lease-expiry service freed. */
export interface SweepResult {
  expired: number;
  orphaned: number;
  deadProcesses: number;
}

/**
 * One sweep (the lease-expiry service's loop): keep this server's attached holders attached,
 * free expired leases, leases bound to holders no server has attached for the grace period
 * (counted from this server's start too, so that holders can attach again after a restart), and
 * leases of dead processes of this host; then try the waiters.
 */
export async function sweepLeases(ctx: AppContext): Promise<SweepResult> {
  const rt = runtime(ctx);
  const now = ctx.clock.nowIso();
  const grace = ctx.settings.concurrencyHolderGraceSeconds;
  await rt.storage.attach([...rt.attached.keys()], addSeconds(now, grace));
  const result: SweepResult = { expired: 0, orphaned: 0, deadProcesses: 0 };
  for (const id of await rt.storage.expiredIds(now, 1000)) {
    if (await releaseLease(ctx, id, now)) result.expired++;
  }
  const cutoff = addSeconds(now, -grace);
  if (rt.startedAt < cutoff) {
    for (const id of await rt.storage.orphanedIds(now, cutoff)) {
      if (await releaseLease(ctx, id)) result.orphaned++;
    }
    await rt.storage.forgetLapsed(addSeconds(now, -3600));
  }
  result.deadProcesses = await releaseDeadLocalLeases(ctx);
  if (rt.waiters.size > 0) await rt.waiters.pump();
  return result;
}

// ---------------------------------------------------------------------------------------------
// why a run waits

/** "task run 1f2…, flow run 3c4…" for the holders of leases (at most a few named). */
export function describeHolders(leases: readonly ConcurrencyLease[], max = 5): string {
  if (leases.length === 0) return "no lease (slots taken without one)";
  const named = leases
    .slice(0, max)
    .map((l) => (l.holder ? `${l.holder.type.replace("_", " ")} ${l.holder.id}` : `lease ${l.id}`));
  const more = leases.length > max ? ` and ${leases.length - max} more` : "";
  return `${named.join(", ")}${more}`;
}

/**
 * Why slots of these limits cannot be taken now, naming each full limit and who holds it: what
 * a waiting run's state message says.
 */
export async function waitReason(
  ctx: AppContext,
  names: readonly string[],
  slots = 1,
): Promise<string | null> {
  const rows = await readLimits(ctx.database, ctx.database.db, { names });
  const now = ctx.clock.nowIso();
  const full = rows
    .filter((r) => r.active)
    .map((r) => decayedTo(r, now))
    .filter((r) => r.active_slots + slots > r.limit);
  if (full.length === 0) return null;
  const parts: string[] = [];
  for (const row of full) {
    const holders = await leasesOfLimits(ctx, [row.id]);
    parts.push(
      `'${row.name}' (${row.active_slots}/${row.limit} slots taken, held by ${describeHolders(holders)})`,
    );
  }
  return `Waiting for concurrency limit ${parts.join("; ")}`;
}

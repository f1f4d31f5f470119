/**
 * Where leases live (Prefect's `ConcurrencyLeaseStorage`): in the database by default, beside the
 * limits whose slots they hold, so that taking slots and storing their lease is one transaction;
 * in Redis when `PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE` names a Redis module (several API
 * servers sharing leases). Either way a limit's `active_slots` is kept in the database.
 *
 * `create` and `take` run inside the transaction that takes or frees the slots. The database
 * storage writes through that transaction (nothing can come apart); the Redis storage writes at
 * once, and the caller puts a taken lease back (`restore`) or drops a created one (`take`) when
 * its transaction then fails.
 */
import type { ConcurrencyLease } from "../../core/concurrency.ts";
import type { Database, Db } from "../../storage/database.ts";
import * as leases from "./lease-queries.ts";

export interface LeaseStorage {
  readonly kind: "database" | "redis";
  /** Store a new lease (in the transaction that took its slots). */
  create(trx: Db, lease: ConcurrencyLease): Promise<void>;
  /**
   * Remove a lease and answer it, or null when it is gone (in the transaction freeing its slots);
   * with `expiredBy`, only if it expired by then (a lease renewed meanwhile is left alone).
   */
  take(trx: Db, id: string, expiredBy?: string): Promise<ConcurrencyLease | null>;
  /** Put back a lease `take` removed, when the transaction that took it failed. */
  restore(lease: ConcurrencyLease): Promise<void>;
  read(id: string): Promise<ConcurrencyLease | null>;
  /** Move a lease's expiration; false when there is no such lease. */
  renew(id: string, expiration: string): Promise<boolean>;
  /** Ids of leases expired at `now`, the oldest first, at most `max`. */
  expiredIds(now: string, max: number): Promise<string[]>;
  /** The leases holding slots of any of these limits, oldest first. */
  ofLimits(limitIds: readonly string[], trx?: Db): Promise<ConcurrencyLease[]>;
  /** Ids of the leases bound to this holder connection. */
  ofHolder(holderId: string): Promise<string[]>;
  /** Leases bound to a holder connection no server has attached, created before `cutoff`. */
  orphanedIds(now: string, cutoff: string): Promise<string[]>;
  /** Leases bound to processes of this host. */
  processBound(host: string): Promise<{ id: string; holder_process: string }[]>;
  /** Record these holders as attached (to this server) until `until`. */
  attach(holderIds: readonly string[], until: string): Promise<void>;
  detach(holderId: string): Promise<void>;
  /** Forget attachments that lapsed before `before`. */
  forgetLapsed(before: string): Promise<void>;
  close(): Promise<void>;
}

/** The default: leases in the database, written in the transactions that take and free slots. */
export function databaseLeaseStorage(database: Database): LeaseStorage {
  return {
    kind: "database",
    create: (trx, lease) => leases.insertLease(database, trx, lease),
    take: (trx, id, expiredBy) => leases.deleteLease(database, trx, id, expiredBy),
    restore: async () => undefined,
    read: (id) => leases.readLease(database, id),
    renew: (id, expiration) => leases.renewLease(database, id, expiration),
    expiredIds: (now, max) => leases.expiredLeaseIds(database, now, max),
    ofLimits: (ids, trx) => leases.leasesOfLimits(database, ids, trx),
    ofHolder: (holderId) => leases.leaseIdsOfHolder(database, holderId),
    orphanedIds: (now, cutoff) => leases.orphanedLeaseIds(database, now, cutoff),
    processBound: (host) => leases.processBoundLeases(database, host),
    attach: (ids, until) => leases.attachHolders(database, ids, until),
    detach: (holderId) => leases.detachHolder(database, holderId),
    forgetLapsed: (before) => leases.deleteLapsedHolders(database, before),
    close: async () => undefined,
  };
}

/** Which storage `PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE` names: Redis when the module is one. */
export function leaseStorageKind(setting: string | null): "database" | "redis" {
  return setting !== null && /redis/i.test(setting) ? "redis" : "database";
}

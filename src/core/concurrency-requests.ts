/**
 * What a client sends to take and give back concurrency slots, and what it gets back, as
 * Prefect's API has them (snake_case, as on the wire); the limits and leases themselves are in
 * `concurrency.ts`.
 */
import type { LeaseHolder, MinimalConcurrencyLimit } from "./concurrency.ts";

/** What creates a global limit (`ConcurrencyLimitV2Create`). */
export interface GlobalConcurrencyLimitCreate {
  name: string;
  limit: number;
  active?: boolean;
  active_slots?: number;
  denied_slots?: number;
  slot_decay_per_second?: number;
}

/** The fields of a global limit that can change (`ConcurrencyLimitV2Update`). */
export type GlobalConcurrencyLimitUpdate = Partial<GlobalConcurrencyLimitCreate>;

/** Slots taken under a lease (`ConcurrencyLimitWithLeaseResponse`). */
export interface LeaseGrant {
  lease_id: string;
  limits: MinimalConcurrencyLimit[];
}

/** The limits are full: try again after `retryAfterSeconds` (the server's 423 and `Retry-After`). */
export interface SlotsLocked {
  locked: true;
  retryAfterSeconds: number;
  /** The server's words on why (which limit is full, and who holds it), when it says. */
  detail: string | null;
}

export type ConcurrencyMode = "concurrency" | "rate_limit";

export interface AcquireSlots {
  names: string[];
  slots: number;
  mode: ConcurrencyMode;
  /** Seconds the lease lasts unless renewed (Prefect: 60–86,400, default 300). */
  leaseDuration: number;
  holder?: LeaseHolder | null;
  /**
   * Seconds the server may hold the request, waiting for slots to free, before answering 423
   * (this package's server only; Prefect's answers at once).
   */
  waitSeconds?: number;
}

export interface IncrementSlots {
  names: string[];
  slots: number;
  mode: ConcurrencyMode;
  createIfMissing?: boolean | null;
  /** As `AcquireSlots.waitSeconds`. */
  waitSeconds?: number;
}

/** A v1 tag limit on task runs (`ConcurrencyLimit`). */
export interface TagConcurrencyLimit {
  id: string;
  created: string | null;
  updated: string | null;
  tag: string;
  concurrency_limit: number;
  /** Ids of the task runs holding a slot. */
  active_slots: string[];
}

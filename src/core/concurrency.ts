/**
 * Concurrency limits and the leases their slots are held under, as plain types (Prefect's
 * `ConcurrencyLimitV2`, `ConcurrencyLeaseHolder` and lease), and the errors both transports raise.
 */
import { ErrorCode, PrefectTsError } from "./errors.ts";

/** A global concurrency limit (Prefect's `ConcurrencyLimitV2`). */
export interface ConcurrencyLimit {
  id: string;
  created: string;
  updated: string;
  active: boolean;
  name: string;
  limit: number;
  /** Slots taken now (decayed to now when the limit has a slot decay). */
  active_slots: number;
  denied_slots: number;
  slot_decay_per_second: number;
  avg_slot_occupancy_seconds: number;
}

/** What Prefect's increment routes answer for each limit. */
export interface MinimalConcurrencyLimit {
  id: string;
  name: string;
  limit: number;
}

export const LEASE_HOLDER_TYPES = ["flow_run", "task_run", "deployment"] as const;
export type LeaseHolderType = (typeof LEASE_HOLDER_TYPES)[number];

/** Prefect's `ConcurrencyLeaseHolder`: the run (or deployment) a lease is held for. */
export interface LeaseHolder {
  type: LeaseHolderType;
  id: string;
}

/** A lease on `slots` slots of each limit in `resource_ids`, until `expiration` unless renewed. */
export interface ConcurrencyLease {
  id: string;
  created: string;
  expiration: string;
  resource_ids: string[];
  slots: number;
  holder: LeaseHolder | null;
  /** Ours: bound to the holder connection of this id (its slots are freed when it closes). */
  holder_id: string | null;
  /** Ours: bound to the local process `"<host>:<pid>"` (freed once that process is gone). */
  holder_process: string | null;
}

/** v1 tag limits are v2 limits of this name prefix (Prefect 3.4.19+). */
export const TAG_LIMIT_PREFIX = "tag:";

export const tagLimitName = (tag: string): string => `${TAG_LIMIT_PREFIX}${tag}`;

/** The tag of a tag limit's name, or null when the name is not a tag limit's. */
export function tagOfLimitName(name: string): string | null {
  return name.startsWith(TAG_LIMIT_PREFIX) ? name.slice(TAG_LIMIT_PREFIX.length) : null;
}

/**
 * The slots could not be taken (now, or within the wait asked for). `retryAfterSeconds` is
 * Prefect's estimate of when they may be free; the API answers 423 with `Retry-After`.
 */
export class ConcurrencySlotsUnavailableError extends PrefectTsError {
  readonly retryAfterSeconds: number | null;
  /** The names of the limits that were full (when known). */
  readonly limits: readonly string[];
  constructor(
    message: string,
    options: {
      retryAfterSeconds?: number | null;
      limits?: readonly string[];
      cause?: unknown;
    } = {},
  ) {
    super(ErrorCode.CONCURRENCY_SLOTS_UNAVAILABLE, message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.limits = options.limits ?? [];
  }
}

/** A request no limit can satisfy (the API answers 422 with this message as `detail`). */
export class ConcurrencyRequestError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CONCURRENCY_REQUEST_INVALID, message, options);
  }
}

/** Prefect's 422 detail when a request asks for more slots than an active limit has. */
export const SLOTS_EXCEED_LIMIT = "Slots requested is greater than the limit";

/** Prefect's 422 detail for a rate limit on limits without slot decay. */
export function nonDecayingDetail(names: readonly string[]): string {
  return `Only concurrency limits with slot decay can be used for rate limiting. The following limits do not have a decay configured: '${names.join(",")}'`;
}

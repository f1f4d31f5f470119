/**
 * Concurrency and rate limits through a client: global limits and the leases their slots are held
 * under (`/v2/concurrency_limits`), and v1 tag limits (`/concurrency_limits`). `HttpConcurrencyLimits`
 * speaks Prefect's API; the embedded client has its own implementation over the local database.
 */
import type {
  ConcurrencyLimit as GlobalConcurrencyLimit,
  MinimalConcurrencyLimit,
} from "../core/concurrency.ts";
import type {
  AcquireSlots,
  GlobalConcurrencyLimitCreate,
  GlobalConcurrencyLimitUpdate,
  IncrementSlots,
  LeaseGrant,
  SlotsLocked,
  TagConcurrencyLimit,
} from "../core/concurrency-requests.ts";
import type { HttpTransport } from "./http-transport.ts";
import type { LeaseHolderSocket } from "./lease-holder-socket.ts";

export interface ConcurrencyLimitsApi {
  create(input: GlobalConcurrencyLimitCreate): Promise<GlobalConcurrencyLimit>;
  /** By name or id; throws `ObjectNotFoundError` when there is none. */
  read(nameOrId: string): Promise<GlobalConcurrencyLimit>;
  list(options?: { limit?: number; offset?: number }): Promise<GlobalConcurrencyLimit[]>;
  update(nameOrId: string, update: GlobalConcurrencyLimitUpdate): Promise<void>;
  delete(nameOrId: string): Promise<void>;

  /** Take slots of every named limit under a new lease, or learn when to try again. */
  acquire(request: AcquireSlots): Promise<LeaseGrant | SlotsLocked>;
  /** Take slots without a lease (rate limits: they decay by themselves). */
  increment(request: IncrementSlots): Promise<MinimalConcurrencyLimit[] | SlotsLocked>;
  /** Give a lease's slots back. */
  release(leaseId: string): Promise<void>;
  /** Extend a lease; throws `ObjectNotFoundError` when it is gone (expired or revoked). */
  renew(leaseId: string, leaseDuration: number): Promise<void>;

  createTagLimit(tag: string, limit: number): Promise<TagConcurrencyLimit>;
  readTagLimit(tag: string): Promise<TagConcurrencyLimit>;
  listTagLimits(options?: { limit?: number; offset?: number }): Promise<TagConcurrencyLimit[]>;
  deleteTagLimit(tag: string): Promise<void>;
  /** Free every slot of a tag limit (or set its holders to `slotOverride`). */
  resetTagLimit(tag: string, slotOverride?: string[]): Promise<void>;
}

const encode = encodeURIComponent;

function locked(
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): SlotsLocked {
  const raw = headers["retry-after"];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  const detail =
    body !== null && typeof body === "object" && "detail" in body && typeof body.detail === "string"
      ? body.detail
      : null;
  return {
    locked: true,
    retryAfterSeconds: Number.isFinite(seconds) && seconds >= 0 ? seconds : 1,
    detail: detail === "Locked" ? null : detail,
  };
}

/**
 * `?wait=`: this package's server holds the request, first come first served, until the slots
 * free (Prefect's ignores it and answers at once).
 */
const waitQuery = (seconds: number | undefined) =>
  seconds && seconds > 0 ? `?wait=${Math.min(60, Math.floor(seconds))}` : "";

export class HttpConcurrencyLimits implements ConcurrencyLimitsApi {
  readonly #http: HttpTransport;
  readonly #holder: LeaseHolderSocket | null;
  /** Leases bound to the holder socket, not given back yet. */
  readonly #bound = new Set<string>();

  /** `holder`: the socket that frees this process's leases when it dies (our server only). */
  constructor(http: HttpTransport, holder: LeaseHolderSocket | null = null) {
    this.#http = http;
    this.#holder = holder;
  }

  create(input: GlobalConcurrencyLimitCreate): Promise<GlobalConcurrencyLimit> {
    return this.#http.request("POST", "/v2/concurrency_limits/", input);
  }
  read(nameOrId: string): Promise<GlobalConcurrencyLimit> {
    return this.#http.request("GET", `/v2/concurrency_limits/${encode(nameOrId)}`);
  }
  list(options: { limit?: number; offset?: number } = {}): Promise<GlobalConcurrencyLimit[]> {
    return this.#http.request("POST", "/v2/concurrency_limits/filter", {
      limit: options.limit ?? 200,
      offset: options.offset ?? 0,
    });
  }
  async update(nameOrId: string, update: GlobalConcurrencyLimitUpdate): Promise<void> {
    await this.#http.request("PATCH", `/v2/concurrency_limits/${encode(nameOrId)}`, update);
  }
  async delete(nameOrId: string): Promise<void> {
    await this.#http.request("DELETE", `/v2/concurrency_limits/${encode(nameOrId)}`);
  }

  async acquire(request: AcquireSlots): Promise<LeaseGrant | SlotsLocked> {
    const binding = (await this.#holder?.header()) ?? undefined;
    const answer = await this.#http.exchange<LeaseGrant>(
      "POST",
      `/v2/concurrency_limits/increment-with-lease${waitQuery(request.waitSeconds)}`,
      {
        names: request.names,
        slots: request.slots,
        mode: request.mode,
        lease_duration: request.leaseDuration,
        ...(request.holder ? { holder: request.holder } : {}),
      },
      [423],
      binding,
    );
    if (answer.status === 423) return locked(answer.headers, answer.data);
    if (binding && this.#holder) {
      this.#bound.add(answer.data.lease_id);
      this.#holder.taken();
    }
    return answer.data;
  }
  async increment(request: IncrementSlots): Promise<MinimalConcurrencyLimit[] | SlotsLocked> {
    const answer = await this.#http.exchange<MinimalConcurrencyLimit[]>(
      "POST",
      `/v2/concurrency_limits/increment${waitQuery(request.waitSeconds)}`,
      {
        names: request.names,
        slots: request.slots,
        mode: request.mode,
        ...(request.createIfMissing != null ? { create_if_missing: request.createIfMissing } : {}),
      },
      [423],
    );
    return answer.status === 423 ? locked(answer.headers, answer.data) : answer.data;
  }
  async release(leaseId: string): Promise<void> {
    try {
      await this.#http.request("POST", "/v2/concurrency_limits/decrement-with-lease", {
        lease_id: leaseId,
      });
    } finally {
      if (this.#bound.delete(leaseId)) this.#holder?.released();
    }
  }
  async renew(leaseId: string, leaseDuration: number): Promise<void> {
    await this.#http.request("POST", `/v2/concurrency_limits/leases/${encode(leaseId)}/renew`, {
      lease_duration: leaseDuration,
    });
  }

  createTagLimit(tag: string, limit: number): Promise<TagConcurrencyLimit> {
    return this.#http.request("POST", "/concurrency_limits/", { tag, concurrency_limit: limit });
  }
  readTagLimit(tag: string): Promise<TagConcurrencyLimit> {
    return this.#http.request("GET", `/concurrency_limits/tag/${encode(tag)}`);
  }
  listTagLimits(options: { limit?: number; offset?: number } = {}): Promise<TagConcurrencyLimit[]> {
    return this.#http.request("POST", "/concurrency_limits/filter", {
      limit: options.limit ?? 200,
      offset: options.offset ?? 0,
    });
  }
  async deleteTagLimit(tag: string): Promise<void> {
    await this.#http.request("DELETE", `/concurrency_limits/tag/${encode(tag)}`);
  }
  async resetTagLimit(tag: string, slotOverride?: string[]): Promise<void> {
    await this.#http.request(
      "POST",
      `/concurrency_limits/tag/${encode(tag)}/reset`,
      slotOverride ? { slot_override: slotOverride } : {},
    );
  }
}

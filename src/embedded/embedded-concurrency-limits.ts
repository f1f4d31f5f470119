/**
 * Concurrency limits on the local database, for the embedded client: the same models and service
 * as the server's routes. A lease taken here is bound to this process (host and pid), so a process
 * that dies holding slots has them freed by the next one to find its limits full.
 */
import type { ConcurrencyLimitsApi } from "../client/concurrency-limits-api.ts";
import {
  type ConcurrencyLimit,
  ConcurrencySlotsUnavailableError,
  type MinimalConcurrencyLimit,
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
import * as model from "../resources/concurrency-limits/model.ts";
import * as service from "../resources/concurrency-limits/service.ts";
import * as tagLimits from "../resources/concurrency-limits/tag-limits.ts";
import type { AppContext } from "../services/context.ts";

/** The full answer of a taking that found its limits full. */
function lockedBy(error: unknown): SlotsLocked {
  if (!(error instanceof ConcurrencySlotsUnavailableError)) throw error;
  return { locked: true, retryAfterSeconds: error.retryAfterSeconds ?? 1, detail: null };
}

export class EmbeddedConcurrencyLimits implements ConcurrencyLimitsApi {
  readonly #ctx: AppContext;
  readonly #holderProcess = service.localProcessHolder();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  create(input: GlobalConcurrencyLimitCreate): Promise<ConcurrencyLimit> {
    return model.createLimit(this.#ctx, input);
  }
  read(nameOrId: string): Promise<ConcurrencyLimit> {
    return model.readLimit(this.#ctx, nameOrId);
  }
  list(options: { limit?: number; offset?: number } = {}): Promise<ConcurrencyLimit[]> {
    return model.listLimits(this.#ctx, options);
  }
  update(nameOrId: string, update: GlobalConcurrencyLimitUpdate): Promise<void> {
    return model.updateLimit(this.#ctx, nameOrId, update);
  }
  delete(nameOrId: string): Promise<void> {
    return model.deleteLimit(this.#ctx, nameOrId);
  }

  async acquire(request: AcquireSlots): Promise<LeaseGrant | SlotsLocked> {
    try {
      return await service.acquireWithLease(this.#ctx, {
        names: request.names,
        slots: request.slots,
        mode: request.mode,
        waitSeconds: request.waitSeconds,
        leaseDuration: request.leaseDuration,
        holder: request.holder ?? null,
        holderProcess: this.#holderProcess,
      });
    } catch (error) {
      return lockedBy(error);
    }
  }
  async increment(request: IncrementSlots): Promise<MinimalConcurrencyLimit[] | SlotsLocked> {
    try {
      return await service.incrementSlots(this.#ctx, {
        names: request.names,
        slots: request.slots,
        mode: request.mode,
        waitSeconds: request.waitSeconds,
      });
    } catch (error) {
      return lockedBy(error);
    }
  }
  async release(leaseId: string): Promise<void> {
    await service.releaseLease(this.#ctx, leaseId);
  }
  renew(leaseId: string, leaseDuration: number): Promise<void> {
    return service.renewLease(this.#ctx, leaseId, leaseDuration);
  }

  async createTagLimit(tag: string, limit: number): Promise<TagConcurrencyLimit> {
    return (await tagLimits.createTagLimit(this.#ctx, { tag, concurrency_limit: limit })).limit;
  }
  readTagLimit(tag: string): Promise<TagConcurrencyLimit> {
    return tagLimits.readTagLimit(this.#ctx, tag);
  }
  listTagLimits(options: { limit?: number; offset?: number } = {}): Promise<TagConcurrencyLimit[]> {
    return tagLimits.listTagLimits(this.#ctx, options);
  }
  deleteTagLimit(tag: string): Promise<void> {
    return tagLimits.deleteTagLimit(this.#ctx, tag);
  }
  resetTagLimit(tag: string, slotOverride?: string[]): Promise<void> {
    return tagLimits.resetTagLimit(this.#ctx, tag, slotOverride ?? null);
  }
}

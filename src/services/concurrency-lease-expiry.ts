/**
 * The lease-expiry service (Prefect's `Repossessor`): every half second it frees the slots of
 * leases that expired, of leases bound to a holder socket no server has attached for
 * `PREFECT_SERVER_CONCURRENCY_HOLDER_GRACE_SECONDS` (counted from the server's start too, so that
 * holders can attach again after a restart), and of leases bound to processes of this host that
 * are gone; it keeps the holders attached to this server attached, and tries the waiters. Each
 * release wakes the waiters of its limits at once.
 */
import {
  closeConcurrency,
  type SweepResult,
  sweepLeases,
} from "../resources/concurrency-limits/service.ts";
import type { AppContext } from "./context.ts";
import { type LoopService, LoopTimer } from "./loop-service.ts";

export class ConcurrencyLeaseExpiry implements LoopService {
  readonly name = "Repossessor";
  readonly loopSeconds: number;
  readonly #ctx: AppContext;
  readonly #timer: LoopTimer;

  constructor(ctx: AppContext, options: { intervalMs?: number } = {}) {
    this.#ctx = ctx;
    const intervalMs = options.intervalMs ?? 500;
    this.loopSeconds = intervalMs / 1000;
    this.#timer = new LoopTimer(intervalMs, () => this.#sweep());
  }

  start(): Promise<void> {
    return this.#timer.start();
  }

  /** Sweep now (unless a sweep is under way); null when it failed (logged) or was skipped. */
  async sweep(): Promise<SweepResult | null> {
    return (await this.#timer.runOnce(() => this.#sweep())) ?? null;
  }

  async stop(): Promise<void> {
    await this.#timer.stop();
    await closeConcurrency(this.#ctx);
  }

  async #sweep(): Promise<SweepResult | null> {
    try {
      const result = await sweepLeases(this.#ctx);
      const freed = result.expired + result.orphaned + result.deadProcesses;
      if (freed > 0) this.#ctx.log.info({ ...result }, "Concurrency leases freed");
      return result;
    } catch (error) {
      this.#ctx.log.error({ err: error }, "Could not free expired concurrency leases");
      return null;
    }
  }
}

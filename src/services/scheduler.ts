/**
 * The scheduler (Prefect's `Scheduler` and `RecentDeploymentsScheduler` services): every
 * `PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS` (60) it pages through the deployments that need
 * runs (not paused, an active schedule, fewer than `MIN_RUNS` future runs or the last of them
 * less than `MIN_SCHEDULED_TIME` ahead), `DEPLOYMENT_BATCH_SIZE` at a time, and creates the runs
 * their schedules want; every `RECENT_DEPLOYMENTS_LOOP_SECONDS` (5) it does the same for the
 * deployments created or changed since its last loop (their schedules too), so a new schedule
 * has its runs within seconds. Runs are keyed by Prefect's idempotency keys and inserted ignoring
 * those taken: two schedulers (two servers, a server and a serving process) never make the same
 * run twice.
 */
import {
  deploymentsToSchedule,
  recentDeploymentsToSchedule,
  scheduleDeployments,
} from "../resources/deployments/model.ts";
import type { AppContext } from "./context.ts";
import { type LoopService, LoopTimer } from "./loop-service.ts";

/** What one loop did. */
export interface SchedulerLoopResult {
  deployments: number;
  runsCreated: number;
}

export class Scheduler implements LoopService {
  readonly name: string = "Scheduler";
  readonly loopSeconds: number;
  protected readonly ctx: AppContext;
  readonly #timer: LoopTimer;

  constructor(ctx: AppContext, options: { loopSeconds?: number } = {}) {
    this.ctx = ctx;
    this.loopSeconds = options.loopSeconds ?? ctx.settings.scheduler.loopSeconds;
    this.#timer = new LoopTimer(this.loopSeconds * 1000, () => this.#loop());
  }

  start(): Promise<void> {
    return this.#timer.start();
  }

  /** Loop now (unless a loop is under way); null when it failed (logged) or was skipped. */
  async runOnce(): Promise<SchedulerLoopResult | null> {
    return (await this.#timer.runOnce(() => this.#loop())) ?? null;
  }

  stop(): Promise<void> {
    return this.#timer.stop();
  }

  /** The next page of deployments to schedule, after `afterId` (null: the loop is done). */
  protected async page(afterId: string | undefined): Promise<string[] | null> {
    return deploymentsToSchedule(this.ctx, afterId);
  }

  async #loop(): Promise<SchedulerLoopResult | null> {
    const result = { deployments: 0, runsCreated: 0 };
    try {
      let afterId: string | undefined;
      for (;;) {
        const ids = await this.page(afterId);
        if (!ids || ids.length === 0) break;
        result.deployments += ids.length;
        result.runsCreated += (await scheduleDeployments(this.ctx, ids)).length;
        if (ids.length < this.ctx.settings.scheduler.deploymentBatchSize) break;
        afterId = [...ids].sort().at(-1);
      }
      if (result.runsCreated > 0) {
        this.ctx.log.info({ ...result }, `${this.name}: scheduled runs created`);
      }
      return result;
    } catch (error) {
      this.ctx.log.error({ err: error }, `${this.name}: could not schedule runs`);
      return null;
    }
  }
}

/** Deployments changed lately, scheduled without waiting for the scheduler's next loop. */
export class RecentDeploymentsScheduler extends Scheduler {
  override readonly name = "RecentDeploymentsScheduler";

  constructor(ctx: AppContext, options: { loopSeconds?: number } = {}) {
    super(ctx, {
      loopSeconds: options.loopSeconds ?? ctx.settings.scheduler.recentDeploymentsLoopSeconds,
    });
  }

  /** One page only: what changed in the last loop and a second. */
  protected override async page(afterId: string | undefined): Promise<string[] | null> {
    if (afterId !== undefined) return null;
    return recentDeploymentsToSchedule(this.ctx, this.loopSeconds + 1);
  }
}

/**
 * Late runs (Prefect's `MarkLateRuns` service): every `PREFECT_API_SERVICES_LATE_RUNS_LOOP_SECONDS`
 * (5) the flow runs still `Scheduled` `PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS` (15) past their
 * scheduled time are proposed `Late` (a Scheduled state named Late, with the same scheduled time)
 * through Prefect's `MarkLateRunsPolicy`: a run that moved on meanwhile is left alone, and the
 * change emits its `prefect.flow-run.Late` event.
 */
import { StateType } from "../core/state-types.ts";
import { addSeconds } from "../core/time.ts";
import { MarkLateRunsPolicy } from "../orchestration/policies.ts";
import { readRunsToMarkLate } from "../resources/flow-runs/late-runs-queries.ts";
import { setFlowRunState } from "../resources/flow-runs/model.ts";
import type { AppContext } from "./context.ts";
import { type LoopService, LoopTimer } from "./loop-service.ts";

/** Runs looked at per query (Prefect's batch size). */
const BATCH_SIZE = 400;

export class LateRuns implements LoopService {
  readonly name = "MarkLateRuns";
  readonly loopSeconds: number;
  readonly #ctx: AppContext;
  readonly #afterSeconds: number;
  readonly #timer: LoopTimer;

  constructor(ctx: AppContext, options: { loopSeconds?: number; afterSeconds?: number } = {}) {
    this.#ctx = ctx;
    this.loopSeconds = options.loopSeconds ?? ctx.settings.lateRuns.loopSeconds;
    this.#afterSeconds = options.afterSeconds ?? ctx.settings.lateRuns.afterSeconds;
    this.#timer = new LoopTimer(this.loopSeconds * 1000, () => this.#loop());
  }

  start(): Promise<void> {
    return this.#timer.start();
  }

  /** Look now (unless a look is under way): the ids marked Late, or null (failed or skipped). */
  async runOnce(): Promise<string[] | null> {
    return (await this.#timer.runOnce(() => this.#loop())) ?? null;
  }

  stop(): Promise<void> {
    return this.#timer.stop();
  }

  async #loop(): Promise<string[] | null> {
    const marked: string[] = [];
    try {
      const seen = new Set<string>();
      for (;;) {
        const before = addSeconds(this.#ctx.clock.nowIso(), -this.#afterSeconds);
        const runs = (await readRunsToMarkLate(this.#ctx.database, before, BATCH_SIZE)).filter(
          (r) => !seen.has(r.id),
        );
        if (runs.length === 0) break;
        for (const run of runs) {
          seen.add(run.id);
          const outcome = await setFlowRunState(
            this.#ctx,
            run.id,
            {
              type: StateType.SCHEDULED,
              name: "Late",
              state_details: { scheduled_time: run.next_scheduled_start_time },
            },
            { policy: MarkLateRunsPolicy },
          ).catch((error: unknown) => {
            this.#ctx.log.error({ err: error, flowRunId: run.id }, "Could not mark a run late");
            return null;
          });
          if (outcome?.result.status === "ACCEPT") marked.push(run.id);
        }
      }
      return marked;
    } catch (error) {
      this.#ctx.log.error({ err: error }, "Could not mark late runs");
      return null;
    }
  }
}

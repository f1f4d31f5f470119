/**
 * Zombie flow runs: a `Running` flow run whose process is gone is marked `Crashed`, with a message
 * saying why, through the orchestration path (the flow-run policy, its `prefect.flow-run.Crashed`
 * event), and its unfinished task runs end `Crashed` with it. A run is a zombie when
 *
 * - its `infrastructure_pid` (`"<hostname>:<pid>"`, recorded by the engine as the run starts)
 *   names this host and no process has that pid any more — found within one loop; or
 * - it has sent heartbeats (`prefect.flow-run.heartbeat`) but none for `afterSeconds` (90 s by
 *   default, the window of Prefect's zombie-flow automation) — or for three beats at the frequency
 *   its heartbeats declare (Prefect's default, 180 s, when they declare none), if longer — counted
 *   from the later of its last heartbeat and its entering Running: this covers processes on other
 *   hosts. Runs that never sent a heartbeat are left to the first rule.
 *
 * The server runs it as a loop service (every `PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS`,
 * 5 by default); a process opening an embedded database runs it once, in the background, for
 * processes of this host only. Each loop is one query (the Running runs with their process and last
 * heartbeat), a liveness check per local pid (`kill(pid, 0)`), and writes only for zombies.
 */
import { hostname } from "node:os";
import { isProcessAlive as isAlive, localPid } from "../core/processes.ts";
import { StateType } from "../core/state-types.ts";
import { setFlowRunState } from "../resources/flow-runs/model.ts";
import {
  type RunningFlowRun,
  readRunningFlowRuns,
  readUnfinishedTaskRuns,
} from "../resources/flow-runs/zombie-queries.ts";
import { endedTaskRun } from "../resources/task-runs/ended-task-run.ts";
import { recordTaskRunTransitions } from "../resources/task-runs/record-transitions.ts";
import type { AppContext } from "./context.ts";
import { type LoopService, LoopTimer } from "./loop-service.ts";

export interface ZombieFlowRunsOptions {
  /** Between loops, in milliseconds; null: one check at start (the embedded client). */
  intervalMs: number | null;
  /** Crash a run after this many seconds without a heartbeat; null: by dead local process only. */
  afterSeconds: number | null;
  /** This host's name, as the engine records it (default `os.hostname()`). */
  hostname?: string;
}

/** A zombie found and crashed. */
export interface CrashedZombie {
  flowRunId: string;
  message: string;
  /** Its task runs crashed with it. */
  taskRuns: number;
}

/**
 * Prefect's default `PREFECT_FLOWS_HEARTBEAT_FREQUENCY`: the frequency assumed for a run whose
 * heartbeats do not declare theirs (a Prefect client's).
 */
const PREFECT_HEARTBEAT_SECONDS = 180;

/** Task runs crashed per write. */
const TASK_RUN_BATCH = 500;

export class ZombieFlowRuns implements LoopService {
  readonly name = "ZombieFlowRuns";
  readonly loopSeconds: number;
  readonly #ctx: AppContext;
  readonly #afterMs: number | null;
  readonly #hostname: string;
  readonly #timer: LoopTimer | null;
  #once: Promise<unknown> | null = null;

  constructor(ctx: AppContext, options: ZombieFlowRunsOptions) {
    this.#ctx = ctx;
    this.#afterMs = options.afterSeconds === null ? null : options.afterSeconds * 1000;
    this.#hostname = options.hostname ?? hostname();
    this.loopSeconds =
      options.intervalMs === null ? Number.POSITIVE_INFINITY : options.intervalMs / 1000;
    this.#timer =
      options.intervalMs === null
        ? null
        : new LoopTimer(options.intervalMs, () => this.#checkOnce());
  }

  /** Look now, then every interval until `stop()` (once only, without an interval). Never rejects. */
  start(): Promise<void> {
    if (this.#timer) return this.#timer.start();
    this.#once ??= this.#checkOnce();
    return this.#once.then(() => undefined);
  }

  /**
   * Look now (unless a look is under way): resolves with the zombies crashed, or null when the look
   * failed (logged) or was skipped. Never rejects.
   */
  async check(): Promise<CrashedZombie[] | null> {
    if (!this.#timer) return this.#checkOnce();
    return (await this.#timer.runOnce(() => this.#checkOnce())) ?? null;
  }

  /** Stop looking, and wait for a look under way to end. */
  async stop(): Promise<void> {
    await this.#timer?.stop();
    await this.#once;
  }

  async #checkOnce(): Promise<CrashedZombie[] | null> {
    try {
      const running = await readRunningFlowRuns(this.#ctx.database, this.#afterMs !== null);
      const crashed: CrashedZombie[] = [];
      for (const run of running) {
        const message = this.#whyZombie(run);
        if (message === null) continue;
        try {
          const zombie = await this.#crash(run, message);
          if (zombie) crashed.push(zombie);
        } catch (error) {
          // the next look tries again; the other zombies are not held up
          this.#ctx.log.error(
            { err: error, flowRunId: run.id },
            "Could not crash a zombie flow run",
          );
        }
      }
      return crashed;
    } catch (error) {
      this.#ctx.log.error({ err: error }, "Could not look for flow runs whose process is gone");
      return null;
    }
  }

  /** Why the run is a zombie, or null when it is not known to be one. */
  #whyZombie(run: RunningFlowRun): string | null {
    const pid = localPid(run.infrastructure_pid, this.#hostname);
    if (pid !== null) {
      // a process of this host is seen: alive (even if too busy to beat), or gone
      if (isAlive(pid)) return null;
      return `The process running this flow run (${run.infrastructure_pid}) is gone: it exited without reporting a final state.`;
    }
    if (this.#afterMs === null || run.last_heartbeat === null) return null;
    // three missed beats at least: at the frequency the run declares, else Prefect's default
    const beatMs = (run.heartbeat_seconds ?? PREFECT_HEARTBEAT_SECONDS) * 1000;
    const limitMs = Math.max(this.#afterMs, 3 * beatMs);
    const lastSign = Math.max(
      Date.parse(run.last_heartbeat),
      run.state_timestamp ? Date.parse(run.state_timestamp) : 0,
    );
    const silentMs = Date.parse(this.#ctx.clock.nowIso()) - lastSign;
    if (!(silentMs > limitMs)) return null;
    const who = run.infrastructure_pid ? ` (${run.infrastructure_pid})` : "";
    return `No heartbeat from the process running this flow run${who} for ${Math.round(silentMs / 1000)} s (the limit is ${limitMs / 1000} s): it is presumed gone.`;
  }

  /** Crash the run if it is still in the Running state seen, then its unfinished task runs. */
  async #crash(run: RunningFlowRun, message: string): Promise<CrashedZombie | null> {
    const ctx = this.#ctx;
    const outcome = await setFlowRunState(
      ctx,
      run.id,
      { type: StateType.CRASHED, name: "Crashed", message },
      // only the Running state seen is replaced: a run that moved on meanwhile is left be
      { expectedStateId: run.state_id },
    );
    if (outcome.result.status !== "ACCEPT") return null;
    // task-run events received before the process died are recorded first
    await ctx.events.settle();
    const done = new Set<string>();
    for (;;) {
      const unfinished = (
        await readUnfinishedTaskRuns(ctx.database, run.id, TASK_RUN_BATCH)
      ).filter((taskRun) => !done.has(taskRun.id));
      if (unfinished.length === 0) break;
      const now = ctx.clock.nowIso();
      await recordTaskRunTransitions(
        ctx,
        unfinished.map((taskRun) =>
          endedTaskRun(taskRun, { type: StateType.CRASHED, name: "Crashed", message }, now),
        ),
      );
      for (const taskRun of unfinished) done.add(taskRun.id);
    }
    const taskRuns = done.size;
    ctx.log.info({ flowRunId: run.id, taskRuns }, `Flow run ${run.id} marked Crashed: ${message}`);
    return { flowRunId: run.id, message, taskRuns };
  }
}

/**
 * Cancellation cleanup (Prefect's `CancellationCleanup` service): what a cancellation leaves behind
 * is ended, through the orchestration path (the flow-run policy and its `prefect.flow-run.*` events):
 *
 * 1. a `Cancelling` flow run that nothing can stop any more ends `Cancelled`: it has no recorded
 *    process (`infrastructure_pid`: it never started, and cannot start now), or its process was on
 *    this host and is gone, or (`cancellingTimeoutSeconds`, ours) it has been Cancelling that long;
 *    a run whose process is alive is left to whoever stops it — its worker or serving process, or,
 *    for a run without a deployment, the engine running it, which watches for its cancellation;
 * 2. an unfinished subflow run of a `Cancelled` flow run ends `Cancelled` (`Cancelling` when it is
 *    a deployment's run, so that its worker stops its process), saying which parent was cancelled
 *    — then the subflows of those, and so on;
 * 3. the unfinished task runs of flow runs `Cancelled` in the last day end `Cancelled` ("The parent
 *    flow run was cancelled.", as Prefect), written in bulk as the recorder writes task runs.
 *
 * The server runs it as a loop service (every `PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS`,
 * 20 by default, as Prefect); a process opening an embedded database runs it once, in the
 * background. Every read is one keyset-paged query (no read per run); writes are only for what
 * changes.
 */
import { hostname } from "node:os";
import { isProcessAlive, localPid } from "../core/processes.ts";
import type { TaskRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { addSeconds, compareIso } from "../core/time.ts";
import {
  type CancellingFlowRun,
  readCancellingFlowRuns,
  readSubflowRunsOfCancelledParents,
  readUnfinishedTaskRunsOfCancelledFlowRuns,
} from "../resources/flow-runs/cancellation-queries.ts";
import { setFlowRunState } from "../resources/flow-runs/model.ts";
import { endedTaskRun } from "../resources/task-runs/ended-task-run.ts";
import { recordTaskRunTransitions } from "../resources/task-runs/record-transitions.ts";
import type { AppContext } from "./context.ts";
import { type LoopService, LoopTimer } from "./loop-service.ts";

export interface CancellationCleanupOptions {
  /** Between loops, in milliseconds; null: one look at start (the embedded client). */
  intervalMs: number | null;
  /** End runs Cancelling longer than this many seconds whatever their process; null: never. */
  cancellingTimeoutSeconds: number | null;
  /** This host's name, as the engine records it (default `os.hostname()`). */
  hostname?: string;
}

/** What one look ended. */
export interface CleanupResult {
  /** Cancelling flow runs ended Cancelled. */
  cancelled: string[];
  /** Subflow runs of cancelled flow runs ended Cancelled (or Cancelling). */
  subflowRuns: string[];
  /** Task runs of cancelled flow runs ended Cancelled. */
  taskRuns: number;
}

/** Rows read per query (Prefect's batch size). */
const BATCH_SIZE = 200;
/** Levels of nested subflows ended in one look (deeper ones in the next). */
const MAX_SUBFLOW_DEPTH = 20;
/** Task runs of flow runs cancelled this long ago (seconds) are no longer looked at (Prefect's day). */
const TASK_RUNS_WITHIN_SECONDS = 86_400;
/** Before every id: where a keyset scan starts. */
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Prefect's message for a task run (and subflow run) whose flow run was cancelled. */
export const PARENT_CANCELLED_MESSAGE = "The parent flow run was cancelled.";

export class CancellationCleanup implements LoopService {
  readonly name = "CancellationCleanup";
  readonly loopSeconds: number;
  readonly #ctx: AppContext;
  readonly #timeoutSeconds: number | null;
  readonly #hostname: string;
  readonly #timer: LoopTimer | null;
  #once: Promise<unknown> | null = null;

  constructor(ctx: AppContext, options: CancellationCleanupOptions) {
    this.#ctx = ctx;
    this.#timeoutSeconds = options.cancellingTimeoutSeconds;
    this.#hostname = options.hostname ?? hostname();
    this.loopSeconds =
      options.intervalMs === null ? Number.POSITIVE_INFINITY : options.intervalMs / 1000;
    this.#timer =
      options.intervalMs === null
        ? null
        : new LoopTimer(options.intervalMs, () => this.#lookOnce());
  }

  /** Look now, then every interval until `stop()` (once only, without an interval). Never rejects. */
  start(): Promise<void> {
    if (this.#timer) return this.#timer.start();
    this.#once ??= this.#lookOnce();
    return this.#once.then(() => undefined);
  }

  /**
   * Look now (unless a look is under way): what was ended, or null when the look failed (logged)
   * or was skipped. Never rejects.
   */
  async runOnce(): Promise<CleanupResult | null> {
    if (!this.#timer) return this.#lookOnce();
    return (await this.#timer.runOnce(() => this.#lookOnce())) ?? null;
  }

  /** Stop looking, and wait for a look under way to end. */
  async stop(): Promise<void> {
    await this.#timer?.stop();
    await this.#once;
  }

  async #lookOnce(): Promise<CleanupResult | null> {
    try {
      // in this order, so that one look carries a cancellation down: runs, their subflows, tasks
      const cancelled = await this.#endCancellingRuns();
      const subflowRuns = await this.#endSubflowRuns();
      const taskRuns = await this.#endTaskRuns();
      return { cancelled, subflowRuns, taskRuns };
    } catch (error) {
      this.#ctx.log.error({ err: error }, "Could not clean up cancelled flow runs");
      return null;
    }
  }

  async #endCancellingRuns(): Promise<string[]> {
    const ended: string[] = [];
    for (let after = NIL_UUID; ; ) {
      const runs = await readCancellingFlowRuns(this.#ctx.database, after, BATCH_SIZE);
      for (const run of runs) {
        const message = this.#whyNothingStopsIt(run);
        if (message === null) continue;
        const done = await this.#propose(run.id, run.state_id, StateType.CANCELLED, message);
        if (done) ended.push(run.id);
      }
      if (runs.length < BATCH_SIZE) return ended;
      after = (runs.at(-1) as CancellingFlowRun).id;
    }
  }

  /** Why nothing will stop this Cancelling run (its message once Cancelled), or null. */
  #whyNothingStopsIt(run: CancellingFlowRun): string | null {
    if (!run.infrastructure_pid)
      return "The flow run had no infrastructure to stop: it was cancelled before any process ran it.";
    const pid = localPid(run.infrastructure_pid, this.#hostname);
    if (pid !== null && !isProcessAlive(pid))
      return `The process that ran this flow run (${run.infrastructure_pid}) is gone: the flow run was cancelled.`;
    if (this.#timeoutSeconds !== null && run.state_timestamp) {
      const deadline = addSeconds(run.state_timestamp, this.#timeoutSeconds);
      if (compareIso(this.#ctx.clock.nowIso(), deadline) > 0)
        return `The flow run was still Cancelling ${this.#timeoutSeconds} s after cancellation was requested: it is marked Cancelled.`;
    }
    return null;
  }

  async #endSubflowRuns(): Promise<string[]> {
    const ended: string[] = [];
    // each pass ends one level: a cancelled subflow's own subflows are found by the next pass
    for (let depth = 0; depth < MAX_SUBFLOW_DEPTH; depth++) {
      const before = ended.length;
      for (let after = NIL_UUID; ; ) {
        const runs = await readSubflowRunsOfCancelledParents(this.#ctx.database, after, BATCH_SIZE);
        for (const run of runs) {
          const message = `The parent flow run '${run.parent_flow_run_name}' (${run.parent_flow_run_id}) was cancelled.`;
          // a deployment's run is stopped by its worker: it is told Cancelling, as Prefect does
          const type = run.deployment_id ? StateType.CANCELLING : StateType.CANCELLED;
          if (await this.#propose(run.id, run.state_id, type, message)) ended.push(run.id);
        }
        if (runs.length < BATCH_SIZE) break;
        after = runs.at(-1)?.id ?? after;
      }
      if (ended.length === before) break;
    }
    return ended;
  }

  async #endTaskRuns(): Promise<number> {
    const ctx = this.#ctx;
    const since = addSeconds(ctx.clock.nowIso(), -TASK_RUNS_WITHIN_SECONDS);
    let count = 0;
    for (let after = NIL_UUID; ; ) {
      const runs = await readUnfinishedTaskRunsOfCancelledFlowRuns(
        ctx.database,
        since,
        after,
        BATCH_SIZE,
      );
      if (runs.length > 0) {
        // task-run records of the cancelled process received before now are written first
        await ctx.events.settle();
        const now = ctx.clock.nowIso();
        await recordTaskRunTransitions(
          ctx,
          runs.map((run) =>
            endedTaskRun(
              run,
              { type: StateType.CANCELLED, name: "Cancelled", message: PARENT_CANCELLED_MESSAGE },
              now,
            ),
          ),
        );
        count += runs.length;
      }
      if (runs.length < BATCH_SIZE) return count;
      after = (runs.at(-1) as TaskRun).id;
    }
  }

  /** Propose `type` for a flow run still in the state seen; true when it was accepted. */
  async #propose(
    id: string,
    stateId: string | null,
    type: StateType,
    message: string,
  ): Promise<boolean> {
    const name = type === StateType.CANCELLED ? "Cancelled" : "Cancelling";
    try {
      const outcome = await setFlowRunState(
        this.#ctx,
        id,
        { type, name, message },
        // only the state seen is replaced: a run that moved on meanwhile is left be
        { expectedStateId: stateId },
      );
      const accepted = outcome.result.status === "ACCEPT";
      // a Cancelling proposal answered Cancelled (a run with no infrastructure) ended it too
      const state = outcome.result.state;
      // (a run found moved on is answered REJECT with its state and nothing written)
      if (accepted || (outcome.written && state?.type === StateType.CANCELLED)) {
        this.#ctx.log.info({ flowRunId: id }, `Flow run ${id} marked ${state?.name}: ${message}`);
        return true;
      }
      return false;
    } catch (error) {
      // the next look tries again; the other runs are not held up
      this.#ctx.log.error({ err: error, flowRunId: id }, "Could not end a cancelled flow run");
      return false;
    }
  }
}

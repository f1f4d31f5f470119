/**
 * What a serving process and a worker share once they know of a flow run: wait for its start
 * time, claim it (a `Pending` proposal only one proposer wins), start it within the limit, and
 * settle what its process could not — `Crashed` when it died or could not run it, `Cancelled` once
 * a cancelled run's process has ended. Also how they stop: no new runs, a grace period for the
 * runs under way, then their processes are told to stop.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import type { FlowRun } from "../core/runs.ts";
import { StateType, TERMINAL_STATE_TYPES } from "../core/state-types.ts";
import type { RunLogger } from "../engine/logging.ts";
import type { RunOutcome } from "./child-pool.ts";

export interface LauncherOptions {
  client: PrefectClient;
  log: RunLogger;
  /** Runs under way at most. */
  limit: number;
  /** Who starts runs, in messages (`Runner`, `Worker 'name'`). */
  label: string;
  /** The name of the Pending state proposed to claim a run (Prefect's worker: `Submitting`). */
  claimName: string;
  /** Runs under way in the executor (a run is counted from its claim until its process ends). */
  busy: () => number;
  /** Start a claimed run; resolves when its process is done with it. */
  start: (run: FlowRun) => Promise<RunOutcome>;
  /** Cancel a run under way (its process ends, then `start` resolves `cancelled`); false: unknown. */
  cancel: (flowRunId: string, message: string) => boolean;
  /** Told when the queue ran dry after a full page (more scheduled runs may be due). */
  wantMore?: () => void;
}

export class Launcher {
  readonly #o: LauncherOptions;
  /** Flow runs known and not finished with. */
  readonly #known = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<string>();
  #queue: FlowRun[] = [];
  #claiming = 0;
  readonly #active = new Set<Promise<void>>();
  #stopping = false;
  #checker: NodeJS.Timeout | null = null;
  #checking = false;
  morePending = false;

  constructor(options: LauncherOptions) {
    this.#o = options;
  }

  /** The flow runs claimed and under way here. */
  get running(): ReadonlySet<string> {
    return this.#running;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  knows(id: string): boolean {
    return this.#known.has(id);
  }

  /** A Scheduled run this process may start: run it when due. */
  consider(run: FlowRun): void {
    if (this.#stopping || this.#known.has(run.id) || run.state_type !== StateType.SCHEDULED) return;
    this.#known.add(run.id);
    const at = run.next_scheduled_start_time ?? run.state?.state_details.scheduled_time ?? null;
    const delay = at ? Date.parse(at) - Date.now() : 0;
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.#timers.delete(run.id);
        this.#queue.push(run);
        this.pump();
      }, delay);
      this.#timers.set(run.id, timer);
      return;
    }
    this.#queue.push(run);
    this.pump();
  }

  pump(): void {
    if (this.#queue.length === 0 && this.morePending) {
      this.morePending = false;
      this.#o.wantMore?.();
    }
    while (
      !this.#stopping &&
      this.#queue.length > 0 &&
      this.#o.busy() + this.#claiming < this.#o.limit
    ) {
      const run = this.#queue.shift() as FlowRun;
      this.#claiming++;
      const task = this.#launch(run).finally(() => this.#active.delete(task));
      this.#active.add(task);
    }
  }

  /**
   * A run entered Cancelling: one waiting here is dropped (and marked Cancelled); one under way
   * has its process ended. False when this process does not have it.
   */
  cancel(flowRunId: string, message: string): boolean {
    const timer = this.#timers.get(flowRunId);
    const queued = this.#queue.findIndex((r) => r.id === flowRunId);
    if (timer || queued >= 0) {
      clearTimeout(timer);
      this.#timers.delete(flowRunId);
      if (queued >= 0) this.#queue.splice(queued, 1);
      this.#known.delete(flowRunId);
      void this.#markCancelled(flowRunId, message);
      return true;
    }
    if (!this.#running.has(flowRunId)) return false;
    this.#o.log.info(`${this.#o.label}: cancelling flow run '${flowRunId}'`);
    return this.#o.cancel(flowRunId, message);
  }

  /**
   * Look for cancellations of the runs under way every `ms` (the fallback of the push, and the
   * only way on a local database whose notices do not say what changed).
   */
  checkCancellations(ms: number): void {
    this.#checker = setInterval(() => void this.#checkCancellations(), ms);
    this.#checker.unref();
  }

  async #checkCancellations(): Promise<void> {
    if (this.#checking || this.#running.size === 0) return;
    this.#checking = true;
    try {
      const runs = await this.#o.client.readFlowRuns({
        flow_runs: {
          id: { any_: [...this.#running] },
          state: { type: { any_: [StateType.CANCELLING] } },
        },
      });
      for (const run of runs) this.cancel(run.id, run.state?.message ?? "Flow run was cancelled.");
    } catch {
      // the next look
    } finally {
      this.#checking = false;
    }
  }

  async #launch(run: FlowRun): Promise<void> {
    try {
      // only if it is still the Scheduled state read: another process may have run it already
      const result = await this.#o.client.setFlowRunState(
        run.id,
        { type: StateType.PENDING, name: this.#o.claimName, state_details: {} },
        { expectedStateId: run.state_id },
      );
      if (result.status !== "ACCEPT" || !result.state) {
        // taken by another process, cancelled, or sent back to wait (a concurrency slot): the
        // event of its next Scheduled state brings it back
        this.#known.delete(run.id);
        if (result.state?.type === StateType.SCHEDULED) this.#o.wantMore?.();
        return;
      }
      run.state = result.state;
      run.state_id = result.state.id;
      run.state_type = result.state.type;
      run.state_name = result.state.name;
    } catch (error) {
      this.#known.delete(run.id);
      this.#o.log.warning(
        `${this.#o.label}: could not claim flow run '${run.name}': ${describe(error)}`,
      );
      return;
    } finally {
      this.#claiming--;
    }
    this.#running.add(run.id);
    let outcome: RunOutcome;
    try {
      outcome = await this.#o.start(run);
    } catch (error) {
      outcome = { kind: "refused", message: describe(error) };
    }
    this.#running.delete(run.id);
    this.#known.delete(run.id);
    if (outcome.kind === "cancelled") await this.#markCancelled(run.id, null, outcome.ended);
    else if (outcome.kind !== "finished") await this.crash(run, outcome.message);
    this.pump();
  }

  /**
   * The run's process could not run it, or died under it: Crashed, unless it had ended (or, given
   * `expectedStateId`, unless it left that state).
   */
  async crash(run: FlowRun, message: string, expectedStateId?: string): Promise<void> {
    this.#o.log.error(`${this.#o.label}: flow run '${run.name}' (${run.id}): ${message}`);
    try {
      const current = await this.#o.client.readFlowRun(run.id);
      if (current.state_type && TERMINAL_STATE_TYPES.has(current.state_type)) return;
      if (expectedStateId && current.state_id !== expectedStateId) return;
      if (current.state_type === StateType.CANCELLING) {
        // it was being cancelled as it ended: that is what it was asked
        await this.#markCancelled(run.id, null);
        return;
      }
      const result = await this.#o.client.setFlowRunState(
        run.id,
        { type: StateType.CRASHED, name: "Crashed", message, state_details: {} },
        { force: true, expectedStateId },
      );
      if (result.status === "ACCEPT") await this.#crashTaskRuns(run.id, message);
    } catch (error) {
      this.#o.log.error(
        `${this.#o.label}: could not mark flow run '${run.name}' Crashed: ${describe(error)}`,
      );
    }
  }

  /** The task runs its dead process left under way end Crashed with it (as the zombie service's do). */
  async #crashTaskRuns(flowRunId: string, message: string): Promise<void> {
    const unfinished = await this.#o.client.readTaskRuns({
      flowRunIds: [flowRunId],
      stateTypes: [StateType.PENDING, StateType.RUNNING],
    });
    await Promise.all(
      unfinished.map((t) =>
        this.#o.client.setTaskRunState(
          t.id,
          { type: StateType.CRASHED, name: "Crashed", message, state_details: {} },
          { force: true },
        ),
      ),
    );
  }

  /** Its process has ended: the run is Cancelled (Prefect's `_mark_flow_run_as_cancelled`). */
  async #markCancelled(id: string, message: string | null, hooksRan = false): Promise<void> {
    const state = {
      type: StateType.CANCELLED,
      name: "Cancelled",
      message:
        message ??
        (hooksRan
          ? "Flow run was cancelled."
          : "Flow run was cancelled; its process was ended before it finished."),
      state_details: {},
    };
    try {
      const result = await this.#o.client.setFlowRunState(id, state);
      if (result.status === "ACCEPT") return;
      const current = await this.#o.client.readFlowRun(id);
      if (current.state_type && TERMINAL_STATE_TYPES.has(current.state_type)) {
        // the process may have ended it Crashed as it was stopped: cancelled is what happened
        if (current.state_type !== StateType.CRASHED) return;
      }
      await this.#o.client.setFlowRunState(id, state, { force: true });
    } catch (error) {
      this.#o.log.error(
        `${this.#o.label}: could not mark flow run '${id}' Cancelled: ${describe(error)}`,
      );
    }
  }

  /**
   * Take no new runs; resolves once the runs under way have ended or `graceMs` passed (true when
   * they all ended).
   */
  async stop(graceMs: number): Promise<boolean> {
    this.#stopping = true;
    if (this.#checker) clearInterval(this.#checker);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue = [];
    const allDone = Promise.allSettled([...this.#active]);
    let grace: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      allDone.then(() => true),
      new Promise<boolean>((ok) => {
        grace = setTimeout(() => ok(false), graceMs);
      }),
    ]);
    clearTimeout(grace);
    return ended;
  }

  /** Resolves once every run under way has been settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#active]);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

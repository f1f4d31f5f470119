/**
 * The write queue of client-side orchestration: task-run transitions, log records and artifacts
 * (`artifact-queue.ts`) are buffered and shipped in batches — when a batch fills, on a short
 * timer, at the end of every top-level flow run, and on SIGTERM/SIGINT — so the hot path never
 * waits on a database write or round trip.
 */
import type { PrefectClient, TaskRunTransition } from "../client/prefect-client.ts";
import type { Event } from "../core/events.ts";
import type { LogRecord, TaskRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";
import { type ArtifactOp, shipArtifactOps } from "./artifact-queue.ts";
import type { LogShipper } from "./logging.ts";

export interface RunRecorderOptions {
  /** Flush when this many records are queued (default 5000). */
  maxBatch?: number;
  /** Flush this long after the first queued record (default 200 ms). */
  intervalMs?: number;
}

export class RunRecorder implements LogShipper {
  readonly #client: PrefectClient;
  readonly #maxBatch: number;
  readonly #intervalMs: number;
  #transitions: TaskRunTransition[] = [];
  #logs: LogRecord[] = [];
  #artifacts: ArtifactOp[] = [];
  /** Events of the runs (asset events), sent after the transitions shipped with them. */
  #events: Event[] = [];
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  /** The shipment waiting for the one under way to end, if any. */
  #queued: Promise<void> | null = null;

  constructor(client: PrefectClient, options: RunRecorderOptions = {}) {
    this.#client = client;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#intervalMs = options.intervalMs ?? 20;
  }

  /** Queue one task-run transition (the run object is recorded as it stands when shipped). */
  recordTaskRun(run: TaskRun, state: StateRecord): void {
    this.#transitions.push({ run, state });
    this.#schedule();
  }

  log(record: LogRecord): void {
    this.#logs.push(record);
    this.#schedule();
  }

  /** Queue an artifact's creation or change (shipped in order, after the task runs). */
  artifact(op: ArtifactOp): void {
    this.#artifacts.push(op);
    this.#schedule();
  }

  /** Queue an event a run emits (sent with the next shipment, after its task-run transitions). */
  event(event: Event): void {
    this.#events.push(event);
    this.#schedule();
  }

  #schedule(): void {
    if (
      this.#transitions.length + this.#logs.length + this.#artifacts.length + this.#events.length >=
      this.#maxBatch
    ) {
      // at once: a server records this batch while the flow goes on, and a run of tasks that
      // never waits for I/O would otherwise send everything as it ends (and wait for all of it to
      // be recorded before its final state); in process the writes take this thread either way,
      // and written now they free their records (fewer live objects for the collector to copy)
      void this.flush().catch(() => undefined);
      return;
    }
    if (this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.flush().catch(() => undefined);
      }, this.#intervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Ship everything queued so far; resolves when it is stored. A failed write keeps its records
   * queued for the next flush and rejects.
   */
  flush(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    // one shipment waits behind the one under way, and takes everything queued by the time it
    // starts: flushes asked for meanwhile (timers during an outage) join it rather than queue up
    if (this.#queued) return this.#queued;
    const next = this.#inFlight.then(() => {
      this.#queued = null;
      return this.#ship();
    });
    this.#queued = next;
    // the caller of flush() sees a failure; the chain carries on (the records stay queued)
    this.#inFlight = next.catch(() => undefined);
    return next;
  }

  async #ship(): Promise<void> {
    const transitions = this.#transitions;
    const logs = this.#logs;
    const artifacts = this.#artifacts;
    const events = this.#events;
    if (
      transitions.length === 0 &&
      logs.length === 0 &&
      artifacts.length === 0 &&
      events.length === 0
    )
      return;
    this.#transitions = [];
    this.#logs = [];
    this.#artifacts = [];
    this.#events = [];
    try {
      if (transitions.length > 0) await this.#client.recordTaskRunTransitions(transitions);
    } catch (error) {
      this.#transitions = transitions.concat(this.#transitions);
      this.#logs = logs.concat(this.#logs);
      this.#artifacts = artifacts.concat(this.#artifacts);
      this.#events = events.concat(this.#events);
      throw error;
    }
    try {
      if (events.length > 0) await this.#client.emitEvents(events);
    } catch (error) {
      this.#logs = logs.concat(this.#logs);
      this.#artifacts = artifacts.concat(this.#artifacts);
      this.#events = events.concat(this.#events);
      throw error;
    }
    try {
      if (logs.length > 0) await this.#client.createLogs(logs);
    } catch (error) {
      this.#logs = logs.concat(this.#logs);
      this.#artifacts = artifacts.concat(this.#artifacts);
      throw error;
    }
    if (artifacts.length === 0) return;
    const unshipped = await shipArtifactOps(this.#client, artifacts);
    if (unshipped) {
      this.#artifacts = unshipped.ops.concat(this.#artifacts);
      throw unshipped.error;
    }
  }
}

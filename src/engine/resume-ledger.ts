/**
 * Resume from failure: the task runs of a flow run that completed, by their identity across
 * attempts, so a retried attempt (flow `retries`, or a manual retry that attaches to the run)
 * reuses their results instead of running them again.
 *
 * The identity of "the same task run" across attempts of one flow run is
 * `md5(task key, hash of the inputs, n)` — the task key holds the task's name and a hash of its
 * source, the inputs are hashed canonically, and `n` counts earlier calls of that task with equal
 * inputs in the same attempt (0 for the first). Changed inputs or source → a new identity → the
 * task runs. Results kept in memory serve retries in the same process; persisted results are
 * also written, when an attempt does not complete, to `<storage>/resume/<flow run id>.json`
 * so that another process attached to the run finds them.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ResultRecordMetadata } from "../results/result-record.ts";
import { defaultResultStorage } from "../results/result-store.ts";

export interface ResumeEntry {
  taskRunId: string;
  attempt: number;
  /** The value, when this process has it. */
  value?: unknown;
  hasValue: boolean;
  persisted: ResultRecordMetadata | null;
}

export class ResumeLedger {
  readonly flowRunId: string;
  /** Whether every task (not only persisted ones) is remembered: the flow may run again here. */
  inMemory: boolean;
  attempt = 1;
  readonly #entries = new Map<string, ResumeEntry>();
  readonly #previous = new Map<string, ResumeEntry>();
  #counts = new Map<string, number>();

  /** False when the flow opted out (`resume: false`): nothing is remembered or reused. */
  readonly enabled: boolean;

  constructor(flowRunId: string, inMemory: boolean, enabled = true) {
    this.flowRunId = flowRunId;
    this.enabled = enabled;
    this.inMemory = enabled && inMemory;
  }

  /** The identity of the next call of `taskKey` with inputs hashing to `inputsHash`. */
  identity(taskKey: string, inputsHash: string): string {
    const base = `${taskKey}\u0000${inputsHash}`;
    const n = this.#counts.get(base) ?? 0;
    this.#counts.set(base, n + 1);
    return createHash("md5").update(`${base}\u0000${n}`).digest("hex");
  }

  /** A completed run of an earlier attempt with this identity. */
  earlier(id: string): ResumeEntry | undefined {
    return this.#previous.get(id);
  }

  remember(id: string, entry: ResumeEntry): void {
    this.#entries.set(id, entry);
  }

  /** A new attempt begins: what completed so far becomes reusable, counts restart. */
  newAttempt(attempt: number): void {
    this.attempt = attempt;
    for (const [k, v] of this.#entries) this.#previous.set(k, v);
    this.#entries.clear();
    this.#counts = new Map();
  }

  #file(): string {
    return join("resume", `${this.flowRunId}.json`);
  }

  /** Write the persisted entries (for a manual retry in another process). */
  async save(): Promise<void> {
    const out: Record<
      string,
      { taskRunId: string; attempt: number; persisted: ResultRecordMetadata }
    > = {};
    for (const map of [this.#previous, this.#entries])
      for (const [k, v] of map)
        if (v.persisted)
          out[k] = { taskRunId: v.taskRunId, attempt: v.attempt, persisted: v.persisted };
    if (Object.keys(out).length === 0) return;
    await defaultResultStorage().write(this.#file(), Buffer.from(JSON.stringify({ entries: out })));
  }

  /** Load what earlier processes saved for this flow run. */
  async load(): Promise<void> {
    const bytes = await defaultResultStorage().read(this.#file());
    if (!bytes) return;
    const parsed = JSON.parse(bytes.toString("utf8")) as {
      entries?: Record<
        string,
        { taskRunId: string; attempt: number; persisted: ResultRecordMetadata }
      >;
    };
    for (const [k, v] of Object.entries(parsed.entries ?? {}))
      this.#previous.set(k, {
        taskRunId: v.taskRunId,
        attempt: v.attempt,
        hasValue: false,
        persisted: v.persisted,
      });
  }
}

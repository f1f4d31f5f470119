/**
 * States as SDK users see them: `type`, `name`, `message`, `timestamp` and the run's result, with
 * predicates and `result()`. The wire form (`StateRecord`) is what the orchestration core stores.
 */
import { uuid7 } from "../core/ids.ts";
import { MissingResultError, stateError } from "../core/run-errors.ts";
import { emptyStateDetails, type StateDetails, type StateRecord } from "../core/state.ts";
import { defaultStateName, StateType, TERMINAL_STATE_TYPES } from "../core/state-types.ts";
import { nowIso } from "../core/time.ts";
import { isResultRecordMetadata, type ResultRecordMetadata } from "../results/result-record.ts";
import { readResultFromMetadata } from "../results/result-store.ts";

export interface StateOptions<T = unknown> {
  name?: string;
  message?: string | null;
  data?: T;
  timestamp?: string;
  stateDetails?: Partial<StateDetails>;
}

/** `Completed`, `AwaitingRetry`-style names of each type (its default name without spaces). */
const TYPE_NAMES = Object.fromEntries(
  Object.values(StateType).map((t) => [t, defaultStateName(t).replace(/ /g, "")]),
) as Record<StateType, string>;

const NO_DATA: unique symbol = Symbol("prefect-ts.no-data");

export class State<T = unknown> {
  id: string;
  type: StateType;
  name: string;
  timestamp: string;
  message: string | null;
  stateDetails: StateDetails;
  /** The result value (completed) or the error (failed/crashed), when this process has it. */
  data: T | typeof NO_DATA;
  /**
   * Where the result is persisted (`data` on the wire: Prefect's ResultRecordMetadata). A
   * prototype default (null), so plain states carry no extra own property.
   */
  declare persisted: ResultRecordMetadata | null;

  constructor(type: StateType, options: StateOptions<T> = {}) {
    this.id = uuid7();
    this.type = type;
    this.name = options.name ?? defaultStateName(type);
    this.timestamp = options.timestamp ?? nowIso();
    this.message = options.message ?? null;
    this.stateDetails = options.stateDetails
      ? { ...emptyStateDetails(), ...options.stateDetails }
      : emptyStateDetails();
    this.data = "data" in options ? (options.data as T) : NO_DATA;
  }

  isScheduled(): boolean {
    return this.type === StateType.SCHEDULED;
  }
  isPending(): boolean {
    return this.type === StateType.PENDING;
  }
  isRunning(): boolean {
    return this.type === StateType.RUNNING;
  }
  isCompleted(): boolean {
    return this.type === StateType.COMPLETED;
  }
  isFailed(): boolean {
    return this.type === StateType.FAILED;
  }
  isCrashed(): boolean {
    return this.type === StateType.CRASHED;
  }
  isCancelled(): boolean {
    return this.type === StateType.CANCELLED;
  }
  isCancelling(): boolean {
    return this.type === StateType.CANCELLING;
  }
  isPaused(): boolean {
    return this.type === StateType.PAUSED;
  }
  isFinal(): boolean {
    return TERMINAL_STATE_TYPES.has(this.type);
  }

  /** Whether this process holds the state's result value. */
  hasData(): boolean {
    return this.data !== NO_DATA;
  }

  /**
   * The run's return value. For a failed, crashed or cancelled state this throws the run's error
   * (or returns it with `raiseOnFailure: false`).
   */
  async result(options: { raiseOnFailure?: boolean } = {}): Promise<T> {
    const raise = options.raiseOnFailure ?? true;
    if (
      this.type === StateType.FAILED ||
      this.type === StateType.CRASHED ||
      this.type === StateType.CANCELLED
    ) {
      const error = stateError(this);
      if (raise) throw error;
      return error as T;
    }
    if (this.data instanceof Error && this.type !== StateType.COMPLETED) {
      if (raise) throw this.data;
      return this.data as T;
    }
    if (this.data === NO_DATA && this.persisted) {
      this.data = (await readResultFromMetadata(this.persisted)) as T;
      return this.data;
    }
    if (this.data === NO_DATA) {
      throw new MissingResultError(
        `State ${this.toString()} has no result in this process. Results are kept in memory until result persistence is enabled.`,
      );
    }
    return this.data;
  }

  /** `Completed()`, `Failed('boom')`, `Cached(type=COMPLETED)` — as Prefect prints states. */
  toString(): string {
    const sameAsType =
      this.name === TYPE_NAMES[this.type] || this.name.replace(/ /g, "") === TYPE_NAMES[this.type];
    if (!this.message) return sameAsType ? `${this.name}()` : `${this.name}(type=${this.type})`;
    return sameAsType
      ? `${this.name}('${this.message}')`
      : `${this.name}('${this.message}', type=${this.type})`;
  }

  /** The wire form: `data` is the result record's metadata when the result is persisted. */
  toRecord(): StateRecord {
    return {
      id: this.id,
      type: this.type,
      name: this.name,
      timestamp: this.timestamp,
      message: this.message,
      data: this.persisted,
      state_details: this.stateDetails,
    };
  }

  /** An SDK state from a stored one (no in-memory result). */
  static fromRecord<T = unknown>(record: StateRecord): State<T> {
    const s = new State<T>(record.type, {
      name: record.name,
      message: record.message,
      timestamp: record.timestamp,
      stateDetails: record.state_details,
    });
    s.id = record.id;
    if (isResultRecordMetadata(record.data)) s.persisted = record.data;
    return s;
  }
}

(State.prototype as { persisted: ResultRecordMetadata | null }).persisted = null;

export function isState(value: unknown): value is State {
  return value instanceof State;
}

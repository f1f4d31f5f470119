/** Prefect's named states: `Completed()`, `Failed({ message })`, `AwaitingRetry({ scheduledTime })`… */
import { StateType } from "../core/state-types.ts";
import { nowIso } from "../core/time.ts";
import { State, type StateOptions } from "../engine/state.ts";

type Opts<T> = StateOptions<T>;
interface ScheduledOpts<T> extends Opts<T> {
  /** When the run should start (ISO timestamp); now when omitted. */
  scheduledTime?: string;
}
interface PauseOpts<T> extends Opts<T> {
  timeoutSeconds?: number;
  pauseKey?: string;
}

const make =
  (type: StateType, name: string) =>
  <T = unknown>(options: Opts<T> = {}): State<T> =>
    new State<T>(type, { ...options, name: options.name ?? name });

const scheduled =
  (name: string) =>
  <T = unknown>(options: ScheduledOpts<T> = {}): State<T> =>
    new State<T>(StateType.SCHEDULED, {
      ...options,
      name: options.name ?? name,
      stateDetails: { ...options.stateDetails, scheduled_time: options.scheduledTime ?? nowIso() },
    });

export const Scheduled = scheduled("Scheduled");
export const Late = scheduled("Late");
export const AwaitingRetry = scheduled("AwaitingRetry");
export const AwaitingConcurrencySlot = scheduled("AwaitingConcurrencySlot");
export const Resuming = scheduled("Resuming");
export const Pending = make(StateType.PENDING, "Pending");
export const Running = make(StateType.RUNNING, "Running");
export const Retrying = make(StateType.RUNNING, "Retrying");
export const Rerunning = make(StateType.RUNNING, "Rerunning");
export const Cancelling = make(StateType.CANCELLING, "Cancelling");
export const Cancelled = make(StateType.CANCELLED, "Cancelled");
export const Completed = make(StateType.COMPLETED, "Completed");
export const Cached = make(StateType.COMPLETED, "Cached");
export const RolledBack = make(StateType.COMPLETED, "RolledBack");
export const Failed = make(StateType.FAILED, "Failed");
export const TimedOut = make(StateType.FAILED, "TimedOut");
export const Crashed = make(StateType.CRASHED, "Crashed");

const pausedState =
  (name: string, reschedule: boolean) =>
  <T = unknown>(options: PauseOpts<T> = {}): State<T> =>
    new State<T>(StateType.PAUSED, {
      ...options,
      name: options.name ?? name,
      stateDetails: {
        ...options.stateDetails,
        pause_reschedule: reschedule,
        pause_key: options.pauseKey ?? null,
        pause_timeout:
          options.timeoutSeconds === undefined
            ? null
            : new Date(Date.now() + options.timeoutSeconds * 1000).toISOString(),
      },
    });

export const Paused = pausedState("Paused", false);
export const Suspended = pausedState("Suspended", true);

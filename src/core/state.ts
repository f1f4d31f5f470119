import type { StateType } from "./state-types.ts";

/** `state_details` of a state, as on the wire (all optional there; we always fill every key). */
export interface StateDetails {
  flow_run_id: string | null;
  task_run_id: string | null;
  child_flow_run_id: string | null;
  scheduled_time: string | null;
  cache_key: string | null;
  cache_expiration: string | null;
  deferred: boolean | null;
  untrackable_result: boolean;
  pause_timeout: string | null;
  pause_reschedule: boolean;
  pause_key: string | null;
  run_input_keyset: Record<string, string> | null;
  refresh_cache: boolean | null;
  retriable: boolean | null;
  transition_id: string | null;
  task_parameters_id: string | null;
  traceparent: string | null;
  deployment_concurrency_lease_id: string | null;
}

/** A state as stored and as sent over the wire (snake_case, like Prefect's `State`). */
export interface StateRecord {
  id: string;
  type: StateType;
  name: string;
  timestamp: string;
  message: string | null;
  data: unknown;
  state_details: StateDetails;
}

/** What a client proposes (`StateCreate`): type required, everything else optional. */
export interface StateCreate {
  type: StateType;
  name?: string | null;
  message?: string | null;
  data?: unknown;
  state_details?: Partial<StateDetails> | null;
  /** Clients may not set these on the wire; in-process callers may. */
  id?: string;
  timestamp?: string;
}

export function emptyStateDetails(): StateDetails {
  return {
    flow_run_id: null,
    task_run_id: null,
    child_flow_run_id: null,
    scheduled_time: null,
    cache_key: null,
    cache_expiration: null,
    deferred: false,
    untrackable_result: false,
    pause_timeout: null,
    pause_reschedule: false,
    pause_key: null,
    run_input_keyset: null,
    refresh_cache: null,
    retriable: null,
    transition_id: null,
    task_parameters_id: null,
    traceparent: null,
    deployment_concurrency_lease_id: null,
  };
}

export const SetStateStatus = {
  ACCEPT: "ACCEPT",
  REJECT: "REJECT",
  WAIT: "WAIT",
  ABORT: "ABORT",
} as const;
export type SetStateStatus = (typeof SetStateStatus)[keyof typeof SetStateStatus];

export type OrchestrationDetails =
  | { type: "accept_details" }
  | { type: "reject_details"; reason: string | null }
  | { type: "abort_details"; reason: string | null }
  | { type: "wait_details"; delay_seconds: number; reason: string | null };

/** The answer to a `set_state` proposal. */
export interface OrchestrationResult {
  state: StateRecord | null;
  status: SetStateStatus;
  details: OrchestrationDetails;
}

/** A stored result reference (what Prefect keeps in `data` for a persisted result). */
export function isPersistedResultData(data: unknown): boolean {
  return (
    data !== null &&
    typeof data === "object" &&
    !Array.isArray(data) &&
    (data as { type?: unknown }).type !== "unpersisted"
  );
}

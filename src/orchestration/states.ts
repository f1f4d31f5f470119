/** Building full state records from proposals, and fresh states created by rules. */
import { uuid7 } from "../core/ids.ts";
import { emptyStateDetails, type StateCreate, type StateRecord } from "../core/state.ts";
import { defaultStateName, StateType } from "../core/state-types.ts";
import { isoToMicros, normalizeIso } from "../core/time.ts";

/**
 * A full state from a proposal: a new uuid7 id, the default name when none is given, `now` as
 * timestamp when none is given, and `scheduled_time` = now for a SCHEDULED state without one.
 */
export function buildState(create: StateCreate, now: string): StateRecord {
  const timestamp = create.timestamp ? normalizeIso(create.timestamp) : now;
  const details = { ...emptyStateDetails(), ...stripUndefined(create.state_details ?? {}) };
  // timestamps inside the details are stored and compared in canonical form too
  for (const key of ["scheduled_time", "cache_expiration", "pause_timeout"] as const) {
    const value = details[key];
    if (typeof value === "string") details[key] = normalizeIso(value);
  }
  if (create.type === StateType.SCHEDULED && !details.scheduled_time) details.scheduled_time = now;
  return {
    id: create.id ?? uuid7(Number(isoToMicros(timestamp) / 1000n)),
    type: create.type,
    name: create.name ?? defaultStateName(create.type),
    timestamp,
    message: create.message ?? null,
    data: create.data ?? null,
    state_details: details,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A new state created by a rule (new id, timestamp = the context clock's now). */
export function freshState(clock: { nowIso(): string }, create: StateCreate): StateRecord {
  const { id: _id, timestamp: _timestamp, ...rest } = create;
  return buildState(rest, clock.nowIso());
}

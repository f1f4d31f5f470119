/**
 * Slot arithmetic on a limit row, to a given instant (pure): decay (Prefect's
 * `active_slots_after_decay` / `denied_slots_after_decay`), taking and freeing slots, the average
 * occupancy, and Prefect's `Retry-After` estimate.
 */
import { addSeconds, secondsBetween } from "../../core/time.ts";
import type { LimitRow } from "./queries.ts";

/** Prefect's `OCCUPANCY_SAMPLES_MULTIPLIER` and `MINIMUM_OCCUPANCY_SECONDS_PER_SLOT`. */
const OCCUPANCY_SAMPLES_MULTIPLIER = 2;
const MINIMUM_OCCUPANCY_SECONDS_PER_SLOT = 0.1;

/**
 * The row as of `now`: a decaying limit's active slots decay by `slot_decay_per_second`, counted
 * in whole slots from `decay_anchor` (which moves on by the whole slots decayed only, so no
 * fraction is lost however often the limit is asked); denied slots decay as Prefect's do.
 */
export function decayedTo(row: LimitRow, now: string): LimitRow {
  const next = { ...row };
  const rate = row.slot_decay_per_second;
  if (rate > 0) {
    const elapsed = Math.max(0, secondsBetween(row.decay_anchor, now));
    const decayed = Math.floor(rate * elapsed + 1e-9);
    if (decayed >= row.active_slots) {
      next.active_slots = 0;
      next.decay_anchor = now;
    } else if (decayed > 0) {
      next.active_slots = row.active_slots - decayed;
      next.decay_anchor = addSeconds(row.decay_anchor, decayed / rate);
    }
  } else {
    next.decay_anchor = now;
  }
  const deniedRate =
    rate > 0
      ? rate
      : 1 / Math.max(row.avg_slot_occupancy_seconds, MINIMUM_OCCUPANCY_SECONDS_PER_SLOT);
  const deniedElapsed = Math.max(0, secondsBetween(row.updated, now));
  next.denied_slots = Math.max(0, row.denied_slots - Math.floor(deniedRate * deniedElapsed));
  return next;
}

/** Free `slots` slots held for `occupancySeconds` (Prefect's weighted average of occupancy). */
export function freed(row: LimitRow, slots: number, occupancySeconds: number | null): LimitRow {
  const next = { ...row, active_slots: Math.max(0, row.active_slots - slots) };
  if (occupancySeconds !== null && occupancySeconds > 0 && slots > 0 && row.limit > 0) {
    const perSlot = Math.max(occupancySeconds / slots, MINIMUM_OCCUPANCY_SECONDS_PER_SLOT);
    const samples = row.limit * OCCUPANCY_SAMPLES_MULTIPLIER;
    next.avg_slot_occupancy_seconds =
      row.avg_slot_occupancy_seconds + perSlot / samples - row.avg_slot_occupancy_seconds / samples;
  }
  return next;
}

/**
 * Prefect's `Retry-After` for a refused request: of the active limits, the one with the most
 * slots waited for per slot it has (per second of decay for rate limits), times how long a slot
 * takes to free.
 */
export function retryAfterSeconds(active: readonly LimitRow[], slots: number): number {
  let best: { row: LimitRow; blocking: number } | null = null;
  for (const row of active) {
    const blocking =
      row.slot_decay_per_second > 0
        ? slots + row.denied_slots
        : (slots + row.denied_slots) / Math.max(row.limit, 1);
    if (!best || blocking > best.blocking) best = { row, blocking };
  }
  if (!best) return 0;
  const perSlot =
    best.row.slot_decay_per_second > 0
      ? 1 / best.row.slot_decay_per_second
      : best.row.avg_slot_occupancy_seconds;
  return perSlot * best.blocking;
}

/**
 * Seconds from `now` until decay alone leaves room for `slots` more slots on every full limit of
 * `active`, or null when a full limit does not decay (only a release can free it).
 */
export function secondsUntilDecayed(
  active: readonly LimitRow[],
  slots: number,
  now: string,
): number | null {
  let wait = 0;
  for (const raw of active) {
    const row = decayedTo(raw, now);
    const need = row.active_slots + slots - row.limit;
    if (need <= 0) continue;
    if (!(row.slot_decay_per_second > 0)) return null;
    const freeAt = addSeconds(row.decay_anchor, need / row.slot_decay_per_second);
    wait = Math.max(wait, secondsBetween(now, freeAt));
  }
  return wait;
}

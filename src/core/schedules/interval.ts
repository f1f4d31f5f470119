/**
 * Interval schedules: every `interval` seconds counted from `anchor_date` (a fixed point, not a
 * start: an anchor in the future counts back from it). An interval under 24 hours is elapsed time
 * (an hourly schedule runs every UTC hour; when clocks go back two runs show the same local
 * hour). An interval of 24 hours or more is wall-clock time in the schedule's zone, so a daily
 * run anchored at 09:00 stays at 09:00 across DST changes: occurrence k is the anchor's wall time
 * plus k intervals, placed in the zone (a skipped time runs when the clocks skip to it, a repeated
 * time the first time).
 */
import type { DateWindow } from "./date-window.ts";
import { fromWall, MICROS_PER_DAY, toWall } from "./time-zones.ts";

/**
 * The instants of an interval schedule in `window`, in order, without repeats. `interval` and
 * `anchor` in microseconds (interval > 0).
 */
export function intervalDates(
  interval: number,
  anchor: number,
  timeZone: string,
  window: DateWindow,
): number[] {
  const occurrence =
    interval < MICROS_PER_DAY
      ? (k: number) => anchor + k * interval
      : wallClockOccurrence(interval, toWall(timeZone, anchor), timeZone);
  const reference =
    interval < MICROS_PER_DAY
      ? window.start - anchor
      : toWall(timeZone, window.start) - toWall(timeZone, anchor);
  // the first occurrence on or after the start
  let k = Math.ceil(reference / interval);
  while (occurrence(k - 1) >= window.start) k--;
  while (occurrence(k) < window.start) k++;
  const dates: number[] = [];
  for (let candidate = 0; candidate <= window.maxCandidates; candidate++, k++) {
    const instant = occurrence(k);
    if (window.end !== undefined && instant > window.end) break;
    if (dates.length > 0 && instant <= (dates[dates.length - 1] as number)) continue;
    dates.push(instant);
    if (dates.length >= window.count) break;
  }
  return dates;
}

function wallClockOccurrence(interval: number, anchorWall: number, timeZone: string) {
  return (k: number) => fromWall(timeZone, anchorWall + k * interval, "forward");
}

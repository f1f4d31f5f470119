/**
 * When a schedule runs: `nextRunTimes(schedule, { start, end, count })` is Prefect's
 * `schedule.get_dates(n, start, end)` — the dates on or after `start`, none after `end`, at most
 * `count` (1 without an end, else up to 1,000), looking at no more than 1,000 candidates.
 */
import { isoToMicros, microsToIso } from "../time.ts";
import { cronDates } from "./cron.ts";
import { parseDateTime } from "./date-time.ts";
import type { DateWindow } from "./date-window.ts";
import { intervalDates } from "./interval.ts";
import { rruleDates } from "./rrule.ts";
import type { Schedule } from "./schemas.ts";
import { MICROS_PER_SECOND } from "./time-zones.ts";

/** Prefect's MAX_ITERATIONS: candidate dates looked at per call. */
export const MAX_ITERATIONS = 1000;

export interface RunTimesOptions {
  /** Dates on or after this moment (ISO timestamp or Date). */
  start: string | Date;
  /** No date after this moment (inclusive). */
  end?: string | Date;
  /** How many dates at most (default: 1 without `end`, 1,000 with it). */
  count?: number;
}

/** The zone a schedule's times are computed in (UTC when it names none). */
export function scheduleTimeZone(schedule: Schedule): string {
  return schedule.timezone ?? "UTC";
}

/** Prefect's class name of the schedule (`created_by.display_value` of its runs). */
export function scheduleKind(
  schedule: Schedule,
): "CronSchedule" | "IntervalSchedule" | "RRuleSchedule" {
  if ("cron" in schedule) return "CronSchedule";
  if ("interval" in schedule) return "IntervalSchedule";
  return "RRuleSchedule";
}

function micros(value: string | Date): number {
  return value instanceof Date ? value.getTime() * 1000 : Number(isoToMicros(value));
}

/** The schedule's dates in a window, as instants (microseconds since the epoch), in order. */
export function scheduleInstants(schedule: Schedule, window: DateWindow): number[] {
  const timeZone = scheduleTimeZone(schedule);
  if ("cron" in schedule) return cronDates(schedule.cron, schedule.day_or, timeZone, window);
  if ("interval" in schedule) {
    const anchor = parseDateTime(schedule.anchor_date, timeZone);
    if (anchor === undefined) throw new RangeError(`not a datetime: ${schedule.anchor_date}`);
    const interval = Math.round(schedule.interval * MICROS_PER_SECOND);
    if (!(interval > 0)) throw new RangeError("The interval must be positive");
    return intervalDates(interval, anchor, timeZone, window);
  }
  return rruleDates(schedule.rrule, timeZone, window);
}

/** The schedule's next run times (canonical ISO timestamps, UTC, microseconds), in order. */
export function nextRunTimes(schedule: Schedule, options: RunTimesOptions): string[] {
  const end = options.end === undefined ? undefined : micros(options.end);
  const count = options.count ?? (end === undefined ? 1 : MAX_ITERATIONS);
  if (count <= 0) return [];
  const window: DateWindow = { start: micros(options.start), count, maxCandidates: MAX_ITERATIONS };
  if (end !== undefined) window.end = end;
  return scheduleInstants(schedule, window).map((instant) => microsToIso(BigInt(instant)));
}

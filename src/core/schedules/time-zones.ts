/**
 * IANA time zones through `Intl`: the offset of a zone at an instant, the instant of a wall-clock
 * time in a zone (with the rule for a time a DST change skips or repeats), and Python's
 * `str(datetime)` of an instant in a zone.
 *
 * Times here are whole microseconds since the epoch held in a `number` (exact below 2^53, i.e.
 * until the year 2255). A "wall" time is the local calendar time written as if it were UTC: the
 * wall time 2026-03-29 02:30 is `Date.UTC(2026, 2, 29, 2, 30) * 1000`, whatever the zone.
 */

import { PREFECT_TIME_ZONES } from "./prefect-time-zones.ts";

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

/**
 * What a wall time that a DST change skips (spring forward) becomes:
 * - `forward`: read with the offset before the change, so it lands the length of the gap later
 *   (02:30 → 03:30). Prefect's cron and interval schedules (croniter, `whenever`, PEP 495 fold=0).
 * - `back`: read with the offset after the change, so it lands the length of the gap earlier
 *   (02:30 → 01:30 standard time). Prefect's rrule schedules (dateutil's `tzfile`).
 * A wall time that occurs twice (fall back) is always its first occurrence.
 */
export type GapRule = "forward" | "back";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

let knownZones: Set<string> | undefined;

/**
 * True when `name` is an IANA time zone name Prefect accepts, in its exact letter case
 * (`Europe/Berlin`, `UTC`, `US/Eastern`; not `europe/berlin`, not `+01:00`), that `Intl` can
 * compute times in. Zones newer than Prefect's list count when `Intl` lists them.
 */
export function isValidTimeZone(name: string): boolean {
  knownZones ??= new Set([...PREFECT_TIME_ZONES, ...Intl.supportedValuesOf("timeZone")]);
  if (!knownZones.has(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

const DATE_PARTS = /^(\d+)\/(\d+)\/(\d+) (AD|BC), (\d+):(\d+):(\d+)$/;

/** The zone's offset at an instant, read from `Intl` (microseconds, whole seconds). */
function intlOffset(timeZone: string, instant: number): number {
  const seconds = Math.floor(instant / MICROS_PER_SECOND);
  const text = formatterFor(timeZone).format(new Date(seconds * 1000));
  const m = DATE_PARTS.exec(text);
  if (!m) throw new RangeError(`cannot read the time in ${timeZone}: ${text}`);
  const [month, day, year, hour, minute, second] = [1, 2, 3, 5, 6, 7].map((i) => Number(m[i]));
  const wall = new Date(0);
  wall.setUTCFullYear(m[4] === "BC" ? 1 - (year as number) : (year as number));
  wall.setUTCMonth((month as number) - 1, day as number);
  wall.setUTCHours(hour as number, minute as number, second as number, 0);
  return (wall.getTime() / 1000 - seconds) * MICROS_PER_SECOND;
}

/** A stretch of time over which a zone's offset does not change. */
interface Span {
  start: number;
  end: number;
  offset: number;
}

/**
 * Spans of constant offset already read, per zone, sorted and disjoint. Reading `Intl` costs
 * microseconds; a scheduler computing a hundred runs for each of a thousand deployments every
 * minute reads the same few spans again. A span is only recorded as ±1 day around an instant whose
 * offset is the same at both ends: no zone changes its offset twice within two days.
 */
const spansByZone = new Map<string, Span[]>();
const MAX_SPANS = 4096;

function cachedOffset(spans: Span[], instant: number): number | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = spans[mid] as Span;
    if (instant < span.start) hi = mid - 1;
    else if (instant > span.end) lo = mid + 1;
    else return span.offset;
  }
  return undefined;
}

function remember(spans: Span[], added: Span): void {
  if (spans.length >= MAX_SPANS) spans.length = 0;
  let at = spans.findIndex((s) => s.end >= added.start);
  if (at < 0) at = spans.length;
  let merged = added;
  // merge with every overlapping span of the same offset (overlapping spans of another offset
  // cannot exist: both are exact)
  while (at < spans.length) {
    const next = spans[at] as Span;
    if (next.start > merged.end) break;
    if (next.offset !== merged.offset) break;
    merged = {
      start: Math.min(next.start, merged.start),
      end: Math.max(next.end, merged.end),
      offset: merged.offset,
    };
    spans.splice(at, 1);
  }
  spans.splice(at, 0, merged);
}

const utcZones = new Map<string, boolean>();

function isUtc(timeZone: string): boolean {
  let utc = utcZones.get(timeZone);
  if (utc === undefined) {
    const resolved = formatterFor(timeZone).resolvedOptions().timeZone;
    utc = resolved === "UTC" || resolved === "Etc/UTC" || resolved === "Etc/GMT";
    utcZones.set(timeZone, utc);
  }
  return utc;
}

/** The zone's offset from UTC at an instant, in microseconds (whole seconds). */
export function offsetAt(timeZone: string, instant: number): number {
  if (timeZone === "UTC" || isUtc(timeZone)) return 0;
  let spans = spansByZone.get(timeZone);
  if (!spans) {
    spans = [];
    spansByZone.set(timeZone, spans);
  }
  const cached = cachedOffset(spans, instant);
  if (cached !== undefined) return cached;
  const offset = intlOffset(timeZone, instant);
  const start = instant - MICROS_PER_DAY;
  const end = instant + MICROS_PER_DAY;
  if (intlOffset(timeZone, start) === offset && intlOffset(timeZone, end) === offset) {
    remember(spans, { start, end, offset });
  }
  return offset;
}

/** The wall time of an instant in a zone. */
export function toWall(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

/**
 * The instant of a wall time in a zone. A time that occurs twice is its first occurrence; a time
 * the clocks skip follows `gap`.
 */
export function fromWall(timeZone: string, wall: number, gap: GapRule = "forward"): number {
  const before = offsetAt(timeZone, wall - MICROS_PER_DAY);
  const after = offsetAt(timeZone, wall + MICROS_PER_DAY);
  const candidates = (before === after ? [before] : [before, after])
    .map((offset) => wall - offset)
    .filter((instant) => toWall(timeZone, instant) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  return gap === "forward" ? wall - before : wall - after;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/**
 * Python's `str()` of the instant as a datetime in the zone: `2026-12-09 03:00:00+01:00`, with
 * `.ffffff` only when there are microseconds. Prefect writes scheduled runs' idempotency keys
 * with it.
 */
export function pythonDateTimeString(timeZone: string, instant: number): string {
  const offset = offsetAt(timeZone, instant);
  const wall = instant + offset;
  const micros = ((wall % MICROS_PER_SECOND) + MICROS_PER_SECOND) % MICROS_PER_SECOND;
  const d = new Date(Math.floor(wall / 1000));
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const fraction = micros === 0 ? "" : `.${pad(micros, 6)}`;
  const sign = offset < 0 ? "-" : "+";
  const offsetSeconds = Math.abs(offset) / MICROS_PER_SECOND;
  const hh = Math.floor(offsetSeconds / 3600);
  const mm = Math.floor((offsetSeconds % 3600) / 60);
  const ss = offsetSeconds % 60;
  return `${date} ${time}${fraction}${sign}${pad(hh)}:${pad(mm)}${ss ? `:${pad(ss)}` : ""}`;
}

/** Time formatting for the CLI: Pendulum's `diff_for_humans`, Python's `str(datetime)`, log stamps. */
import { normalizeIso } from "../../core/time.ts";

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** The magnitude of a difference in milliseconds, in Pendulum's words (`2 minutes`, `a few seconds`). */
function describe(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days >= 365) return plural(Math.floor(days / 365), "year");
  if (days >= 30) return plural(Math.floor(days / 30), "month");
  if (days >= 7) return plural(Math.floor(days / 7), "week");
  if (days >= 1) return plural(days, "day");
  if (hours >= 1) return plural(hours, "hour");
  if (minutes >= 1) return plural(minutes, "minute");
  if (seconds < 10) return "a few seconds";
  return plural(seconds, "second");
}

/**
 * A timestamp relative to now, like Prefect's `human_friendly_diff` (Pendulum): `2 minutes ago`,
 * `in 3 hours`, `a few seconds ago`. Months and years are 30 and 365 days.
 */
export function humanizeDiff(iso: string, nowMs: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const delta = nowMs - then;
  const text = describe(Math.abs(delta));
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** Python's `str(datetime)` of an aware UTC datetime: `2024-05-01 12:00:00.123456+00:00`. */
export function pythonDatetime(iso: string): string {
  const canonical = normalizeIso(iso);
  const date = canonical.slice(0, 10);
  const time = canonical.slice(11, 19);
  const frac = canonical.slice(20, 26);
  return `${date} ${time}${frac === "000000" ? "" : `.${frac}`}+00:00`;
}

/** A log record's timestamp as Prefect's `logs` commands print it: `2024-05-01 12:00:00.123` (UTC). */
export function logTimestamp(iso: string): string {
  const canonical = normalizeIso(iso);
  return `${canonical.slice(0, 10)} ${canonical.slice(11, 23)}`;
}

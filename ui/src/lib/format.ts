/** Times and durations as the user reads them: relative, and absolute in their own time zone. */

const absolute = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});
const short = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatAbsolute(iso: string): string {
  return absolute.format(new Date(iso));
}

export function formatShort(iso: string): string {
  return short.format(new Date(iso));
}

export function formatClock(iso: string): string {
  return clock.format(new Date(iso));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

/** "3 minutes ago", "in 2 hours". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return relative.format(Math.round(seconds / size), unit);
    }
  }
  return relative.format(0, "second");
}

/** "1h 2m", "3.4s", "120ms". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const rest = s % 60;
  const parts = d
    ? [`${d}d`, `${h}h`, `${m}m`]
    : h
      ? [`${h}h`, `${m}m`, `${rest}s`]
      : [`${m}m`, `${rest}s`];
  return parts.filter((p) => !/^0[a-z]$/.test(p)).join(" ") || "0s";
}

/** Seconds between two instants, or from `start` to now while a run is going. */
export function elapsedSeconds(
  start: string | null | undefined,
  end: string | null | undefined,
): number | null {
  if (!start) return null;
  const stop = end ? new Date(end).getTime() : Date.now();
  return Math.max(0, (stop - new Date(start).getTime()) / 1000);
}

export function formatNumber(n: number): string {
  return n.toLocaleString();
}

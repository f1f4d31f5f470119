/**
 * Durations given as text, read as pydantic reads a `timedelta` (history intervals, retention
 * periods): a number of seconds, or an ISO 8601 duration.
 */

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds of an ISO 8601 duration without years or months (`PT1H`, `P1DT30M`), else NaN. */
export function isoDurationSeconds(text: string): number {
  const value = text.trim();
  const m = ISO_DURATION.exec(value);
  if (!m || value.toUpperCase() === "P" || /T$/i.test(value)) return Number.NaN;
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return (w ?? 0) * 604_800 + (d ?? 0) * 86_400 + (h ?? 0) * 3_600 + (min ?? 0) * 60 + (s ?? 0);
}

/**
 * Seconds of a `timedelta` written as text: a number of seconds (`3600`, `-1.5`) or an ISO 8601
 * duration (`P7D`, `PT1H`); NaN for anything else.
 */
export function timedeltaSeconds(text: string): number {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : isoDurationSeconds(text);
}

/**
 * A microsecond-precision wall clock. Timestamps are ISO-8601 strings with six fractional digits
 * and a `Z` (the wire format of Prefect), monotonic within a process so that states written in
 * one process never share a timestamp.
 */
const originMicros = BigInt(Date.now()) * 1000n;
const originHr = process.hrtime.bigint();
let lastMicros = 0n;

/** Current time in microseconds since the epoch, strictly increasing within the process. */
export function nowMicros(): bigint {
  let t = originMicros + (process.hrtime.bigint() - originHr) / 1000n;
  if (t <= lastMicros) t = lastMicros + 1n;
  if (t <= BigInt(lastFast)) t = BigInt(lastFast) + 1n;
  lastMicros = t;
  // nowIso's clock stays ahead of this one (exact: microseconds since 1970 are below 2^53)
  lastFast = Number(t);
  return t;
}

/** Format microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function microsToIso(micros: bigint): string {
  const ms = Number(micros / 1000n);
  const frac = (micros % 1000000n).toString().padStart(6, "0");
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Parse an ISO timestamp (any precision, any offset) into microseconds since the epoch. */
export function isoToMicros(iso: string): bigint {
  const m = /\.(\d+)/.exec(iso);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${iso}`);
  const wholeSecondsMs = Math.floor(ms / 1000) * 1000;
  const frac = m?.[1]
    ? BigInt(m[1].padEnd(6, "0").slice(0, 6))
    : BigInt(ms - wholeSecondsMs) * 1000n;
  return BigInt(wholeSecondsMs) * 1000n + frac;
}

/** Normalise any parseable timestamp to our canonical ISO format (keeps microseconds). */
export function normalizeIso(value: string | Date): string {
  if (value instanceof Date) return microsToIso(BigInt(value.getTime()) * 1000n);
  if (isCanonicalIso(value)) return value;
  return microsToIso(isoToMicros(value));
}

/**
 * Already in canonical form (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), with fields no calendar arithmetic
 * would change (days past the 28th take the slow path, which rolls e.g. Feb 30 over as `Date`
 * does). Every timestamp this library writes is canonical, so normalising them is a check, not a
 * reformat — read character by character, as it runs for every timestamp stored.
 */
function isCanonicalIso(value: string): boolean {
  if (!isCanonicalShape(value) || value[4] !== "-" || value[7] !== "-") return false;
  if (value[13] !== ":" || value[16] !== ":") return false;
  for (const i of DIGITS) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 28 &&
    twoDigits(value, 11) < 24 &&
    twoDigits(value, 14) < 60 &&
    twoDigits(value, 17) < 60
  );
}

/** Positions of the digits of a canonical timestamp. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25];

/** The number written by the two digits at `at`. */
function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48;
}

/** Order of two timestamps (negative, zero, positive), any parseable form. */
export function compareIso(a: string, b: string): number {
  // canonical timestamps (every one this library writes) sort as strings
  if (isCanonicalShape(a) && isCanonicalShape(b)) return a < b ? -1 : a > b ? 1 : 0;
  const d = isoToMicros(a) - isoToMicros(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ` by its length and separators (what string order relies on). */
function isCanonicalShape(value: string): boolean {
  return value.length === 27 && value[10] === "T" && value[19] === "." && value[26] === "Z";
}

// Fast path for nowIso(): microseconds as a float64 (exact below 2^53, i.e. for ~285 years) and
// the `YYYY-MM-DDTHH:MM:SS` prefix cached per second.
const originMs = Date.now() - performance.now();
let lastFast = 0;
let cachedSecond = -1;
let cachedPrefix = "";

/** The current time as a canonical ISO string (strictly increasing within the process). */
export function nowIso(): string {
  let t = Math.floor((originMs + performance.now()) * 1000);
  if (t <= lastFast) t = lastFast + 1;
  lastFast = t;
  const second = Math.floor(t / 1e6);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const frac = t - second * 1e6;
  return `${cachedPrefix}.${frac < 100000 ? String(frac).padStart(6, "0") : frac}Z`;
}

/** Seconds between two ISO timestamps (b − a). */
export function secondsBetween(a: string, b: string): number {
  return Number(isoToMicros(b) - isoToMicros(a)) / 1e6;
}

/** Add seconds (may be fractional) to an ISO timestamp. */
export function addSeconds(iso: string, seconds: number): string {
  return microsToIso(isoToMicros(iso) + BigInt(Math.round(seconds * 1e6)));
}

/** A clock that can be replaced in tests. */
export interface Clock {
  nowIso(): string;
}
export const systemClock: Clock = { nowIso };

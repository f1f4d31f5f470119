/**
 * Datetimes as pydantic reads them for a schedule: `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` (or with a
 * space for `T`), with `Z` or an offset; without either the time is a wall time in the schedule's
 * zone (as Prefect's documentation has it for `anchor_date`).
 */
import { fromWall, MICROS_PER_SECOND } from "./time-zones.ts";

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The instant (microseconds since the epoch) of a datetime text, or undefined when it is none. */
export function parseDateTime(text: string, timeZone: string): number | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [1, 2, 3, 4, 5, 6].map((i) =>
    m[i] === undefined ? undefined : Number(m[i]),
  ) as number[];
  const fraction = Number((m[7] ?? "").padEnd(6, "0"));
  if (month === undefined || day === undefined || year === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCFullYear() !== year) return undefined;
  const wall = ms * 1000 + fraction;
  const zone = m[8];
  if (zone === undefined) return fromWall(timeZone, wall, "forward");
  if (zone === "Z" || zone === "z") return wall;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
  return wall - sign * offsetMinutes * 60 * MICROS_PER_SECOND;
}

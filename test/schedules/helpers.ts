/** Reading run times in tables: local hours in a zone, UTC hours, compact timestamps. */
import { type Schedule, ScheduleSchema } from "../../src/core/schedules/index.ts";

/** A schedule as the API would store it (through the HTTP edge's schema). */
export function schedule(input: Record<string, unknown>): Schedule {
  return ScheduleSchema.parse(input);
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** The hour of an instant on the clocks of `timeZone`. */
export function localHour(iso: string, timeZone: string): number {
  let format = hourFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" });
    hourFormats.set(timeZone, format);
  }
  return Number(format.format(new Date(iso)));
}

export function utcHour(iso: string): number {
  return new Date(iso).getUTCHours();
}

/** `2026-03-29T01:30:00.000000Z` → `2026-03-29T01:30Z` (seconds kept when not zero). */
export function short(iso: string): string {
  return iso.replace(/:00\.000000Z$/, "Z").replace(/\.000000Z$/, "Z");
}

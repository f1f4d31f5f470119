/**
 * RRule schedules (RFC 5545 through the `rrule` package), read as Prefect reads them with
 * dateutil: `RRULE`, `EXRULE`, `RDATE`, `EXDATE` and `DTSTART` lines (or a bare `FREQ=…` rule);
 * `COUNT` counts from `DTSTART`; a rule without `DTSTART` starts 2020-01-01 00:00. Every time in
 * the text is a wall-clock time in the schedule's `timezone`, whatever `Z` or `TZID` it carries
 * (Prefect relabels them so): a daily 09:00 rule in America/New_York stays 09:00 local across DST,
 * in UTC it stays 09:00 UTC. A time the clocks skip is read with the offset after the change
 * (dateutil's rule: 02:30 → 01:30 standard time); a time they repeat is its first occurrence.
 */
import * as rruleModule from "rrule";
import type { DateWindow } from "./date-window.ts";
import { fromWall, toWall } from "./time-zones.ts";

// `rrule` ships a CommonJS bundle: Node's ESM loader gives it as the default export, a CommonJS
// loader (tsx in CommonJS mode) as the module itself.
type RRulePackage = typeof rruleModule;
const rrulePackage: RRulePackage =
  "RRule" in rruleModule && rruleModule.RRule
    ? rruleModule
    : (rruleModule as unknown as { default: RRulePackage }).default;
const { RRule, RRuleSet, rrulestr } = rrulePackage;
type RRuleSetInstance = InstanceType<typeof RRuleSet>;
type RRuleInstance = InstanceType<typeof RRule>;

/** Prefect's longest rrule text (about a year of RDATEs). */
export const MAX_RRULE_LENGTH = 6500;

/** Prefect's anchor for a rule without DTSTART: 2020-01-01 00:00 in the schedule's zone. */
const DEFAULT_DTSTART = new Date(Date.UTC(2020, 0, 1));

/** Latest wall time looked at when no end is given. */
const FAR_FUTURE = new Date(Date.UTC(9999, 11, 31));

/** Length of one period of a rule whose periods are all alike, in milliseconds. */
const PERIOD_MS: Partial<Record<number, number>> = {
  [RRule.WEEKLY]: 7 * 86_400_000,
  [RRule.DAILY]: 86_400_000,
  [RRule.HOURLY]: 3_600_000,
  [RRule.MINUTELY]: 60_000,
  [RRule.SECONDLY]: 1_000,
};

/**
 * The rule with its times as floating wall times (no TZID) and Prefect's default DTSTART. With
 * `from` (a wall time), a rule the `rrule` package would walk from DTSTART one period at a time
 * (every minute since 2020…) starts instead whole periods later, shortly before `from`: the same
 * times from there on. Not for a rule with COUNT (counted from DTSTART) or BYSETPOS.
 */
function floating(rule: RRuleInstance, from?: number): RRuleInstance {
  const options = rule.origOptions;
  const interval = options.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1) {
    throw new RangeError("INTERVAL must be a positive integer");
  }
  let dtstart = options.dtstart ?? DEFAULT_DTSTART;
  const unit = PERIOD_MS[options.freq ?? -1];
  const advance = from !== undefined && unit !== undefined && !options.count && !options.bysetpos;
  if (advance) {
    const period = unit * interval;
    const periods = Math.floor((from - dtstart.getTime()) / period) - 1;
    if (periods > 0) dtstart = new Date(dtstart.getTime() + periods * period);
  }
  return new RRule({ ...options, dtstart, tzid: null });
}

function parse(text: string, from?: number): RRuleSetInstance {
  const parsed = rrulestr(text, { forceset: true }) as RRuleSetInstance;
  const set = new RRuleSet();
  for (const rule of parsed.rrules()) set.rrule(floating(rule, from));
  for (const rule of parsed.exrules()) set.exrule(floating(rule, from));
  for (const date of parsed.rdates()) set.rdate(date);
  for (const date of parsed.exdates()) set.exdate(date);
  return set;
}

/** Why Prefect would refuse this rrule text, or undefined when it is valid. */
export function rruleProblem(text: string): string | undefined {
  if (text.length > MAX_RRULE_LENGTH) {
    return `Invalid RRule string "${text.slice(0, 40)}..."\nMax length is ${MAX_RRULE_LENGTH}, got ${text.length}`;
  }
  try {
    const set = parse(text);
    if (set.rrules().length === 0 && set.rdates().length === 0) {
      return `Invalid RRule string "${text}": no RRULE or RDATE`;
    }
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `Invalid RRule string "${text}": ${reason}`;
  }
}

/** The instants of an rrule schedule in `window`, in order, without repeats. */
export function rruleDates(text: string, timeZone: string, window: DateWindow): number[] {
  // wall times from a day before the start's: any offset lies within a day
  const fromWallMs = Math.floor(toWall(timeZone, window.start) / 1000) - 86_400_000;
  const set = parse(text, fromWallMs);
  const dates: number[] = [];
  const seen = new Set<number>();
  let candidates = 0;
  set.between(new Date(fromWallMs), FAR_FUTURE, true, (date) => {
    const instant = fromWall(timeZone, date.getTime() * 1000, "back");
    if (instant < window.start) return true;
    if (window.end !== undefined && instant > window.end) return false;
    if (!seen.has(instant)) {
      seen.add(instant);
      dates.push(instant);
    }
    candidates++;
    return dates.length < window.count && candidates <= window.maxCandidates;
  });
  return dates.sort((a, b) => a - b);
}

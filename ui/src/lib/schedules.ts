/** Schedules in words, and the schedule a form describes as the API takes it. */
import type { CronSchedule, IntervalSchedule, RRuleSchedule, Schedule } from "../api/types.ts";

export type ScheduleKind = "cron" | "interval" | "rrule";

export function kindOf(schedule: Schedule): ScheduleKind {
  if ("cron" in schedule) return "cron";
  if ("interval" in schedule) return "interval";
  return "rrule";
}

const UNITS: [string, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

/** 600 → "10 minutes", 5400 → "1 hour 30 minutes", 1.5 → "1.5 seconds". */
export function intervalWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return `${seconds} seconds`;
  if (!Number.isInteger(seconds)) return `${seconds} seconds`;
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
      rest -= n * size;
    }
  }
  return parts.join(" ");
}

/** "Every 10 minutes", "Cron 0 3 * * *", "RRule FREQ=WEEKLY;BYDAY=FR". */
export function scheduleWords(schedule: Schedule): string {
  if ("cron" in schedule) return `Cron ${schedule.cron}`;
  if ("interval" in schedule) {
    // "Every hour", not "Every 1 hour"
    return `Every ${intervalWords(schedule.interval).replace(/^1 ([a-z]+)$/, "$1")}`;
  }
  return `RRule ${schedule.rrule}`;
}

/** The time zone a schedule runs in (UTC when it names none, as the scheduler reads it). */
export function scheduleZone(schedule: Schedule): string {
  return schedule.timezone ?? "UTC";
}

/** The IANA time zones this browser knows, for the time zone field's suggestions. */
export function knownTimeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

/** The browser's own time zone, the form's default (as Prefect's UI has it). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export const INTERVAL_UNITS = {
  seconds: 1,
  minutes: 60,
  hours: 3_600,
  days: 86_400,
} as const;
export type IntervalUnit = keyof typeof INTERVAL_UNITS;

/** What the add-schedule form holds, as typed. */
export interface ScheduleDraft {
  kind: ScheduleKind;
  cron: string;
  dayOr: boolean;
  interval: string;
  unit: IntervalUnit;
  /** `datetime-local` text (a wall time in `timezone`), or empty for now. */
  anchor: string;
  rrule: string;
  timezone: string;
  active: boolean;
}

export function emptyDraft(): ScheduleDraft {
  return {
    kind: "cron",
    cron: "",
    dayOr: true,
    interval: "",
    unit: "minutes",
    anchor: "",
    rrule: "",
    timezone: browserTimeZone(),
    active: true,
  };
}

/**
 * The schedule a draft describes, for the server to accept or refuse naming the field. Only what
 * the browser can tell is wrong without the server (an empty field, an interval that is not a
 * positive number) is answered here, by field.
 */
export function scheduleOf(
  draft: ScheduleDraft,
): { schedule: Schedule } | { errors: Record<string, string> } {
  const timezone = draft.timezone.trim() || null;
  if (draft.kind === "cron") {
    if (!draft.cron.trim()) return { errors: { cron: "Enter a cron expression" } };
    const cron: CronSchedule = { cron: draft.cron.trim(), timezone, day_or: draft.dayOr };
    return { schedule: cron };
  }
  if (draft.kind === "interval") {
    const value = Number(draft.interval);
    if (draft.interval.trim() === "" || !Number.isFinite(value) || value <= 0)
      return { errors: { interval: "Enter a number above 0" } };
    const interval: IntervalSchedule = {
      interval: value * INTERVAL_UNITS[draft.unit],
      timezone,
    };
    // a wall time without an offset: the server reads it in the schedule's zone
    if (draft.anchor)
      interval.anchor_date = draft.anchor.length === 16 ? `${draft.anchor}:00` : draft.anchor;
    return { schedule: interval };
  }
  if (!draft.rrule.trim()) return { errors: { rrule: "Enter a recurrence rule" } };
  const rrule: RRuleSchedule = { rrule: draft.rrule.trim(), timezone: timezone ?? "UTC" };
  return { schedule: rrule };
}

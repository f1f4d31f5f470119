/**
 * The three schedule kinds as Prefect's API has them (`CronSchedule`, `IntervalSchedule`,
 * `RRuleSchedule` of its OpenAPI document), as zod schemas for the HTTP edge. An invalid cron,
 * rrule or time zone is refused with Prefect's message on that field (a 422 naming it).
 *
 * What a schema gives is what Prefect stores: `day_or` defaults to true; an interval's
 * `anchor_date` defaults to now and is kept as a UTC timestamp (a naive one is read in the
 * schedule's zone), its `timezone` defaults to UTC; an rrule's `timezone` defaults to UTC.
 */
import { z } from "zod";
import { timedeltaSeconds } from "../duration.ts";
import { microsToIso, nowIso } from "../time.ts";
import { cronProblem } from "./cron.ts";
import { parseDateTime } from "./date-time.ts";
import { rruleProblem } from "./rrule.ts";
import { isValidTimeZone } from "./time-zones.ts";

export const TimeZoneSchema = z.string().refine(isValidTimeZone, {
  error: (issue) =>
    `Invalid timezone: "${String(issue.input)}" (specify in IANA tzdata format, for example, America/New_York)`,
});

export const CronScheduleSchema = z
  .strictObject({
    cron: z.string().superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    timezone: TimeZoneSchema.nullable().default(null),
    day_or: z.boolean().default(true),
  })
  .meta({ id: "CronSchedule" });

/** Seconds of an interval: a number, or text pydantic reads as a timedelta (`PT10M`, `600`). */
const IntervalSecondsSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = typeof value === "number" ? value : timedeltaSeconds(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    ctx.addIssue({
      code: "custom",
      message: Number.isNaN(seconds)
        ? "Input should be a valid timedelta"
        : "Input should be greater than 0 seconds",
    });
    return z.NEVER;
  }
  return seconds;
});

export const IntervalScheduleSchema = z
  .strictObject({
    interval: IntervalSecondsSchema,
    anchor_date: z
      .string()
      .refine((value) => parseDateTime(value, "UTC") !== undefined, {
        error: "Input should be a valid datetime",
      })
      .optional(),
    timezone: TimeZoneSchema.nullable().optional(),
  })
  .transform((schedule) => {
    const timezone = schedule.timezone ?? "UTC";
    const anchor =
      schedule.anchor_date === undefined
        ? nowIso()
        : microsToIso(BigInt(parseDateTime(schedule.anchor_date, timezone) as number));
    return { interval: schedule.interval, anchor_date: anchor, timezone };
  })
  .meta({ id: "IntervalSchedule" });

export const RRuleScheduleSchema = z
  .strictObject({
    rrule: z.string().superRefine((value, ctx) => {
      const problem = rruleProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    timezone: TimeZoneSchema.nullable().default("UTC"),
  })
  .meta({ id: "RRuleSchedule" });

/** Any schedule, as `DeploymentScheduleCreate.schedule` takes it. */
export const ScheduleSchema = z.union([
  IntervalScheduleSchema,
  CronScheduleSchema,
  RRuleScheduleSchema,
]);

export type CronSchedule = z.output<typeof CronScheduleSchema>;
export type IntervalSchedule = z.output<typeof IntervalScheduleSchema>;
export type RRuleSchedule = z.output<typeof RRuleScheduleSchema>;
/** A schedule as stored (and answered): what the schemas give. */
export type Schedule = CronSchedule | IntervalSchedule | RRuleSchedule;

/**
 * `max_scheduled_runs` of a deployment schedule: a positive integer up to
 * `PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS` (Prefect's default 50), or null.
 */
export function maxScheduledRunsSchema(limit = 50) {
  return z.number().int().positive().max(limit).nullable();
}

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

function intervalSeconds(value: number | string): number {
  return typeof value === "number" ? value : timedeltaSeconds(value);
}

/** Seconds of an interval: a number, or text pydantic reads as a timedelta (`PT10M`, `600`). */
const IntervalSecondsSchema = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const seconds = intervalSeconds(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    ctx.addIssue({
      code: "custom",
      message: Number.isNaN(seconds)
        ? "Input should be a valid timedelta"
        : "Input should be greater than 0 seconds",
    });
  }
});

/**
 * An interval schedule as sent. (Checks only: a transform here would hide its field errors inside
 * the union of `ScheduleSchema`; `IntervalScheduleSchema` and `ScheduleSchema` normalise.)
 */
const IntervalScheduleInputSchema = z.strictObject({
  interval: IntervalSecondsSchema,
  anchor_date: z
    .string()
    .refine((value) => parseDateTime(value, "UTC") !== undefined, {
      error: "Input should be a valid datetime",
    })
    .optional(),
  timezone: TimeZoneSchema.nullable().optional(),
});

type IntervalScheduleInput = z.output<typeof IntervalScheduleInputSchema>;

/** What Prefect stores: seconds, the anchor (default now) as a UTC timestamp, the zone (UTC). */
function normalizeInterval(schedule: IntervalScheduleInput) {
  const timezone = schedule.timezone ?? "UTC";
  const anchor =
    schedule.anchor_date === undefined
      ? nowIso()
      : microsToIso(BigInt(parseDateTime(schedule.anchor_date, timezone) as number));
  return { interval: intervalSeconds(schedule.interval), anchor_date: anchor, timezone };
}

export const IntervalScheduleSchema = IntervalScheduleInputSchema.transform(normalizeInterval).meta(
  { id: "IntervalSchedule" },
);

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
export const ScheduleSchema = z
  .union([IntervalScheduleInputSchema, CronScheduleSchema, RRuleScheduleSchema])
  .transform((schedule) => ("interval" in schedule ? normalizeInterval(schedule) : schedule));

/**
 * A stored schedule as answered (`DeploymentSchedule.schedule`): the same shapes without checks or
 * transforms, for response schemas.
 */
export const ScheduleResponseSchema = z.union([
  z.object({ interval: z.number(), anchor_date: z.string(), timezone: z.string().nullable() }),
  z.object({ cron: z.string(), timezone: z.string().nullable(), day_or: z.boolean() }),
  z.object({ rrule: z.string(), timezone: z.string().nullable() }),
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

/**
 * The schedule engine: Prefect's three schedule kinds, their run times with Prefect's DST rules,
 * and the scheduler's rules (docs/guides/schedules.md).
 */
export { cronProblem } from "./cron.ts";
export type { DateWindow } from "./date-window.ts";
export { MAX_RRULE_LENGTH, rruleProblem } from "./rrule.ts";
export {
  MAX_ITERATIONS,
  nextRunTimes,
  type RunTimesOptions,
  scheduleInstants,
  scheduleKind,
  scheduleTimeZone,
} from "./run-times.ts";
export {
  DEFAULT_SCHEDULER_LIMITS,
  type DeploymentScheduleToFill,
  deploymentNeedsRuns,
  type PlannedScheduledRun,
  plannedScheduledRuns,
  type SchedulerLimits,
  type SchedulingWindow,
  scheduledRunIdempotencyKey,
  scheduledTimes,
  schedulingWindow,
} from "./scheduler-rules.ts";
export {
  type CronSchedule,
  CronScheduleSchema,
  type IntervalSchedule,
  IntervalScheduleSchema,
  maxScheduledRunsSchema,
  type RRuleSchedule,
  RRuleScheduleSchema,
  type Schedule,
  ScheduleResponseSchema,
  ScheduleSchema,
  TimeZoneSchema,
} from "./schemas.ts";
export { isValidTimeZone, pythonDateTimeString } from "./time-zones.ts";

/**
 * The scheduler's rules, pure: which runs a deployment schedule should have, and the key that
 * makes creating them idempotent, as Prefect's scheduler service and
 * `models.deployments._generate_scheduled_flow_runs` decide them.
 *
 * For each active schedule the scheduler creates the fewest runs that satisfy, in order:
 * on or after the start (now); no more than `maxRuns` (100); none after the end (now + 100 days);
 * at least `minRuns` (3); until at least start + `minScheduledTime` (1 hour). A schedule's
 * `max_scheduled_runs` lowers `maxRuns` (and `minRuns`) for that schedule. Runs are keyed
 * `scheduled {deployment_id} {schedule_id} {time}` (the time as Python writes a datetime in the
 * schedule's zone), unique per flow: two schedulers, or one loop after another, never create the
 * same run twice.
 */
import { isoToMicros, microsToIso } from "../time.ts";
import { MAX_ITERATIONS, scheduleInstants, scheduleKind, scheduleTimeZone } from "./run-times.ts";
import type { Schedule } from "./schemas.ts";
import { MICROS_PER_SECOND, pythonDateTimeString } from "./time-zones.ts";

/** The `PREFECT_API_SERVICES_SCHEDULER_*` limits. */
export interface SchedulerLimits {
  /** `PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS` (100). */
  maxRuns: number;
  /** `PREFECT_API_SERVICES_SCHEDULER_MIN_RUNS` (3). */
  minRuns: number;
  /** `PREFECT_API_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME` in seconds (100 days). */
  maxScheduledTimeSeconds: number;
  /** `PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME` in seconds (1 hour). */
  minScheduledTimeSeconds: number;
}

export const DEFAULT_SCHEDULER_LIMITS: Readonly<SchedulerLimits> = Object.freeze({
  maxRuns: 100,
  minRuns: 3,
  maxScheduledTimeSeconds: 100 * 86_400,
  minScheduledTimeSeconds: 3_600,
});

/** A deployment schedule as the scheduler reads it (`DeploymentSchedule`). */
export interface DeploymentScheduleToFill {
  id: string;
  schedule: Schedule;
  active: boolean;
  max_scheduled_runs?: number | null;
  slug?: string | null;
}

/** A run the scheduler should create. */
export interface PlannedScheduledRun {
  /** `expected_start_time`, `next_scheduled_start_time` and the state's `scheduled_time`. */
  scheduledTime: string;
  idempotencyKey: string;
  /** The flow run's `created_by`. */
  createdBy: { id: string; type: "SCHEDULE"; display_value: string };
}

/**
 * What to fill: runs on or after `start`, none after `end`, `minRuns` to `maxRuns` of them, up to
 * at least `start + minTimeSeconds`. `POST /deployments/{id}/schedule` passes its own; the
 * scheduler service passes `schedulingWindow(now, limits)`.
 */
export interface SchedulingWindow {
  start: string;
  end: string;
  minTimeSeconds: number;
  minRuns: number;
  maxRuns: number;
}

/** The scheduler service's window at `now`. */
export function schedulingWindow(
  now: string,
  limits: SchedulerLimits = DEFAULT_SCHEDULER_LIMITS,
): SchedulingWindow {
  const end = isoToMicros(now) + BigInt(Math.round(limits.maxScheduledTimeSeconds * 1e6));
  return {
    start: now,
    end: microsToIso(end),
    minTimeSeconds: limits.minScheduledTimeSeconds,
    minRuns: limits.minRuns,
    maxRuns: limits.maxRuns,
  };
}

/** Prefect's idempotency key of a scheduled run: `scheduled {deployment} {schedule} {time}`. */
export function scheduledRunIdempotencyKey(
  deploymentId: string,
  scheduleId: string,
  schedule: Schedule,
  scheduledTime: string,
): string {
  const time = pythonDateTimeString(scheduleTimeZone(schedule), Number(isoToMicros(scheduledTime)));
  return `scheduled ${deploymentId} ${scheduleId} ${time}`;
}

/** The run times a schedule should have in a window (Prefect's rules, existing runs aside). */
export function scheduledTimes(
  schedule: Schedule,
  window: SchedulingWindow,
  maxScheduledRuns?: number | null,
): string[] {
  const maxRuns = Math.min(window.maxRuns, maxScheduledRuns ?? window.maxRuns);
  const minRuns = Math.min(window.minRuns, maxRuns);
  if (maxRuns <= 0) return [];
  const start = Number(isoToMicros(window.start));
  const until = start + Math.round(window.minTimeSeconds * MICROS_PER_SECOND);
  const dates = scheduleInstants(schedule, {
    start,
    end: Number(isoToMicros(window.end)),
    count: maxRuns,
    maxCandidates: MAX_ITERATIONS,
  });
  // stop at the first date that satisfies both minimums
  const enough = dates.findIndex((date, i) => i + 1 >= minRuns && date >= until);
  const kept = enough < 0 ? dates : dates.slice(0, enough + 1);
  return kept.map((instant) => microsToIso(BigInt(instant)));
}

/**
 * The runs to create for one deployment schedule: Prefect's run times for the window, less those
 * whose idempotency key is already taken. Nothing for an inactive schedule or a paused
 * deployment.
 */
export function plannedScheduledRuns(input: {
  deploymentId: string;
  deploymentPaused?: boolean;
  schedule: DeploymentScheduleToFill;
  /** Idempotency keys of the deployment's existing flow runs (any state). */
  existingIdempotencyKeys: ReadonlySet<string> | readonly string[];
  window: SchedulingWindow;
}): PlannedScheduledRun[] {
  const { deploymentId, schedule: deploymentSchedule, window } = input;
  if (input.deploymentPaused || !deploymentSchedule.active) return [];
  const existing =
    input.existingIdempotencyKeys instanceof Set
      ? input.existingIdempotencyKeys
      : new Set(input.existingIdempotencyKeys);
  const createdBy = {
    id: deploymentSchedule.id,
    type: "SCHEDULE" as const,
    display_value: deploymentSchedule.slug || scheduleKind(deploymentSchedule.schedule),
  };
  const planned: PlannedScheduledRun[] = [];
  const times = scheduledTimes(
    deploymentSchedule.schedule,
    window,
    deploymentSchedule.max_scheduled_runs,
  );
  for (const scheduledTime of times) {
    const idempotencyKey = scheduledRunIdempotencyKey(
      deploymentId,
      deploymentSchedule.id,
      deploymentSchedule.schedule,
      scheduledTime,
    );
    if (existing.has(idempotencyKey)) continue;
    planned.push({ scheduledTime, idempotencyKey, createdBy });
  }
  return planned;
}

/**
 * Whether the scheduler service should look at a deployment now (its selection query): fewer than
 * `minRuns` future auto-scheduled runs in a Scheduled state, or the last of them sooner than
 * now + `minScheduledTime`. `futureRunTimes`: `next_scheduled_start_time` of those runs.
 */
export function deploymentNeedsRuns(
  futureRunTimes: readonly string[],
  now: string,
  limits: SchedulerLimits = DEFAULT_SCHEDULER_LIMITS,
): boolean {
  if (futureRunTimes.length < limits.minRuns) return true;
  const latest = futureRunTimes.reduce((a, b) => (isoToMicros(b) > isoToMicros(a) ? b : a));
  const horizon = isoToMicros(now) + BigInt(Math.round(limits.minScheduledTimeSeconds * 1e6));
  return isoToMicros(latest) < horizon;
}

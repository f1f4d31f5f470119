/**
 * The server's services, as `prefect-ts server services ls` lists them: each named as Prefect names
 * it, with the setting that turns it on or off, how often it loops, and where it runs.
 *
 * - `services`: a loop service over the database alone. `server start` runs it; so does
 *   `server services start`, and `server start --no-services` leaves it to that process (several
 *   API servers plus one services process, as Prefect's self-hosting guide runs them).
 * - `api`: part of each API server, whatever `--no-services` says: it serves what that server
 *   holds in memory — the events it receives (the task-run and asset recorders), the concurrency
 *   holders attached to it and the requests waiting on its limits (the repossessor).
 *
 * The registry only describes (and loads nothing, so that `ls` is quick); the composition root
 * (`composition.ts`) builds the services from it.
 */
import type { Settings } from "../settings/settings.ts";

/** Where a service runs: with the loop services, or in each API server. */
export type ServiceHome = "services" | "api";

export interface ServiceDefinition<N extends string = string> {
  /** Prefect's name for it (its service class), or ours for a service Prefect does not have. */
  readonly name: N;
  /** One line: what it does. */
  readonly description: string;
  readonly home: ServiceHome;
  /**
   * The environment variable that turns it on or off (Prefect 3's `PREFECT_SERVER_SERVICES_*`
   * name; the older `PREFECT_API_SERVICES_*` is read too where Prefect has one); null: always on.
   */
  readonly setting: string | null;
  enabled(settings: Settings): boolean;
  /** Seconds between its loops; null: not a loop (a consumer of the server's events). */
  loopSeconds(settings: Settings): number | null;
}

const define = <const N extends string>(d: ServiceDefinition<N>): ServiceDefinition<N> => d;

/** Every service of the server, in the order they start. */
export const SERVER_SERVICES = [
  define({
    name: "Scheduler",
    description: "Creates the scheduled runs of deployments' active schedules, ahead of time.",
    home: "services",
    setting: "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED",
    enabled: (s) => s.scheduler.enabled,
    loopSeconds: (s) => s.scheduler.loopSeconds,
  }),
  define({
    name: "RecentDeploymentsScheduler",
    description: "Schedules the deployments changed since its last look, within seconds.",
    home: "services",
    setting: "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED",
    enabled: (s) => s.scheduler.enabled,
    loopSeconds: (s) => s.scheduler.recentDeploymentsLoopSeconds,
  }),
  define({
    name: "MarkLateRuns",
    description: "Marks Late the Scheduled runs past their time.",
    home: "services",
    setting: "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED",
    enabled: (s) => s.lateRuns.enabled,
    loopSeconds: (s) => s.lateRuns.loopSeconds,
  }),
  define({
    name: "CancellationCleanup",
    description: "Ends the runs and task runs that cancellations left behind.",
    home: "services",
    setting: "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED",
    enabled: (s) => s.cancellationCleanup.enabled,
    loopSeconds: (s) => s.cancellationCleanup.loopSeconds,
  }),
  define({
    name: "ZombieFlowRuns",
    description: "Crashes Running flow runs whose process is gone.",
    home: "services",
    setting: "PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED",
    enabled: (s) => s.zombieFlowRuns.enabled,
    loopSeconds: (s) => s.zombieFlowRuns.loopSeconds,
  }),
  define({
    name: "EventPersister",
    description: "Deletes the events older than the retention period.",
    home: "services",
    setting: "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED",
    enabled: (s) => s.eventPersisterEnabled,
    // every 15 minutes, as Prefect's (`EVENT_TRIM_INTERVAL_MS`)
    loopSeconds: () => 15 * 60,
  }),
  define({
    name: "Repossessor",
    description: "Frees the slots of expired concurrency leases; wakes this server's waiters.",
    home: "api",
    setting: null,
    enabled: () => true,
    // `ConcurrencyLeaseExpiry`'s interval
    loopSeconds: () => 0.5,
  }),
  define({
    name: "TaskRunRecorder",
    description: "Records the task runs of the events this server receives.",
    home: "api",
    setting: null,
    enabled: () => true,
    loopSeconds: () => null,
  }),
  define({
    name: "AssetRecorder",
    description: "Records the assets and their dependencies from the events this server receives.",
    home: "api",
    setting: null,
    enabled: () => true,
    loopSeconds: () => null,
  }),
] as const;

export type ServiceName = (typeof SERVER_SERVICES)[number]["name"];

/** One service as `server services ls --output json` prints it. */
export interface ServiceStatus {
  name: ServiceName;
  enabled: boolean;
  /** The setting that turns it on or off; null: always on. */
  setting: string | null;
  runs_in: ServiceHome;
  loop_seconds: number | null;
  description: string;
}

/** Every service, and whether these settings enable it. */
export function serviceStatuses(settings: Settings): ServiceStatus[] {
  return SERVER_SERVICES.map((d) => ({
    name: d.name,
    enabled: d.enabled(settings),
    setting: d.setting,
    runs_in: d.home,
    loop_seconds: d.loopSeconds(settings),
    description: d.description,
  }));
}

import { homedir } from "node:os";
import { join } from "node:path";
import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import {
  bool,
  heartbeatFrequency,
  number,
  readFields,
  statusCodes,
  text,
  timedelta,
  upperOneOf,
  url,
} from "./env-fields.ts";

const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Client retries by default: their pauses add up to about 61 s (see client/retry-policy.ts). */
const DEFAULT_CLIENT_MAX_RETRIES = 17;

/** A number of seconds, more than 0. */
const seconds = () =>
  number({ positive: true, message: "must be a number of seconds, more than 0" });
/** A number of seconds, 0 or more. */
const secondsOrZero = () => number({ min: 0, message: "must be a number of seconds, 0 or more" });
/** A whole number, 1 or more. */
const count = () =>
  number({ int: true, positive: true, message: "must be a whole number, 1 or more" });
const API_URL_MESSAGE = "must be a URL such as http://127.0.0.1:4200/api";

/** Prefect's default `server.events.retention_period`: 7 days. */
const DEFAULT_EVENTS_RETENTION_SECONDS = 7 * 86_400;

/** Every variable read, and how. */
const fields = {
  PREFECT_HOME: text({ nonEmpty: true }),
  PREFECT_API_URL: url(API_URL_MESSAGE),
  PREFECT_API_KEY: text(),
  PREFECT_API_AUTH_STRING: text(),
  PREFECT_CLIENT_MAX_RETRIES: number({
    int: true,
    min: 0,
    message: "must be a whole number of retries (0 or more)",
  }),
  PREFECT_CLIENT_RETRY_EXTRA_CODES: statusCodes(),
  PREFECT_API_DATABASE_CONNECTION_URL: text({ nonEmpty: true }),
  PREFECT_LOGGING_LEVEL: upperOneOf(LOG_LEVELS),
  PREFECT_LOGGING_TO_API_ENABLED: bool(),
  PREFECT_LOGGING_LOG_PRINTS: bool(),
  PREFECT_UI_URL: text(),
  PREFECT_UI_ENABLED: bool(),
  PREFECT_UI_API_URL: url(API_URL_MESSAGE),
  PREFECT_TASK_RUNNER_MAX_CONCURRENCY: count(),
  PREFECT_FLOW_DEFAULT_RETRIES: number({ int: true, min: 0 }),
  PREFECT_FLOW_DEFAULT_RETRY_DELAY_SECONDS: secondsOrZero(),
  PREFECT_TASK_DEFAULT_RETRIES: number({ int: true, min: 0 }),
  PREFECT_TASK_DEFAULT_RETRY_DELAY_SECONDS: secondsOrZero(),
  PREFECT_LOCAL_STORAGE_PATH: text({ nonEmpty: true }),
  PREFECT_RESULTS_PERSIST_BY_DEFAULT: bool(),
  PREFECT_RESULTS_DEFAULT_SERIALIZER: text({ nonEmpty: true }),
  PREFECT_TASKS_REFRESH_CACHE: bool(),
  PREFECT_FLOWS_HEARTBEAT_FREQUENCY: heartbeatFrequency(),
  // Prefect's older name, still accepted by Prefect 3 (the one above wins)
  PREFECT_RUNNER_HEARTBEAT_FREQUENCY: heartbeatFrequency(),
  PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED: bool(),
  PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS: seconds(),
  PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_AFTER_SECONDS: seconds(),
  PREFECT_API_SERVICES_CANCELLATION_CLEANUP_ENABLED: bool(),
  PREFECT_API_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS: seconds(),
  PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS: secondsOrZero(),
  PREFECT_API_SERVICES_SCHEDULER_ENABLED: bool(),
  PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS: seconds(),
  PREFECT_API_SERVICES_SCHEDULER_DEPLOYMENT_BATCH_SIZE: count(),
  PREFECT_API_SERVICES_SCHEDULER_INSERT_BATCH_SIZE: count(),
  PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS: count(),
  PREFECT_API_SERVICES_SCHEDULER_MIN_RUNS: count(),
  PREFECT_API_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: timedelta(),
  PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: timedelta(),
  PREFECT_API_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS: seconds(),
  PREFECT_API_SERVICES_LATE_RUNS_ENABLED: bool(),
  PREFECT_API_SERVICES_LATE_RUNS_LOOP_SECONDS: seconds(),
  PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS: timedelta(),
  PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED: bool(),
  PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS: count(),
  PREFECT_WORKER_HEARTBEAT_SECONDS: seconds(),
  PREFECT_SERVER_EVENTS_RETENTION_PERIOD: timedelta(),
  // Prefect's older name, still accepted by Prefect 3 (the one above wins)
  PREFECT_EVENTS_RETENTION_PERIOD: timedelta(),
  PREFECT_SERVER_API_HOST: text({ nonEmpty: true }),
  PREFECT_SERVER_API_PORT: number({
    int: true,
    min: 0,
    max: 65535,
    message: "must be a port number from 0 to 65535",
  }),
  PREFECT_SERVER_API_AUTH_STRING: text(),
  PREFECT_SERVER_CSRF_PROTECTION_ENABLED: bool(),
  PREFECT_SERVER_CSRF_TOKEN_EXPIRATION: timedelta(),
  PREFECT_CLIENT_CSRF_SUPPORT_ENABLED: bool(),
  PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE: text({ nonEmpty: true }),
  PREFECT_SERVER_CONCURRENCY_HOLDER_GRACE_SECONDS: secondsOrZero(),
  PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS: secondsOrZero(),
  PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS: secondsOrZero(),
  PREFECT_DEPLOYMENT_CONCURRENCY_SLOT_WAIT_SECONDS: secondsOrZero(),
  PREFECT_REDIS_MESSAGING_HOST: text({ nonEmpty: true }),
  PREFECT_REDIS_MESSAGING_PORT: number({ int: true, min: 1, max: 65535 }),
  PREFECT_REDIS_MESSAGING_DB: number({ int: true, min: 0 }),
  PREFECT_REDIS_MESSAGING_USERNAME: text(),
  PREFECT_REDIS_MESSAGING_PASSWORD: text(),
};

/** Settings, read from `PREFECT_*` environment variables with Prefect's names. */
export interface Settings {
  home: string;
  apiUrl: string | null;
  apiKey: string | null;
  /** `PREFECT_API_AUTH_STRING` (`user:password`), sent as Basic auth when there is no API key. */
  apiAuthString: string | null;
  /**
   * How many times the client retries a request the API could not answer (it cannot be reached,
   * or answers 429/502/503/504 or one of `clientRetryExtraCodes`), with exponential backoff from
   * 0.1 s to 5 s (`PREFECT_CLIENT_MAX_RETRIES`, default 17: about 61 s, enough for a server
   * restart).
   */
  clientMaxRetries: number;
  /** More HTTP status codes to retry (`PREFECT_CLIENT_RETRY_EXTRA_CODES`, comma-separated). */
  clientRetryExtraCodes: number[];
  databaseUrl: string;
  loggingLevel: LogLevelName;
  logPrints: boolean;
  loggingToApi: boolean;
  /** Where the UI is, for the links runs print: `PREFECT_UI_URL`, else `PREFECT_API_URL` without `/api`. */
  uiUrl: string | null;
  /** Whether `prefect-ts server start` serves the web UI (`PREFECT_UI_ENABLED`, default true). */
  uiEnabled: boolean;
  /** The API URL the browser uses (`PREFECT_UI_API_URL`); null: `/api` on the origin the UI was loaded from. */
  uiApiUrl: string | null;
  taskRunnerMaxConcurrency: number;
  flowDefaultRetries: number;
  flowDefaultRetryDelaySeconds: number;
  taskDefaultRetries: number;
  taskDefaultRetryDelaySeconds: number;
  /** Where the default local result storage keeps result files (`$PREFECT_HOME/storage`). */
  localStoragePath: string;
  /** Persist every task and flow result unless `persistResult: false` (default off). */
  resultsPersistByDefault: boolean;
  /** Serializer of results when a task or flow names none (`json`). */
  resultsDefaultSerializer: string;
  /** Ignore cached results and recompute (and overwrite) them (default off). */
  tasksRefreshCache: boolean;
  /**
   * Seconds between the `prefect.flow-run.heartbeat` events a running flow sends
   * (`PREFECT_FLOWS_HEARTBEAT_FREQUENCY`, or the older `PREFECT_RUNNER_HEARTBEAT_FREQUENCY`: 30 or
   * more, or `off`; default 30).
   */
  heartbeatSeconds: number | null;
  /**
   * The zombie flow-run service of `server start` (`PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_*`):
   * whether it runs (default true), how often it looks (`LOOP_SECONDS`, default 5), and after how
   * long without a heartbeat a Running run is crashed (`AFTER_SECONDS`, default 90).
   */
  zombieFlowRuns: { enabled: boolean; loopSeconds: number; afterSeconds: number };
  /**
   * The cancellation-cleanup service (`PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_*`, or the older
   * `PREFECT_API_SERVICES_CANCELLATION_CLEANUP_*`): whether it runs (`ENABLED`, true), how often
   * `server start` looks (`LOOP_SECONDS`, 20, as Prefect), and after how long a run still
   * Cancelling is marked Cancelled whatever its process (`CANCELLING_TIMEOUT_SECONDS`, ours, 300;
   * null when set to 0: never).
   */
  cancellationCleanup: {
    enabled: boolean;
    loopSeconds: number;
    cancellingTimeoutSeconds: number | null;
  };
  /**
   * How long the server keeps events, in seconds (`PREFECT_SERVER_EVENTS_RETENTION_PERIOD`, or
   * the older `PREFECT_EVENTS_RETENTION_PERIOD`: seconds or an ISO 8601 duration; default `P7D`).
   * Older events are deleted by `server start` at start and every 15 minutes.
   */
  eventsRetentionSeconds: number;
  /**
   * Whether the server trims the event store (`PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED`, or
   * the older `PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED`; default true). Events are written by
   * the API server that receives them whatever this says: it turns off only the deleting of events
   * older than `eventsRetentionSeconds`.
   */
  eventPersisterEnabled: boolean;
  /**
   * The scheduler (`PREFECT_API_SERVICES_SCHEDULER_*`, or Prefect 3's `PREFECT_SERVER_SERVICES_SCHEDULER_*`):
   * whether `server start` runs it (`ENABLED`, true), every `LOOP_SECONDS` (60), deployments per
   * page (`DEPLOYMENT_BATCH_SIZE`, 100) and runs per insert (`INSERT_BATCH_SIZE`, 500); which runs
   * it makes (`MAX_RUNS` 100, `MIN_RUNS` 3, `MAX_SCHEDULED_TIME` 100 days, `MIN_SCHEDULED_TIME` 1
   * hour, in seconds here); deployments changed lately are scheduled every
   * `RECENT_DEPLOYMENTS_LOOP_SECONDS` (5).
   */
  scheduler: {
    enabled: boolean;
    loopSeconds: number;
    deploymentBatchSize: number;
    insertBatchSize: number;
    maxRuns: number;
    minRuns: number;
    maxScheduledTimeSeconds: number;
    minScheduledTimeSeconds: number;
    recentDeploymentsLoopSeconds: number;
  };
  /**
   * The late-runs service (`PREFECT_API_SERVICES_LATE_RUNS_*`): whether it runs (true), every
   * `LOOP_SECONDS` (5); a Scheduled run becomes `Late` `AFTER_SECONDS` (15) past its time.
   */
  lateRuns: { enabled: boolean; loopSeconds: number; afterSeconds: number };
  /** The largest `max_scheduled_runs` of a schedule (`PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS`, 50). */
  deploymentScheduleMaxScheduledRuns: number;
  /**
   * Seconds between a worker's heartbeats (`PREFECT_WORKER_HEARTBEAT_SECONDS`, 30): a worker that
   * gave no interval of its own is OFFLINE after three of them without a heartbeat.
   */
  workerHeartbeatSeconds: number;
  /** Where `server start` listens (`PREFECT_SERVER_API_HOST`, default 127.0.0.1). */
  serverApiHost: string;
  /** The port `server start` listens on (`PREFECT_SERVER_API_PORT`, default 4200). */
  serverApiPort: number;
  /**
   * `PREFECT_SERVER_API_AUTH_STRING` (`user:password`): when set, the server requires Basic auth
   * with it (or an API key as `Bearer`) on every API route but `/api/health` and `/api/ready`.
   */
  serverApiAuthString: string | null;
  /** `PREFECT_SERVER_CSRF_PROTECTION_ENABLED` (default false, as Prefect). */
  serverCsrfProtectionEnabled: boolean;
  /** `PREFECT_SERVER_CSRF_TOKEN_EXPIRATION`, in seconds (default `PT1H`). */
  serverCsrfTokenExpirationSeconds: number;
  /** `PREFECT_CLIENT_CSRF_SUPPORT_ENABLED` (default true): the client fetches CSRF tokens when the server wants them. */
  clientCsrfSupportEnabled: boolean;
  /**
   * Where the server keeps concurrency leases (`PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE`): a
   * module naming Redis (Prefect's `prefect_redis.lease_storage`) keeps them in Redis; anything
   * else, or unset, in the database.
   */
  concurrencyLeaseStorage: string | null;
  /**
   * Seconds a lease bound to a holder connection outlives that holder's attachment
   * (`PREFECT_SERVER_CONCURRENCY_HOLDER_GRACE_SECONDS`, ours, default 5): how long a holder has to
   * attach again after a server restart before its slots are freed.
   */
  concurrencyHolderGraceSeconds: number;
  /** `PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS` (default 30): the delay a task run waiting on a tag limit is told. */
  taskRunTagConcurrencySlotWaitSeconds: number;
  /**
   * `PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS` (or its older name
   * `PREFECT_DEPLOYMENT_CONCURRENCY_SLOT_WAIT_SECONDS`; default 30): how far ahead a run of a
   * deployment at its concurrency limit is scheduled again (`AwaitingConcurrencySlot`).
   */
  deploymentConcurrencySlotWaitSeconds: number;
  /** Prefect-redis's connection (`PREFECT_REDIS_MESSAGING_HOST`, `_PORT`, `_DB`, `_USERNAME`, `_PASSWORD`). */
  redis: {
    host: string;
    port: number;
    db: number;
    username: string | null;
    password: string | null;
  };
}

/** Parse settings from an environment; one error lists every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(fields)) {
    // Prefect 3 names the services' settings PREFECT_SERVER_SERVICES_* (the older name is an alias)
    const newer = key.startsWith("PREFECT_API_SERVICES_")
      ? env[key.replace("PREFECT_API_SERVICES_", "PREFECT_SERVER_SERVICES_")]
      : undefined;
    const v = newer !== undefined && newer !== "" ? newer : env[key];
    if (v !== undefined && v !== "") picked[key] = v;
  }
  const { values: s, problems } = readFields(fields, picked);
  if (problems.length > 0) {
    throw new PrefectTsError(ErrorCode.SETTINGS, `invalid settings:\n${problems.join("\n")}`);
  }
  const home = s.PREFECT_HOME ?? join(homedir(), ".prefect-ts");
  return {
    home,
    apiUrl: s.PREFECT_API_URL ?? null,
    apiKey: s.PREFECT_API_KEY ?? null,
    apiAuthString: s.PREFECT_API_AUTH_STRING ?? null,
    clientMaxRetries: s.PREFECT_CLIENT_MAX_RETRIES ?? DEFAULT_CLIENT_MAX_RETRIES,
    clientRetryExtraCodes: s.PREFECT_CLIENT_RETRY_EXTRA_CODES ?? [],
    databaseUrl: s.PREFECT_API_DATABASE_CONNECTION_URL ?? join(home, "prefect.db"),
    loggingLevel: s.PREFECT_LOGGING_LEVEL ?? "INFO",
    logPrints: s.PREFECT_LOGGING_LOG_PRINTS ?? false,
    loggingToApi: s.PREFECT_LOGGING_TO_API_ENABLED ?? true,
    uiUrl: s.PREFECT_UI_URL ?? uiUrlFromApiUrl(s.PREFECT_API_URL),
    uiEnabled: s.PREFECT_UI_ENABLED ?? true,
    // not PREFECT_API_URL as Prefect does: without it the browser calls the API on the origin it
    // loaded the UI from, which needs no CORS (the server sends none) whatever name it was reached by
    uiApiUrl: s.PREFECT_UI_API_URL ?? null,
    taskRunnerMaxConcurrency: s.PREFECT_TASK_RUNNER_MAX_CONCURRENCY ?? 1000,
    flowDefaultRetries: s.PREFECT_FLOW_DEFAULT_RETRIES ?? 0,
    flowDefaultRetryDelaySeconds: s.PREFECT_FLOW_DEFAULT_RETRY_DELAY_SECONDS ?? 0,
    taskDefaultRetries: s.PREFECT_TASK_DEFAULT_RETRIES ?? 0,
    taskDefaultRetryDelaySeconds: s.PREFECT_TASK_DEFAULT_RETRY_DELAY_SECONDS ?? 0,
    localStoragePath: s.PREFECT_LOCAL_STORAGE_PATH ?? join(home, "storage"),
    resultsPersistByDefault: s.PREFECT_RESULTS_PERSIST_BY_DEFAULT ?? false,
    resultsDefaultSerializer: s.PREFECT_RESULTS_DEFAULT_SERIALIZER ?? "json",
    tasksRefreshCache: s.PREFECT_TASKS_REFRESH_CACHE ?? false,
    heartbeatSeconds:
      s.PREFECT_FLOWS_HEARTBEAT_FREQUENCY !== undefined
        ? s.PREFECT_FLOWS_HEARTBEAT_FREQUENCY
        : s.PREFECT_RUNNER_HEARTBEAT_FREQUENCY !== undefined
          ? s.PREFECT_RUNNER_HEARTBEAT_FREQUENCY
          : 30,
    zombieFlowRuns: {
      enabled: s.PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED ?? true,
      loopSeconds: s.PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_LOOP_SECONDS ?? 5,
      afterSeconds: s.PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_AFTER_SECONDS ?? 90,
    },
    cancellationCleanup: {
      enabled: s.PREFECT_API_SERVICES_CANCELLATION_CLEANUP_ENABLED ?? true,
      loopSeconds: s.PREFECT_API_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS ?? 20,
      cancellingTimeoutSeconds:
        (s.PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS ?? 300) || null,
    },
    eventsRetentionSeconds:
      s.PREFECT_SERVER_EVENTS_RETENTION_PERIOD ??
      s.PREFECT_EVENTS_RETENTION_PERIOD ??
      DEFAULT_EVENTS_RETENTION_SECONDS,
    eventPersisterEnabled: s.PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED ?? true,
    scheduler: {
      enabled: s.PREFECT_API_SERVICES_SCHEDULER_ENABLED ?? true,
      loopSeconds: s.PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS ?? 60,
      deploymentBatchSize: s.PREFECT_API_SERVICES_SCHEDULER_DEPLOYMENT_BATCH_SIZE ?? 100,
      insertBatchSize: s.PREFECT_API_SERVICES_SCHEDULER_INSERT_BATCH_SIZE ?? 500,
      maxRuns: s.PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS ?? 100,
      minRuns: s.PREFECT_API_SERVICES_SCHEDULER_MIN_RUNS ?? 3,
      maxScheduledTimeSeconds: s.PREFECT_API_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME ?? 100 * 86_400,
      minScheduledTimeSeconds: s.PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME ?? 3600,
      recentDeploymentsLoopSeconds:
        s.PREFECT_API_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS ?? 5,
    },
    lateRuns: {
      enabled: s.PREFECT_API_SERVICES_LATE_RUNS_ENABLED ?? true,
      loopSeconds: s.PREFECT_API_SERVICES_LATE_RUNS_LOOP_SECONDS ?? 5,
      afterSeconds: s.PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS ?? 15,
    },
    deploymentScheduleMaxScheduledRuns: s.PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS ?? 50,
    workerHeartbeatSeconds: s.PREFECT_WORKER_HEARTBEAT_SECONDS ?? 30,
    serverApiHost: s.PREFECT_SERVER_API_HOST ?? "127.0.0.1",
    serverApiPort: s.PREFECT_SERVER_API_PORT ?? 4200,
    serverApiAuthString: s.PREFECT_SERVER_API_AUTH_STRING ?? null,
    serverCsrfProtectionEnabled: s.PREFECT_SERVER_CSRF_PROTECTION_ENABLED ?? false,
    serverCsrfTokenExpirationSeconds: s.PREFECT_SERVER_CSRF_TOKEN_EXPIRATION ?? 3600,
    clientCsrfSupportEnabled: s.PREFECT_CLIENT_CSRF_SUPPORT_ENABLED ?? true,
    concurrencyLeaseStorage: s.PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE ?? null,
    concurrencyHolderGraceSeconds: s.PREFECT_SERVER_CONCURRENCY_HOLDER_GRACE_SECONDS ?? 5,
    taskRunTagConcurrencySlotWaitSeconds:
      s.PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS ?? 30,
    deploymentConcurrencySlotWaitSeconds:
      s.PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS ??
      s.PREFECT_DEPLOYMENT_CONCURRENCY_SLOT_WAIT_SECONDS ??
      30,
    redis: {
      host: s.PREFECT_REDIS_MESSAGING_HOST ?? "localhost",
      port: s.PREFECT_REDIS_MESSAGING_PORT ?? 6379,
      db: s.PREFECT_REDIS_MESSAGING_DB ?? 0,
      username: s.PREFECT_REDIS_MESSAGING_USERNAME ?? null,
      password: s.PREFECT_REDIS_MESSAGING_PASSWORD ?? null,
    },
  };
}

/** Prefect's default UI URL in client mode: the API URL without its trailing `/api`. */
function uiUrlFromApiUrl(apiUrl: string | undefined): string | null {
  if (!apiUrl) return null;
  const trimmed = apiUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/api") ? trimmed.slice(0, -"/api".length) : null;
}

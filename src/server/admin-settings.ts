/**
 * `GET /api/admin/settings`: the server's settings in the shape of Prefect's `Settings` — every
 * top-level section, with this server's values where it has them and Prefect's defaults for the
 * rest. Secret values are obfuscated as Prefect obfuscates them.
 */
import {
  MAXIMUM_EVENT_NAME_LENGTH,
  MAXIMUM_EVENT_SIZE_BYTES,
  MAXIMUM_LABELS_PER_RESOURCE,
  MAXIMUM_RELATED_RESOURCES,
} from "../resources/events/schema.ts";
import type { Settings } from "../settings/settings.ts";

/** How Prefect shows a secret that is set. */
const OBFUSCATED = "********";

const secret = (value: string | null) => (value ? OBFUSCATED : null);

/** Seconds as an ISO 8601 duration (`P7D`, `PT15M`), as pydantic serialises a timedelta. */
export function isoDuration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const date = days ? `${days}D` : "";
  const time = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${rest ? `${rest}S` : ""}`;
  if (!date && !time) return "PT0S";
  return `P${date}${time ? `T${time}` : ""}`;
}

export interface ServingAt {
  host: string;
  port: number;
}

/** Prefect's `Settings` for this server. */
export function adminSettings(
  settings: Settings,
  serving: ServingAt,
  dialect: string,
): Record<string, unknown> {
  return {
    home: settings.home,
    profiles_path: `${settings.home}/profiles.toml`,
    debug_mode: false,
    api: {
      url: settings.apiUrl,
      auth_string: secret(settings.apiAuthString),
      key: secret(settings.apiKey),
      tls_insecure_skip_verify: false,
      ssl_cert_file: null,
      enable_http2: false,
      request_timeout: 60,
    },
    cli: { colors: true, prompt: null, wrap_lines: true },
    client: {
      max_retries: settings.clientMaxRetries,
      retry_jitter_factor: 0.2,
      retry_extra_codes: settings.clientRetryExtraCodes,
      csrf_support_enabled: settings.clientCsrfSupportEnabled,
      custom_headers: {},
      server_version_check_enabled: true,
      metrics: { enabled: false, port: 4201 },
    },
    cloud: {
      api_url: "https://api.prefect.cloud/api",
      enable_orchestration_telemetry: false,
      max_log_size: 25_000,
      ui_url: null,
    },
    deployments: { default_work_pool_name: null, default_docker_build_namespace: null },
    events: { worker_max_queue_size: 0 },
    experiments: { warn: true },
    flows: {
      heartbeat_frequency: settings.heartbeatSeconds,
      default_retries: settings.flowDefaultRetries,
      default_retry_delay_seconds: settings.flowDefaultRetryDelaySeconds,
    },
    internal: { logging_level: "ERROR" },
    logging: {
      level: settings.loggingLevel,
      config_path: null,
      extra_loggers: null,
      log_prints: settings.logPrints,
      colors: true,
      markup: false,
      to_api: {
        enabled: settings.loggingToApi,
        batch_interval: 2,
        batch_size: 4_000_000,
        max_log_size: 1_000_000,
        when_missing_flow: "warn",
      },
    },
    plugins: { enabled: false, allow: null, deny: null },
    results: {
      default_serializer: settings.resultsDefaultSerializer,
      persist_by_default: settings.resultsPersistByDefault,
      default_storage_block: null,
      local_storage_path: settings.localStoragePath,
    },
    runner: { process_limit: 5, poll_frequency: 10, crash_on_cancellation_failure: false },
    server: {
      logging_level: "WARNING",
      analytics_enabled: false,
      metrics_enabled: false,
      api: {
        auth_string: secret(settings.serverApiAuthString),
        host: serving.host,
        port: serving.port,
        base_path: null,
        default_limit: 200,
        keepalive_timeout: 5,
        csrf_protection_enabled: settings.serverCsrfProtectionEnabled,
        csrf_token_expiration: isoDuration(settings.serverCsrfTokenExpirationSeconds),
        cors_allowed_origins: "*",
        cors_allowed_methods: "*",
        cors_allowed_headers: "*",
      },
      database: {
        connection_url: OBFUSCATED,
        driver: dialect === "postgres" ? "postgresql+asyncpg" : "sqlite+aiosqlite",
        echo: false,
        migrate_on_start: true,
        timeout: 10,
        connection_timeout: 5,
      },
      events: {
        stream_out_enabled: true,
        maximum_labels_per_resource: MAXIMUM_LABELS_PER_RESOURCE,
        maximum_related_resources: MAXIMUM_RELATED_RESOURCES,
        maximum_size_bytes: MAXIMUM_EVENT_SIZE_BYTES,
        maximum_event_name_length: MAXIMUM_EVENT_NAME_LENGTH,
        retention_period: isoDuration(settings.eventsRetentionSeconds),
      },
      flow_run_graph: { max_nodes: 10_000, max_artifacts: 10_000 },
      ui: {
        enabled: settings.uiEnabled,
        v2_enabled: false,
        api_url: settings.uiApiUrl,
        serve_base: "/",
        static_directory: null,
        show_promotional_content: false,
      },
    },
    tasks: {
      refresh_cache: settings.tasksRefreshCache,
      default_no_cache: false,
      disable_caching: false,
      default_retries: settings.taskDefaultRetries,
      default_retry_delay_seconds: settings.taskDefaultRetryDelaySeconds,
      default_persist_result: null,
    },
    telemetry: { enable_resource_metrics: false, resource_metrics_interval_seconds: 10 },
    testing: { test_mode: false, unit_test_mode: false },
    worker: {
      heartbeat_seconds: settings.workerHeartbeatSeconds,
      query_seconds: 10,
      prefetch_seconds: 10,
    },
    ui_url: settings.uiUrl,
    silence_api_url_misconfiguration: false,
  };
}

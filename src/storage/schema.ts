/**
 * Table shapes as Kysely sees them. Columns are snake_case and named as in Prefect's database.
 * JSON columns hold JSON text on SQLite and jsonb on PostgreSQL; booleans are 0/1 on SQLite;
 * timestamps are canonical ISO strings on both (see `dialect.ts`).
 */
import type { Generated } from "kysely";

type Json = unknown;
type Bool = boolean | number;

export interface FlowTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  tags: Json;
  labels: Json;
  parameter_openapi_schema: Json | null;
}

interface RunColumns {
  state_id: string | null;
  state_type: string | null;
  state_name: string | null;
  state_timestamp: string | null;
  run_count: number;
  expected_start_time: string | null;
  next_scheduled_start_time: string | null;
  start_time: string | null;
  end_time: string | null;
  total_run_time: number;
}

export interface FlowRunTable extends RunColumns {
  id: string;
  created: string;
  updated: string;
  name: string;
  flow_id: string;
  deployment_id: string | null;
  deployment_version: string | null;
  work_queue_id: string | null;
  work_queue_name: string | null;
  work_pool_id: string | null;
  work_pool_name: string | null;
  flow_version: string | null;
  parameters: Json;
  idempotency_key: string | null;
  context: Json;
  empirical_policy: Json;
  tags: Json;
  labels: Json;
  parent_task_run_id: string | null;
  auto_scheduled: Bool;
  infrastructure_document_id: string | null;
  infrastructure_pid: string | null;
  created_by: Json | null;
  job_variables: Json;
}

export interface TaskRunTable extends RunColumns {
  id: string;
  created: string;
  updated: string;
  name: string;
  flow_run_id: string | null;
  task_key: string;
  dynamic_key: string;
  cache_key: string | null;
  cache_expiration: string | null;
  task_version: string | null;
  empirical_policy: Json;
  task_inputs: Json;
  tags: Json;
  labels: Json;
  flow_run_run_count: number;
}

interface StateColumns {
  id: string;
  created: string;
  updated: string;
  type: string;
  name: string;
  timestamp: string;
  message: string | null;
  state_details: Json;
  data: Json | null;
}

export interface FlowRunStateTable extends StateColumns {
  flow_run_id: string;
}

export interface TaskRunStateTable extends StateColumns {
  task_run_id: string;
}

export interface LogTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  level: number;
  flow_run_id: string | null;
  task_run_id: string | null;
  message: string;
  timestamp: string;
}

export interface TaskRunStateCacheTable {
  id: string;
  created: string;
  updated: string;
  cache_key: string;
  cache_expiration: string | null;
  task_run_state_id: string;
}

/** Prefect's `events`: one row per event received (JSON columns as in `LogTable`'s notes). */
export interface EventsTable {
  id: string;
  occurred: string;
  event: string;
  resource_id: string;
  resource: Json;
  related_resource_ids: Json;
  related: Json;
  payload: Json;
  received: string;
  recorded: string;
  follows: string | null;
}

/** Prefect's `event_resources`: every resource of an event; the primary one has role `''`. */
export interface EventResourcesTable {
  occurred: string;
  resource_id: string;
  resource_role: string;
  /** The resource's labels without `prefect.resource.id` and `prefect.resource.role`. */
  resource: Json;
  event_id: string;
}

/** API keys (beyond Prefect OSS): the SHA-256 of each key, never the key. */
export interface ApiKeyTable {
  id: string;
  created: string;
  name: string;
  /** The key's first characters, to tell keys apart in listings. */
  key_prefix: string;
  key_hash: string;
  revoked: string | null;
}

/** Prefect's `csrf_token`: one token per client. */
export interface CsrfTokenTable {
  id: string;
  created: string;
  updated: string;
  token: string;
  client: string;
  expiration: string;
}

/** Prefect's `concurrency_limit_v2` (v1 tag limits are the ones named `tag:<tag>`). */
export interface ConcurrencyLimitV2Table {
  id: string;
  created: string;
  updated: string;
  active: Bool;
  name: string;
  limit: number;
  active_slots: number;
  denied_slots: number;
  slot_decay_per_second: number;
  avg_slot_occupancy_seconds: number;
  /** Ours: when a decaying limit's slots started decaying (advanced by whole slots only). */
  decay_anchor: string;
}

/** A lease on slots of concurrency limits (database lease storage). */
export interface ConcurrencyLeaseTable {
  id: string;
  created: string;
  expiration: string;
  /** The limit ids, in the order they were asked for. */
  resource_ids: Json;
  slots: number;
  /** Prefect's `ConcurrencyLeaseHolder` (`{type, id}`), or null. */
  holder: Json | null;
  /** Bound to the holder connection of this id (ours), or null. */
  holder_id: string | null;
  /** Bound to the local process `"<host>:<pid>"` (ours), or null. */
  holder_process: string | null;
}

export interface ConcurrencyLeaseLimitTable {
  lease_id: string;
  limit_id: string;
}

/** A holder attached to an API server through its holder socket. */
export interface ConcurrencyLeaseHolderTable {
  id: string;
  attached_until: string;
}

/** Prefect's `deployment` (`job_variables` is its `infra_overrides`; `work_pool_name` is ours). */
export interface DeploymentTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  version: string | null;
  description: string | null;
  flow_id: string;
  paused: Bool;
  last_polled: string | null;
  parameters: Json;
  parameter_openapi_schema: Json | null;
  enforce_parameter_schema: Bool;
  tags: Json;
  labels: Json;
  pull_steps: Json | null;
  path: string | null;
  entrypoint: string | null;
  job_variables: Json;
  work_queue_name: string | null;
  work_queue_id: string | null;
  work_pool_name: string | null;
  storage_document_id: string | null;
  infrastructure_document_id: string | null;
  created_by: Json | null;
  updated_by: Json | null;
  concurrency_limit: number | null;
  concurrency_options: Json | null;
}

/** Prefect's `deployment_schedule`: `schedule` is the schedule as the API has it. */
export interface DeploymentScheduleTable {
  id: string;
  created: string;
  updated: string;
  deployment_id: string;
  schedule: Json;
  active: Bool;
  max_scheduled_runs: number | null;
  parameters: Json;
  slug: string | null;
}

/** Prefect's `work_pool` (`status` is not stored: see the migration). */
export interface WorkPoolTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string | null;
  type: string;
  base_job_template: Json;
  is_paused: Bool;
  concurrency_limit: number | null;
  default_queue_id: string | null;
  storage_configuration: Json;
}

/** Prefect's `work_queue` (`status` is not stored). */
export interface WorkQueueTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string | null;
  is_paused: Bool;
  concurrency_limit: number | null;
  priority: number;
  work_pool_id: string;
  filter: Json | null;
  last_polled: string | null;
}

/** Prefect's `worker`; `offline_after` (ours) is when its third missed heartbeat is due. */
export interface WorkerTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  work_pool_id: string;
  last_heartbeat_time: string;
  heartbeat_interval_seconds: number | null;
  offline_after: string;
}

/** An asset, as its events describe it (`migrations/0012-assets.ts`). */
export interface AssetTable {
  id: string;
  created: string;
  updated: string;
  key: string;
  name: string | null;
  description: string | null;
  url: string | null;
  owners: Json | null;
  properties_updated: string | null;
  last_seen: string;
  last_materialized: string | null;
  last_materialization_status: string | null;
  last_materialization_event_id: string | null;
  last_materialization_flow_run_id: string | null;
  materialized_by: string | null;
  last_materialization_metadata: Json | null;
}

/** A lineage edge of an asset's latest materialization. */
export interface AssetDependencyTable {
  upstream: string;
  downstream: string;
  created: string;
  updated: string;
  flow_run_id: string | null;
}

/** Prefect's `variable`: `value` any JSON value (SQL NULL reads as `null`). */
export interface VariableTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  value: Json | null;
  tags: Json;
}

/** Prefect's `artifact`: one row per artifact (a keyed one is a version of its key). */
export interface ArtifactTable {
  id: string;
  created: string;
  updated: string;
  key: string | null;
  type: string | null;
  description: string | null;
  data: Json | null;
  metadata_: Json | null;
  flow_run_id: string | null;
  task_run_id: string | null;
}

/** Prefect's `artifact_collection`: a key's latest version (`latest_id`), mirrored. */
export interface ArtifactCollectionTable extends Omit<ArtifactTable, "key"> {
  key: string;
  latest_id: string;
}

/** Prefect's `block_type`. */
export interface BlockTypeTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  slug: string;
  logo_url: string | null;
  documentation_url: string | null;
  description: string | null;
  code_example: string | null;
  is_protected: Bool;
}

/** Prefect's `block_schema`: `fields` JSON Schema, `capabilities` a JSON list. */
export interface BlockSchemaTable {
  id: string;
  created: string;
  updated: string;
  checksum: string;
  fields: Json;
  block_type_id: string;
  capabilities: Json;
  version: string;
}

/** Prefect's `block_document`: `data` is an encrypted token (see the migration). */
export interface BlockDocumentTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  data: string;
  block_schema_id: string;
  block_type_id: string;
  block_type_name: string | null;
  is_anonymous: Bool;
}

/** Prefect's `block_document_reference`: a document nested in another under `name`. */
export interface BlockDocumentReferenceTable {
  id: string;
  created: string;
  updated: string;
  name: string;
  parent_block_document_id: string;
  reference_block_document_id: string;
}

/** Prefect's `configuration`: server-wide values by key (`ENCRYPTION_KEY`). */
export interface ConfigurationTable {
  id: string;
  created: string;
  updated: string;
  key: string;
  value: Json;
}

export interface MigrationTable {
  id: number;
  name: string;
  applied_at: Generated<string>;
}

export interface Tables {
  flow: FlowTable;
  flow_run: FlowRunTable;
  task_run: TaskRunTable;
  flow_run_state: FlowRunStateTable;
  task_run_state: TaskRunStateTable;
  log: LogTable;
  task_run_state_cache: TaskRunStateCacheTable;
  events: EventsTable;
  event_resources: EventResourcesTable;
  api_key: ApiKeyTable;
  csrf_token: CsrfTokenTable;
  concurrency_limit_v2: ConcurrencyLimitV2Table;
  concurrency_lease: ConcurrencyLeaseTable;
  concurrency_lease_limit: ConcurrencyLeaseLimitTable;
  concurrency_lease_holder: ConcurrencyLeaseHolderTable;
  deployment: DeploymentTable;
  deployment_schedule: DeploymentScheduleTable;
  work_pool: WorkPoolTable;
  work_queue: WorkQueueTable;
  worker: WorkerTable;
  block_type: BlockTypeTable;
  block_schema: BlockSchemaTable;
  block_document: BlockDocumentTable;
  block_document_reference: BlockDocumentReferenceTable;
  configuration: ConfigurationTable;
  variable: VariableTable;
  artifact: ArtifactTable;
  artifact_collection: ArtifactCollectionTable;
  asset: AssetTable;
  asset_dependency: AssetDependencyTable;
  prefect_ts_migration: MigrationTable;
}

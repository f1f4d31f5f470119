import type { ColumnTypes, Migration } from "./column-types.ts";

const runColumns = (t: ColumnTypes) => `
  state_id ${t.uuid},
  state_type ${t.text},
  state_name ${t.text},
  state_timestamp ${t.ts},
  run_count ${t.int} NOT NULL DEFAULT 0,
  expected_start_time ${t.ts},
  next_scheduled_start_time ${t.ts},
  start_time ${t.ts},
  end_time ${t.ts},
  total_run_time ${t.float} NOT NULL DEFAULT 0`;

const stateColumns = (t: ColumnTypes) => `
  id ${t.uuid} PRIMARY KEY,
  created ${t.ts} NOT NULL,
  updated ${t.ts} NOT NULL,
  type ${t.text} NOT NULL,
  name ${t.text} NOT NULL,
  timestamp ${t.ts} NOT NULL,
  message ${t.text},
  state_details ${t.json} NOT NULL,
  data ${t.json}`;

/** Flows, flow runs, task runs, their state histories, logs and the task cache. */
export const initialMigration: Migration = {
  id: 1,
  name: "initial",
  statements: (t) => [
    `CREATE TABLE flow (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      tags ${t.json} NOT NULL,
      labels ${t.json} NOT NULL,
      parameter_openapi_schema ${t.json}
    )`,
    "CREATE UNIQUE INDEX uq_flow__name ON flow (name)",
    `CREATE TABLE flow_run (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      flow_id ${t.uuid} NOT NULL REFERENCES flow (id) ON DELETE CASCADE,
      deployment_id ${t.uuid},
      deployment_version ${t.text},
      work_queue_id ${t.uuid},
      work_queue_name ${t.text},
      work_pool_id ${t.uuid},
      work_pool_name ${t.text},
      flow_version ${t.text},
      parameters ${t.json} NOT NULL,
      idempotency_key ${t.text},
      context ${t.json} NOT NULL,
      empirical_policy ${t.json} NOT NULL,
      tags ${t.json} NOT NULL,
      labels ${t.json} NOT NULL,
      parent_task_run_id ${t.uuid},
      auto_scheduled ${t.bool} NOT NULL,
      infrastructure_document_id ${t.uuid},
      infrastructure_pid ${t.text},
      created_by ${t.json},
      job_variables ${t.json} NOT NULL,${runColumns(t)}
    )`,
    "CREATE INDEX ix_flow_run__flow_id ON flow_run (flow_id)",
    "CREATE INDEX ix_flow_run__state_type ON flow_run (state_type)",
    "CREATE INDEX ix_flow_run__start_time ON flow_run (start_time)",
    "CREATE INDEX ix_flow_run__expected_start_time ON flow_run (expected_start_time)",
    "CREATE INDEX ix_flow_run__parent_task_run_id ON flow_run (parent_task_run_id)",
    "CREATE UNIQUE INDEX uq_flow_run__flow_id_idempotency_key ON flow_run (flow_id, idempotency_key)",
    `CREATE TABLE task_run (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      flow_run_id ${t.uuid} REFERENCES flow_run (id) ON DELETE CASCADE,
      task_key ${t.text} NOT NULL,
      dynamic_key ${t.text} NOT NULL,
      cache_key ${t.text},
      cache_expiration ${t.ts},
      task_version ${t.text},
      empirical_policy ${t.json} NOT NULL,
      task_inputs ${t.json} NOT NULL,
      tags ${t.json} NOT NULL,
      labels ${t.json} NOT NULL,
      flow_run_run_count ${t.int} NOT NULL DEFAULT 0,${runColumns(t)}
    )`,
    "CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run (flow_run_id, task_key, dynamic_key)",
    "CREATE INDEX ix_task_run__state_type ON task_run (state_type)",
    "CREATE INDEX ix_task_run__start_time ON task_run (start_time)",
    "CREATE INDEX ix_task_run__expected_start_time ON task_run (expected_start_time)",
    `CREATE TABLE flow_run_state (${stateColumns(t)},
      flow_run_id ${t.uuid} NOT NULL REFERENCES flow_run (id) ON DELETE CASCADE
    )`,
    "CREATE UNIQUE INDEX uq_flow_run_state__flow_run_id_timestamp ON flow_run_state (flow_run_id, timestamp)",
    `CREATE TABLE task_run_state (${stateColumns(t)},
      task_run_id ${t.uuid} NOT NULL REFERENCES task_run (id) ON DELETE CASCADE
    )`,
    "CREATE INDEX ix_task_run_state__task_run_id_timestamp ON task_run_state (task_run_id, timestamp)",
    `CREATE TABLE log (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      level ${t.int} NOT NULL,
      flow_run_id ${t.uuid},
      task_run_id ${t.uuid},
      message ${t.text} NOT NULL,
      timestamp ${t.ts} NOT NULL
    )`,
    "CREATE INDEX ix_log__flow_run_id_timestamp ON log (flow_run_id, timestamp)",
    "CREATE INDEX ix_log__task_run_id ON log (task_run_id)",
    `CREATE TABLE task_run_state_cache (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      cache_key ${t.text} NOT NULL,
      cache_expiration ${t.ts},
      task_run_state_id ${t.uuid} NOT NULL
    )`,
    "CREATE INDEX ix_task_run_state_cache__cache_key_created ON task_run_state_cache (cache_key, created)",
  ],
};

export const MIGRATIONS: readonly Migration[] = [initialMigration];

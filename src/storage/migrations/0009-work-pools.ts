import type { Migration } from "./column-types.ts";

/**
 * Work pools, their work queues and their workers, with Prefect's columns (`work_pool`,
 * `work_queue`, `worker`):
 *
 * - `work_pool`: unique by name. `status` is not stored: a pool is PAUSED when paused, READY while
 *   one of its workers is online, NOT_READY otherwise. `default_queue_id` is the queue the pool was
 *   created with (the model refuses to delete it, as Prefect's foreign key does).
 * - `work_queue`: unique by pool and name; deleting a pool deletes its queues. `status` is not
 *   stored either: PAUSED, READY while `last_polled` is less than 60 s old, NOT_READY.
 * - `worker`: one row per pool and worker name (a heartbeat upserts it). `offline_after` is ours:
 *   the time its third missed heartbeat is due (last heartbeat + 3 × its interval, or
 *   `PREFECT_WORKER_HEARTBEAT_SECONDS`), so ONLINE is `offline_after > now` in either dialect.
 * - `flow_run (work_queue_id, state_type, next_scheduled_start_time)`: what a worker's poll and
 *   the queue and pool concurrency counts read.
 */
export const workPoolsMigration: Migration = {
  id: 9,
  name: "work-pools",
  statements: (t) => [
    `CREATE TABLE work_pool (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      description ${t.text},
      type ${t.text} NOT NULL,
      base_job_template ${t.json} NOT NULL,
      is_paused ${t.bool} NOT NULL,
      concurrency_limit ${t.int},
      default_queue_id ${t.uuid},
      storage_configuration ${t.json} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_work_pool__name ON work_pool (name)",
    "CREATE INDEX ix_work_pool__type ON work_pool (type)",
    `CREATE TABLE work_queue (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      description ${t.text},
      is_paused ${t.bool} NOT NULL,
      concurrency_limit ${t.int},
      priority ${t.int} NOT NULL,
      work_pool_id ${t.uuid} NOT NULL REFERENCES work_pool (id) ON DELETE CASCADE,
      filter ${t.json},
      last_polled ${t.ts}
    )`,
    "CREATE UNIQUE INDEX uq_work_queue__work_pool_id_name ON work_queue (work_pool_id, name)",
    `CREATE TABLE worker (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      work_pool_id ${t.uuid} NOT NULL REFERENCES work_pool (id) ON DELETE CASCADE,
      last_heartbeat_time ${t.ts} NOT NULL,
      heartbeat_interval_seconds ${t.int},
      offline_after ${t.ts} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_worker__work_pool_id_name ON worker (work_pool_id, name)",
    "CREATE INDEX ix_worker__work_pool_id_offline_after ON worker (work_pool_id, offline_after)",
    "CREATE INDEX ix_flow_run__work_queue_id_state ON flow_run (work_queue_id, state_type, next_scheduled_start_time)",
    "CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)",
  ],
};

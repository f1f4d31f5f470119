import type { Migration } from "./column-types.ts";

/**
 * Variables and artifacts, with Prefect's tables and columns:
 *
 * - `variable`: unique by name; `value` any JSON value (SQL NULL is JSON `null`), `tags` a JSON
 *   array.
 * - `artifact`: one row per artifact (a keyed one is a version of its key). `flow_run_id` and
 *   `task_run_id` name the runs it was created in, without foreign keys, as in Prefect (a task
 *   run's artifact may be written before the task run is recorded; a run's deletion keeps them).
 * - `artifact_collection`: one row per key, mirroring its latest version (`latest_id`).
 */
export const variablesArtifactsMigration: Migration = {
  id: 11,
  name: "variables-artifacts",
  statements: (t) => [
    `CREATE TABLE variable (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      value ${t.json},
      tags ${t.json} NOT NULL
    )`,
    "CREATE UNIQUE INDEX uq_variable__name ON variable (name)",
    `CREATE TABLE artifact (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      key ${t.text},
      type ${t.text},
      description ${t.text},
      data ${t.json},
      metadata_ ${t.json},
      flow_run_id ${t.uuid},
      task_run_id ${t.uuid}
    )`,
    "CREATE INDEX ix_artifact__key_created ON artifact (key, created)",
    "CREATE INDEX ix_artifact__flow_run_id ON artifact (flow_run_id)",
    "CREATE INDEX ix_artifact__task_run_id ON artifact (task_run_id)",
    `CREATE TABLE artifact_collection (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      key ${t.text} NOT NULL,
      latest_id ${t.uuid} NOT NULL,
      type ${t.text},
      description ${t.text},
      data ${t.json},
      metadata_ ${t.json},
      flow_run_id ${t.uuid},
      task_run_id ${t.uuid}
    )`,
    "CREATE UNIQUE INDEX uq_artifact_collection__key ON artifact_collection (key)",
    "CREATE INDEX ix_artifact_collection__latest_id ON artifact_collection (latest_id)",
  ],
};

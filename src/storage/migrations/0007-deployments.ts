import type { Migration } from "./column-types.ts";

/**
 * Deployments and their schedules, with Prefect's columns (`deployment`, `deployment_schedule`):
 *
 * - `deployment`: unique by flow and name (Prefect's upsert key). `job_variables` is Prefect's
 *   `infra_overrides`. `work_pool_name` is ours: Prefect reaches the pool through the work queue,
 *   which is not stored yet. `status` is not stored: a deployment is READY while `last_polled` is
 *   less than 60 s old (what Prefect's foreman keeps its stored status to).
 * - `deployment_schedule`: one row per schedule; `schedule` holds the schedule as the API has it
 *   (`{cron, timezone, day_or}`, `{interval, anchor_date, timezone}`, `{rrule, timezone}`); slugs
 *   are unique within a deployment.
 * - `flow_run.deployment_id` is indexed: the scheduler and the deployment filters look runs up by it.
 */
export const deploymentsMigration: Migration = {
  id: 7,
  name: "deployments",
  statements: (t) => [
    `CREATE TABLE deployment (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      version ${t.text},
      description ${t.text},
      flow_id ${t.uuid} NOT NULL REFERENCES flow (id) ON DELETE CASCADE,
      paused ${t.bool} NOT NULL,
      last_polled ${t.ts},
      parameters ${t.json} NOT NULL,
      parameter_openapi_schema ${t.json},
      enforce_parameter_schema ${t.bool} NOT NULL,
      tags ${t.json} NOT NULL,
      labels ${t.json} NOT NULL,
      pull_steps ${t.json},
      path ${t.text},
      entrypoint ${t.text},
      job_variables ${t.json} NOT NULL,
      work_queue_name ${t.text},
      work_queue_id ${t.uuid},
      work_pool_name ${t.text},
      storage_document_id ${t.uuid},
      infrastructure_document_id ${t.uuid},
      created_by ${t.json},
      updated_by ${t.json},
      concurrency_limit ${t.int},
      concurrency_options ${t.json}
    )`,
    "CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)",
    "CREATE INDEX ix_deployment__name ON deployment (name)",
    "CREATE INDEX ix_deployment__updated ON deployment (updated)",
    `CREATE TABLE deployment_schedule (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      deployment_id ${t.uuid} NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
      schedule ${t.json} NOT NULL,
      active ${t.bool} NOT NULL,
      max_scheduled_runs ${t.int},
      parameters ${t.json} NOT NULL,
      slug ${t.text}
    )`,
    "CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)",
    "CREATE UNIQUE INDEX uq_deployment_schedule__deployment_id_slug ON deployment_schedule (deployment_id, slug)",
    "CREATE INDEX ix_flow_run__deployment_id ON flow_run (deployment_id)",
  ],
};

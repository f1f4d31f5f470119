import type { Migration } from "./column-types.ts";

/**
 * PostgreSQL only: a flow run of a deployment that enters a Scheduled state (created by
 * `create_flow_run`, by the scheduler, or put back by a retry) is announced on the channel
 * `prefect_ts_scheduled_flow_run` with its deployment's id, as its transaction commits. A process
 * serving deployments on the database (no API server) listens there, and learns of a run created
 * by another process within milliseconds. SQLite has no such channel: a serving process watches
 * the database's change counter (`PRAGMA data_version`) instead.
 */
export const scheduledRunNotifyMigration: Migration = {
  id: 8,
  name: "scheduled-run-notify",
  statements: (t) =>
    t.json === "JSONB"
      ? [
          `CREATE FUNCTION prefect_ts_notify_scheduled_flow_run() RETURNS trigger AS $$
BEGIN
  IF NEW.deployment_id IS NOT NULL AND NEW.state_type = 'SCHEDULED' THEN
    PERFORM pg_notify('prefect_ts_scheduled_flow_run', NEW.deployment_id::text);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql`,
          "CREATE TRIGGER flow_run_scheduled_notify AFTER INSERT OR UPDATE OF state_type ON flow_run FOR EACH ROW EXECUTE FUNCTION prefect_ts_notify_scheduled_flow_run()",
        ]
      : [],
};

import type { Migration } from "./column-types.ts";

/**
 * The zombie flow-run service reads the last heartbeat of every Running flow run each loop: a
 * partial index of the heartbeat events only, by run and time, makes that one index seek per run.
 * Partial, so that writing every other event costs nothing more; without it, PostgreSQL may walk
 * the heartbeats of every run (`ix_events__event_occurred`) to find one run's last.
 */
export const heartbeatIndexMigration: Migration = {
  id: 5,
  name: "heartbeat-index",
  statements: () => [
    "CREATE INDEX ix_events__heartbeat_resource_id_occurred ON events (resource_id, occurred) WHERE event = 'prefect.flow-run.heartbeat'",
  ],
};

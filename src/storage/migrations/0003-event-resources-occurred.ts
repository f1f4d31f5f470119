import type { Migration } from "./column-types.ts";

/**
 * Event retention deletes the `event_resources` rows of old events within the time range of each
 * batch; this index makes that a range scan instead of a scan of the whole table per batch.
 * Prefect indexes its `event_resources.updated` for the same purpose. `occurred` rather than
 * `event_id`: rows arrive roughly in `occurred` order, so the index is appended to, and writing
 * events is not measurably slower (an `event_id` index, over random UUIDs, cost SQLite ~25%).
 */
export const eventResourcesOccurredMigration: Migration = {
  id: 3,
  name: "event-resources-occurred",
  statements: () => ["CREATE INDEX ix_event_resources__occurred ON event_resources (occurred)"],
};

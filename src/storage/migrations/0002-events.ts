import type { Migration } from "./column-types.ts";

/**
 * The event store, shaped like Prefect's `events` and `event_resources` tables: one `events` row
 * per event (its resource and related resources as JSON, the primary resource id unpacked), and
 * one `event_resources` row per resource involved (the primary one with role `''`), which related
 * and any-resource filters search. No foreign key: rows are written in bulk, and Prefect has none.
 */
export const eventsMigration: Migration = {
  id: 2,
  name: "events",
  statements: (t) => [
    `CREATE TABLE events (
      id ${t.uuid} PRIMARY KEY,
      occurred ${t.ts} NOT NULL,
      event ${t.text} NOT NULL,
      resource_id ${t.text} NOT NULL,
      resource ${t.json} NOT NULL,
      related_resource_ids ${t.json} NOT NULL,
      related ${t.json} NOT NULL,
      payload ${t.json} NOT NULL,
      received ${t.ts} NOT NULL,
      recorded ${t.ts} NOT NULL,
      follows ${t.uuid}
    )`,
    "CREATE INDEX ix_events__occurred ON events (occurred)",
    "CREATE INDEX ix_events__event_occurred ON events (event, occurred)",
    "CREATE INDEX ix_events__resource_id_occurred ON events (resource_id, occurred)",
    `CREATE TABLE event_resources (
      occurred ${t.ts} NOT NULL,
      resource_id ${t.text} NOT NULL,
      resource_role ${t.text} NOT NULL,
      resource ${t.json} NOT NULL,
      event_id ${t.uuid} NOT NULL
    )`,
    // searched by resource id (and time), joined back to events by event_id
    "CREATE INDEX ix_event_resources__resource_id_occurred ON event_resources (resource_id, occurred)",
  ],
};

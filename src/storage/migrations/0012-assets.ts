import type { Migration } from "./column-types.ts";

/**
 * Assets, as the asset events describe them (`resources/assets/recorder.ts` keeps these tables
 * from `prefect.asset.*` events; the event store keeps the events themselves, and its retention
 * does not touch these rows):
 *
 * - `asset`: one row per key, with the properties last given (`properties_updated`: the time of
 *   the event that gave them), when it was last seen in any event, and its latest
 *   materialization (status, event, flow run, the tool that made it, the metadata).
 * - `asset_dependency`: the lineage edges of each asset's latest materialization (its upstream
 *   assets), replaced when a newer materialization of the downstream asset is recorded.
 */
export const assetsMigration: Migration = {
  id: 12,
  name: "assets",
  statements: (t) => [
    `CREATE TABLE asset (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      key ${t.text} NOT NULL,
      name ${t.text},
      description ${t.text},
      url ${t.text},
      owners ${t.json},
      properties_updated ${t.ts},
      last_seen ${t.ts} NOT NULL,
      last_materialized ${t.ts},
      last_materialization_status ${t.text},
      last_materialization_event_id ${t.uuid},
      last_materialization_flow_run_id ${t.uuid},
      materialized_by ${t.text},
      last_materialization_metadata ${t.json}
    )`,
    "CREATE UNIQUE INDEX uq_asset__key ON asset (key)",
    "CREATE INDEX ix_asset__last_seen ON asset (last_seen)",
    `CREATE TABLE asset_dependency (
      upstream ${t.text} NOT NULL,
      downstream ${t.text} NOT NULL,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      flow_run_id ${t.uuid},
      PRIMARY KEY (downstream, upstream)
    )`,
    "CREATE INDEX ix_asset_dependency__upstream ON asset_dependency (upstream)",
  ],
};

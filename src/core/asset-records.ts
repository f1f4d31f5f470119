/**
 * What the server keeps of assets, as its API answers them: an asset with its properties, when
 * it was last seen and its latest materialization; the lineage edges (upstream → downstream) of
 * each asset's latest materialization; and the listing options (Prefect Cloud's
 * `POST /assets/filter` body: a key filter by prefix or substring, a limit and an offset).
 */

/** The properties last given for an asset (all null until a run names them). */
export interface AssetPropertiesRecord {
  name: string | null;
  description: string | null;
  url: string | null;
  owners: string[] | null;
}

/** An asset's latest materialization attempt. */
export interface AssetMaterialization {
  status: "succeeded" | "failed";
  /** When the materializing task run ended (the event's `occurred`). */
  occurred: string;
  /** The `prefect.asset.materialization.*` event. */
  event_id: string;
  /** The flow run it happened in, if any. */
  flow_run_id: string | null;
  /** The tool that materialized it (`materialize(…, { by })`), if named. */
  materialized_by: string | null;
  /** What `addAssetMetadata` attached. */
  metadata: Record<string, unknown>;
}

export interface AssetRecord {
  id: string;
  created: string;
  updated: string;
  key: string;
  properties: AssetPropertiesRecord;
  /** The latest event that named the asset (materialized or referenced). */
  last_seen: string;
  last_materialization: AssetMaterialization | null;
}

/** A lineage edge: `downstream`'s latest materialization read `upstream`. */
export interface AssetDependency {
  upstream: string;
  downstream: string;
  /** When that materialization happened. */
  updated: string;
  flow_run_id: string | null;
}

/** Which assets to list: keys starting with any `prefix`, containing any `search` (any case). */
export interface AssetKeyFilter {
  prefix?: string[] | null;
  search?: string[] | null;
}

export interface AssetsListing {
  filter?: { key?: AssetKeyFilter | null } | null;
  /** At most 200; default 50. */
  limit?: number;
  offset?: number;
}

/** A page of assets (by key) and how many match in all. */
export interface AssetPage {
  assets: AssetRecord[];
  total: number;
}

export const ASSETS_DEFAULT_LIMIT = 50;
export const ASSETS_MAX_LIMIT = 200;

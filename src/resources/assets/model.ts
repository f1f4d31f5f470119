/**
 * Assets in the models layer: what both transports call. Reads first wait for the asset events
 * received so far to be recorded (`EventBus.settle`), so a client reading after its flow sees its
 * materializations. `recordAssetObservations` is the asset recorder's write (`recorder.ts`):
 * per key, the latest properties, the latest time seen and the latest materialization win, by
 * the events' `occurred`, whatever order the events arrive in; a newer materialization replaces
 * the asset's lineage edges with its own upstream assets.
 */
import {
  ASSETS_DEFAULT_LIMIT,
  ASSETS_MAX_LIMIT,
  type AssetDependency,
  type AssetPage,
  type AssetPropertiesRecord,
  type AssetRecord,
  type AssetsListing,
} from "../../core/asset-records.ts";
import { assetKeyProblem } from "../../core/assets.ts";
import { ObjectNotFoundError, ValidationError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import { compareIso } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import type { AssetTable } from "../../storage/schema.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import * as assets from "./queries.ts";

const notFound = () => new ObjectNotFoundError("Asset not found.");

function checkKey(key: string): void {
  const problem = assetKeyProblem(key);
  if (problem) throw new ValidationError(`key: ${problem}`);
}

/** One asset event, as the recorder reads it. */
export interface AssetObservation {
  kind: "referenced" | "succeeded" | "failed";
  key: string;
  /** All four when the event names any (properties replace each other whole), else null. */
  properties: AssetPropertiesRecord | null;
  /** The event's `occurred`, canonical. */
  occurred: string;
  eventId: string;
  /** Upstream asset keys (a materialization's related resources in role `asset`). */
  upstream: string[];
  materializedBy: string | null;
  flowRunId: string | null;
  metadata: Record<string, unknown>;
}

interface Merged {
  lastSeen: string;
  properties: { value: AssetPropertiesRecord; at: string } | null;
  materialization: AssetObservation | null;
}

const later = (a: string, b: string | null | undefined) => !b || compareIso(a, b) >= 0;

function merge(observations: readonly AssetObservation[]): Map<string, Merged> {
  const byKey = new Map<string, Merged>();
  const touch = (key: string, at: string): Merged => {
    let m = byKey.get(key);
    if (!m) {
      m = { lastSeen: at, properties: null, materialization: null };
      byKey.set(key, m);
    } else if (later(at, m.lastSeen)) m.lastSeen = at;
    return m;
  };
  for (const o of observations) {
    const m = touch(o.key, o.occurred);
    if (o.properties && later(o.occurred, m.properties?.at)) {
      m.properties = { value: o.properties, at: o.occurred };
    }
    if (o.kind !== "referenced") {
      if (later(o.occurred, m.materialization?.occurred)) m.materialization = o;
      for (const upstream of o.upstream) touch(upstream, o.occurred);
    }
  }
  return byKey;
}

/** Record what asset events tell (the asset recorder's write); returns the assets written. */
export async function recordAssetObservations(
  ctx: AppContext,
  observations: readonly AssetObservation[],
): Promise<number> {
  if (observations.length === 0) return 0;
  const byKey = merge(observations);
  const d = ctx.database.dialect;
  const now = ctx.clock.nowIso();
  await withWriteTransaction(ctx.database, async (trx) => {
    const existing = await assets.lockedAssets(ctx.database, trx, [...byKey.keys()]);
    const rows: AssetTable[] = [];
    const relinked: AssetObservation[] = [];
    for (const [key, m] of byKey) {
      const e = existing.get(key);
      const row: AssetTable = e
        ? { ...e, updated: now }
        : {
            id: uuid4(),
            created: now,
            updated: now,
            key,
            name: null,
            description: null,
            url: null,
            owners: null,
            properties_updated: null,
            last_seen: m.lastSeen,
            last_materialized: null,
            last_materialization_status: null,
            last_materialization_event_id: null,
            last_materialization_flow_run_id: null,
            materialized_by: null,
            last_materialization_metadata: null,
          };
      if (later(m.lastSeen, row.last_seen)) row.last_seen = m.lastSeen;
      const p = m.properties;
      if (p && later(p.at, row.properties_updated)) {
        row.name = p.value.name;
        row.description = p.value.description;
        row.url = p.value.url;
        row.owners = p.value.owners === null ? null : d.toJson(p.value.owners);
        row.properties_updated = p.at;
      }
      const mat = m.materialization;
      if (mat && later(mat.occurred, row.last_materialized)) {
        row.last_materialized = mat.occurred;
        row.last_materialization_status = mat.kind;
        row.last_materialization_event_id = mat.eventId;
        row.last_materialization_flow_run_id = mat.flowRunId;
        row.materialized_by = mat.materializedBy;
        row.last_materialization_metadata = d.toJson(mat.metadata);
        relinked.push(mat);
      }
      rows.push(row);
    }
    await assets.upsertAssets(trx, rows);
    for (const mat of relinked) {
      const upstream = [...new Set(mat.upstream)].filter((u) => u !== mat.key);
      await assets.replaceDependencies(
        trx,
        mat.key,
        upstream.map((u) => ({
          upstream: u,
          downstream: mat.key,
          created: now,
          updated: mat.occurred,
          flow_run_id: mat.flowRunId,
        })),
      );
    }
  });
  return byKey.size;
}

/** A page of assets by key (Prefect Cloud's `POST /assets/filter`). */
export async function filterAssets(
  ctx: AppContext,
  listing: AssetsListing = {},
): Promise<AssetPage> {
  const limit = listing.limit ?? ASSETS_DEFAULT_LIMIT;
  const offset = listing.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > ASSETS_MAX_LIMIT) {
    throw new ValidationError(`limit: must be between 1 and ${ASSETS_MAX_LIMIT}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError("offset: must be >= 0");
  await ctx.events.settle();
  const filter = listing.filter?.key ?? null;
  const [page, total] = await Promise.all([
    assets.filterAssets(ctx.database, filter, limit, offset),
    assets.countAssets(ctx.database, filter),
  ]);
  return { assets: page, total };
}

export async function readAsset(ctx: AppContext, key: string): Promise<AssetRecord> {
  checkKey(key);
  await ctx.events.settle();
  const found = await assets.readAsset(ctx.database, key);
  if (!found) throw notFound();
  return found;
}

/** Delete an asset and its lineage edges (a later event about it records it again). */
export async function deleteAsset(ctx: AppContext, key: string): Promise<void> {
  checkKey(key);
  await ctx.events.settle();
  const deleted = await withWriteTransaction(ctx.database, (trx) => assets.deleteAsset(trx, key));
  if (!deleted) throw notFound();
}

/**
 * The lineage edges of each asset's latest materialization: all of them, or those touching any
 * of `keys` (one step up or down).
 */
export async function latestDependencies(
  ctx: AppContext,
  keys?: readonly string[] | null,
): Promise<AssetDependency[]> {
  for (const key of keys ?? []) checkKey(key);
  await ctx.events.settle();
  return assets.readDependencies(ctx.database, keys ?? null);
}

/**
 * Storage queries for assets: rows by key (locked for the recorder's merge on PostgreSQL), upsert,
 * delete with its edges, listings by key prefix or substring, and the lineage edges.
 */
import { type Expression, type Selectable, type SqlBool, sql } from "kysely";
import type {
  AssetDependency,
  AssetKeyFilter,
  AssetMaterialization,
  AssetRecord,
} from "../../core/asset-records.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import type { AssetDependencyTable, AssetTable } from "../../storage/schema.ts";

export type AssetRow = Selectable<AssetTable>;

export function assetFromRow(d: StorageDialect, r: AssetRow): AssetRecord {
  const materialization: AssetMaterialization | null =
    r.last_materialized && r.last_materialization_event_id
      ? {
          status: r.last_materialization_status === "failed" ? "failed" : "succeeded",
          occurred: r.last_materialized,
          event_id: r.last_materialization_event_id,
          flow_run_id: r.last_materialization_flow_run_id,
          materialized_by: r.materialized_by,
          metadata:
            d.fromJson<Record<string, unknown> | null>(r.last_materialization_metadata) ?? {},
        }
      : null;
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    key: r.key,
    properties: {
      name: r.name,
      description: r.description,
      url: r.url,
      owners: d.fromJson<string[] | null>(r.owners),
    },
    last_seen: r.last_seen,
    last_materialization: materialization,
  };
}

/** The rows of these keys, by key; locked until the transaction ends on PostgreSQL. */
export async function lockedAssets(
  database: Database,
  trx: Db,
  keys: readonly string[],
): Promise<Map<string, AssetRow>> {
  if (keys.length === 0) return new Map();
  const rows = await trx
    .selectFrom("asset")
    .selectAll()
    .where((eb) => database.dialect.textIn(eb.ref("key"), keys))
    .$if(database.dialect.name === "postgres", (q) => q.forUpdate())
    .execute();
  return new Map(rows.map((r) => [r.key, r]));
}

/** Insert or replace the rows (by key; `id` and `created` of a row already there are kept). */
export async function upsertAssets(trx: Db, rows: readonly AssetTable[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("asset")
    .values([...rows])
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        updated: eb.ref("excluded.updated"),
        name: eb.ref("excluded.name"),
        description: eb.ref("excluded.description"),
        url: eb.ref("excluded.url"),
        owners: eb.ref("excluded.owners"),
        properties_updated: eb.ref("excluded.properties_updated"),
        last_seen: eb.ref("excluded.last_seen"),
        last_materialized: eb.ref("excluded.last_materialized"),
        last_materialization_status: eb.ref("excluded.last_materialization_status"),
        last_materialization_event_id: eb.ref("excluded.last_materialization_event_id"),
        last_materialization_flow_run_id: eb.ref("excluded.last_materialization_flow_run_id"),
        materialized_by: eb.ref("excluded.materialized_by"),
        last_materialization_metadata: eb.ref("excluded.last_materialization_metadata"),
      })),
    )
    .execute();
}

/** `downstream`'s edges become exactly `edges` (its latest materialization's upstream assets). */
export async function replaceDependencies(
  trx: Db,
  downstream: string,
  edges: readonly AssetDependencyTable[],
): Promise<void> {
  await trx.deleteFrom("asset_dependency").where("downstream", "=", downstream).execute();
  if (edges.length > 0)
    await trx
      .insertInto("asset_dependency")
      .values([...edges])
      .execute();
}

export async function readAsset(database: Database, key: string): Promise<AssetRecord | null> {
  const row = await database.db
    .selectFrom("asset")
    .selectAll()
    .where("key", "=", key)
    .executeTakeFirst();
  return row ? assetFromRow(database.dialect, row) : null;
}

/** Delete the asset and every edge it is on; false when there is none. */
export async function deleteAsset(trx: Db, key: string): Promise<boolean> {
  const result = await trx.deleteFrom("asset").where("key", "=", key).executeTakeFirst();
  await trx
    .deleteFrom("asset_dependency")
    .where((eb) => eb.or([eb("upstream", "=", key), eb("downstream", "=", key)]))
    .execute();
  return Number(result.numDeletedRows) > 0;
}

/** `LIKE` pattern text with its wildcards taken literally (escape character `\`). */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function keyWhere(database: Database, filter: AssetKeyFilter | null | undefined) {
  const d = database.dialect;
  return (eb: { ref(name: "key"): Expression<string> }): Expression<SqlBool> => {
    const key = eb.ref("key");
    const parts: Expression<SqlBool>[] = [];
    if (filter?.prefix) {
      parts.push(
        filter.prefix.length === 0
          ? sql<SqlBool>`1 = 0`
          : sql<SqlBool>`(${sql.join(
              filter.prefix.map(
                (p) => sql<SqlBool>`substr(${key}, 1, ${sql.lit(p.length)}) = ${p}`,
              ),
              sql` or `,
            )})`,
      );
    }
    if (filter?.search) {
      parts.push(
        filter.search.length === 0
          ? sql<SqlBool>`1 = 0`
          : sql<SqlBool>`(${sql.join(
              filter.search.map(
                (s) => sql<SqlBool>`${key} ${sql.raw(d.ilike)} ${`%${literal(s)}%`} escape '\\'`,
              ),
              sql` or `,
            )})`,
      );
    }
    return parts.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`${sql.join(parts, sql` and `)}`;
  };
}

export async function filterAssets(
  database: Database,
  filter: AssetKeyFilter | null | undefined,
  limit: number,
  offset: number,
): Promise<AssetRecord[]> {
  const rows = await database.db
    .selectFrom("asset")
    .selectAll()
    .where(keyWhere(database, filter))
    .orderBy("key")
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => assetFromRow(database.dialect, r));
}

export async function countAssets(
  database: Database,
  filter: AssetKeyFilter | null | undefined,
): Promise<number> {
  const row = await database.db
    .selectFrom("asset")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(keyWhere(database, filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The lineage edges touching any of `keys` (every edge without keys), by downstream, upstream. */
export async function readDependencies(
  database: Database,
  keys: readonly string[] | null,
): Promise<AssetDependency[]> {
  const d = database.dialect;
  const rows = await database.db
    .selectFrom("asset_dependency")
    .select(["upstream", "downstream", "updated", "flow_run_id"])
    .$if(keys !== null, (q) =>
      q.where((eb) =>
        eb.or([
          d.textIn(eb.ref("upstream"), keys ?? []),
          d.textIn(eb.ref("downstream"), keys ?? []),
        ]),
      ),
    )
    .orderBy("downstream")
    .orderBy("upstream")
    .execute();
  return rows;
}

/**
 * Storage queries for artifacts (Prefect's `models/artifacts.py`): artifacts and their keys'
 * collection rows (`artifact_collection`, one per key, mirroring its latest version), inserted
 * one at a time or in bulk, read, listed through the artifact filters
 * (`storage/artifact-filter-sql.ts`), changed and deleted.
 */
import type { Selectable } from "kysely";
import type {
  Artifact,
  ArtifactCollection,
  ArtifactCollectionsQuery,
  ArtifactSort,
  ArtifactsQuery,
  ArtifactUpdate,
} from "../../core/artifacts.ts";
import { uuid4 } from "../../core/ids.ts";
import {
  artifactCollectionsOrder,
  artifactCollectionsWhere,
  artifactsOrder,
  artifactsWhere,
} from "../../storage/artifact-filter-sql.ts";
import { type BulkInsert, runBulkInserts } from "../../storage/bulk-insert.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import type { ArtifactCollectionTable, ArtifactTable } from "../../storage/schema.ts";

interface Page {
  sort: ArtifactSort;
  limit: number;
  offset: number;
}

function artifactFromRow(d: StorageDialect, r: Selectable<ArtifactTable>): Artifact {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    key: r.key,
    type: r.type,
    description: r.description,
    data: r.data === null ? null : d.fromJson(r.data),
    metadata_: r.metadata_ === null ? null : d.fromJson<Record<string, string> | null>(r.metadata_),
    flow_run_id: r.flow_run_id,
    task_run_id: r.task_run_id,
  };
}

function collectionFromRow(
  d: StorageDialect,
  r: Selectable<ArtifactCollectionTable>,
): ArtifactCollection {
  const { id, created, updated, key: _key, ...rest } = artifactFromRow(d, r);
  // Prefect's key order: `latest_id` follows `key`
  return { id, created, updated, key: r.key, latest_id: r.latest_id, ...rest };
}

function artifactToRow(d: StorageDialect, a: Artifact): ArtifactTable {
  return {
    ...a,
    data: a.data === null || a.data === undefined ? null : d.toJson(a.data),
    metadata_: a.metadata_ === null ? null : d.toJson(a.metadata_),
  };
}

/** The collection row that makes `a` (keyed) its key's latest version. */
function collectionRow(d: StorageDialect, a: Artifact & { key: string }): ArtifactCollectionTable {
  return { ...artifactToRow(d, a), id: uuid4(), key: a.key, latest_id: a.id };
}

/** Insert or replace collection rows: a key's row takes the new latest version's fields. */
function upsertCollections(trx: Db, rows: ArtifactCollectionTable[]) {
  return trx
    .insertInto("artifact_collection")
    .values(rows)
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        latest_id: eb.ref("excluded.latest_id"),
        updated: eb.ref("excluded.updated"),
        type: eb.ref("excluded.type"),
        description: eb.ref("excluded.description"),
        data: eb.ref("excluded.data"),
        metadata_: eb.ref("excluded.metadata_"),
        flow_run_id: eb.ref("excluded.flow_run_id"),
        task_run_id: eb.ref("excluded.task_run_id"),
      })),
    );
}

/**
 * Insert one artifact (and make it its key's latest version); false when an artifact of this id
 * exists already (nothing is written then).
 */
export async function insertArtifact(database: Database, trx: Db, a: Artifact): Promise<boolean> {
  const d = database.dialect;
  const result = await trx
    .insertInto("artifact")
    .values(artifactToRow(d, a))
    .onConflict((oc) => oc.column("id").doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  if (a.key !== null)
    await upsertCollections(trx, [collectionRow(d, { ...a, key: a.key })]).execute();
  return true;
}

/** Ids looked up in one `IN` list (far below either database's limit on parameters). */
const IDS_PER_LOOKUP = 500;

/** Which of `ids` name an artifact already. */
async function existingIds(database: Database, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += IDS_PER_LOOKUP) {
    const rows = await database.db
      .selectFrom("artifact")
      .select("id")
      .where("id", "in", ids.slice(i, i + IDS_PER_LOOKUP))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/**
 * Insert artifacts in one transaction, in their order (a key's last one is its latest version);
 * resolves with how many were new. Ids that exist already — a batch sent again after it was in
 * fact written — are left out before anything is written, so that a key's latest version is never
 * pointed back at one of them (a version made since stays the latest); an id given twice counts
 * once, as first given.
 */
export async function insertArtifacts(
  database: Database,
  batch: readonly Artifact[],
): Promise<number> {
  const d = database.dialect;
  const taken = await existingIds(
    database,
    batch.map((a) => a.id),
  );
  const artifacts: Artifact[] = [];
  for (const a of batch) {
    if (taken.has(a.id)) continue;
    taken.add(a.id);
    artifacts.push(a);
  }
  const latest = new Map<string, Artifact & { key: string }>();
  for (const a of artifacts) if (a.key !== null) latest.set(a.key, { ...a, key: a.key });
  const { db } = database;
  await runBulkInserts(database, [
    {
      key: "artifact.insert",
      rows: artifacts.map((a) => artifactToRow(d, a)),
      query: (rows: ArtifactTable[]) =>
        db
          .insertInto("artifact")
          .values(rows)
          .onConflict((oc) => oc.column("id").doNothing()),
    },
    {
      key: "artifact_collection.upsert",
      rows: [...latest.values()].map((a) => collectionRow(d, a)),
      query: (rows: ArtifactCollectionTable[]) => upsertCollections(db, rows),
    },
  ] as BulkInsert<object>[]);
  return artifacts.length;
}

export async function readArtifact(database: Database, trx: Db, id: string) {
  const row = await trx.selectFrom("artifact").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? artifactFromRow(database.dialect, row) : null;
}

export async function readCollection(database: Database, trx: Db, key: string) {
  const row = await trx
    .selectFrom("artifact_collection")
    .selectAll()
    .where("key", "=", key)
    .executeTakeFirst();
  return row ? collectionFromRow(database.dialect, row) : null;
}

export async function filterArtifacts(
  database: Database,
  query: ArtifactsQuery & Page,
): Promise<Artifact[]> {
  let select = database.db
    .selectFrom("artifact")
    .selectAll()
    .where(artifactsWhere(database, query));
  for (const [expr, modifiers] of artifactsOrder(query.sort))
    select = select.orderBy(expr, modifiers);
  const rows = await select.limit(query.limit).offset(query.offset).execute();
  return rows.map((r) => artifactFromRow(database.dialect, r));
}

export async function countArtifacts(database: Database, query: ArtifactsQuery): Promise<number> {
  const row = await database.db
    .selectFrom("artifact")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(artifactsWhere(database, query))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function filterCollections(
  database: Database,
  query: ArtifactCollectionsQuery & Page,
): Promise<ArtifactCollection[]> {
  let select = database.db
    .selectFrom("artifact_collection")
    .selectAll()
    .where(artifactCollectionsWhere(database, query));
  for (const [expr, modifiers] of artifactCollectionsOrder(query.sort)) {
    select = select.orderBy(expr, modifiers);
  }
  const rows = await select.limit(query.limit).offset(query.offset).execute();
  return rows.map((r) => collectionFromRow(database.dialect, r));
}

export async function countCollections(
  database: Database,
  query: ArtifactCollectionsQuery,
): Promise<number> {
  const row = await database.db
    .selectFrom("artifact_collection")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(artifactCollectionsWhere(database, query))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Change an artifact, and its key's collection row when it is the latest version; false when
 * there is no such artifact.
 */
export async function updateArtifact(
  database: Database,
  trx: Db,
  id: string,
  update: ArtifactUpdate,
  now: string,
): Promise<boolean> {
  const d = database.dialect;
  const set = {
    updated: now,
    ...(update.data !== undefined
      ? { data: update.data === null ? null : d.toJson(update.data) }
      : {}),
    ...(update.description !== undefined ? { description: update.description } : {}),
    ...(update.metadata_ !== undefined
      ? { metadata_: update.metadata_ === null ? null : d.toJson(update.metadata_) }
      : {}),
  };
  const artifact = await trx
    .updateTable("artifact")
    .set(set)
    .where("id", "=", id)
    .executeTakeFirst();
  const collection = await trx
    .updateTable("artifact_collection")
    .set(set)
    .where("latest_id", "=", id)
    .executeTakeFirst();
  return Number(artifact.numUpdatedRows) + Number(collection.numUpdatedRows) > 0;
}

/**
 * Delete an artifact. When it is its key's latest version, the key's collection row takes the
 * version before it (by creation, then id), or goes when there is none. False when there is no
 * such artifact.
 */
export async function deleteArtifact(database: Database, trx: Db, id: string): Promise<boolean> {
  const found = await readArtifact(database, trx, id);
  if (!found) return false;
  if (found.key !== null) {
    const latest = await trx
      .selectFrom("artifact_collection")
      .select("id")
      .where("key", "=", found.key)
      .where("latest_id", "=", id)
      .executeTakeFirst();
    if (latest) {
      const previous = await trx
        .selectFrom("artifact")
        .selectAll()
        .where("key", "=", found.key)
        .where("id", "!=", id)
        .orderBy("created", "desc")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      if (previous) {
        // through the domain record: a JSON column is written back as it is written first
        const row = artifactToRow(database.dialect, artifactFromRow(database.dialect, previous));
        await trx
          .updateTable("artifact_collection")
          .set({
            latest_id: row.id,
            created: row.created,
            updated: row.updated,
            type: row.type,
            description: row.description,
            data: row.data,
            metadata_: row.metadata_,
            flow_run_id: row.flow_run_id,
            task_run_id: row.task_run_id,
          })
          .where("key", "=", found.key)
          .execute();
      } else {
        await trx.deleteFrom("artifact_collection").where("key", "=", found.key).execute();
      }
    }
  }
  await trx.deleteFrom("artifact").where("id", "=", id).execute();
  return true;
}

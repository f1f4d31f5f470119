/**
 * Artifacts in the models layer (Prefect's `api/artifacts.py`, `models/artifacts.py`): create
 * (one, or a batch from the embedded client's write queue), read by id, the latest version of a
 * key, list and count artifacts and latest versions, change and delete. A keyed artifact is a
 * version of its key: its collection row follows the latest one (`queries.ts`).
 *
 * An artifact may be created with an id of the caller's choosing (ours: the SDK names its
 * artifacts so that it need not wait for them to be written); creating it again with the same id
 * answers the artifact that exists, unchanged. A batch (ours, `POST /artifacts/bulk`) is written
 * whole or not at all.
 */
import {
  type Artifact,
  type ArtifactCollection,
  ArtifactCollectionSort,
  type ArtifactCollectionsListing,
  type ArtifactCollectionsQuery,
  type ArtifactCreate,
  ArtifactSort,
  type ArtifactsListing,
  type ArtifactsQuery,
  type ArtifactUpdate,
  artifactKeyProblem,
  truncatedMetadata,
} from "../../core/artifacts.ts";
import { ObjectNotFoundError, ValidationError } from "../../core/errors.ts";
import { resolvePage } from "../../core/filters.ts";
import { uuid7 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import { isDataError } from "../../storage/database-errors.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import * as artifacts from "./queries.ts";

const notFound = () => new ObjectNotFoundError("Artifact not found.");

/** An artifact to create, with the id it is to have. */
export interface ArtifactCreateWithId extends ArtifactCreate {
  id: string;
}

function check(input: ArtifactCreate): void {
  const problem = input.key == null ? null : artifactKeyProblem(input.key);
  if (problem) throw new ValidationError(`key: ${problem}`);
}

function newArtifact(input: ArtifactCreate, id: string, now: string): Artifact {
  return {
    id,
    created: now,
    updated: now,
    key: input.key ?? null,
    type: input.type ?? null,
    description: input.description ?? null,
    data: input.data ?? null,
    metadata_: truncatedMetadata(input.metadata_),
    flow_run_id: input.flow_run_id ?? null,
    task_run_id: input.task_run_id ?? null,
  };
}

/**
 * Create an artifact (its id `options.id`, or a new one). `created` is false when an artifact of
 * that id exists already: it is answered as it is.
 */
export async function createArtifact(
  ctx: AppContext,
  input: ArtifactCreate,
  options: { id?: string } = {},
): Promise<{ artifact: Artifact; created: boolean }> {
  check(input);
  const artifact = newArtifact(input, options.id ?? uuid7(), ctx.clock.nowIso());
  const existing = await withWriteTransaction(ctx.database, async (trx) =>
    (await artifacts.insertArtifact(ctx.database, trx, artifact))
      ? null
      : artifacts.readArtifact(ctx.database, trx, artifact.id),
  );
  return existing ? { artifact: existing, created: false } : { artifact, created: true };
}

/**
 * Create a batch of artifacts in one transaction, in their order (the embedded client's write
 * queue). When the batch fails because of what one of them holds, they are written one by one
 * and those the database refuses are returned with why; ids that exist already are skipped.
 */
export async function createArtifacts(
  ctx: AppContext,
  inputs: readonly ArtifactCreateWithId[],
): Promise<{ id: string; error: Error }[]> {
  const refused: { id: string; error: Error }[] = [];
  const now = ctx.clock.nowIso();
  const rows: Artifact[] = [];
  for (const input of inputs) {
    try {
      check(input);
      rows.push(newArtifact(input, input.id, now));
    } catch (error) {
      refused.push({ id: input.id, error: error as Error });
    }
  }
  try {
    await artifacts.insertArtifacts(ctx.database, rows);
  } catch (error) {
    if (!isDataError(error)) throw error;
    for (const row of rows) {
      try {
        await withWriteTransaction(ctx.database, (trx) =>
          artifacts.insertArtifact(ctx.database, trx, row),
        );
      } catch (one) {
        if (!isDataError(one)) throw one;
        refused.push({ id: row.id, error: one as Error });
      }
    }
  }
  return refused;
}

/** An artifact of a batch refused for what it holds: its place in the batch, the field, and why. */
export interface BatchRefusal {
  index: number;
  id: string;
  /** The field refused, when it is one (`key`); otherwise the artifact as a whole. */
  field: string | null;
  message: string;
}

/** Thrown to roll back a probe's transaction. */
const PROBED = Symbol("probed");

/**
 * Create a batch of artifacts whole or not at all, in one transaction and in their order (ours:
 * `POST /artifacts/bulk`). Ids that exist already are skipped, so sending a batch again is
 * harmless. When some are refused for what they hold (a key Prefect refuses; a value the database
 * cannot take), nothing is written and they are returned with their place in the batch.
 */
export async function createArtifactBatch(
  ctx: AppContext,
  inputs: readonly ArtifactCreateWithId[],
): Promise<{ created: number; existing: number } | { refused: BatchRefusal[] }> {
  const now = ctx.clock.nowIso();
  const refused: BatchRefusal[] = [];
  const rows: Artifact[] = [];
  inputs.forEach((input, index) => {
    const problem = input.key == null ? null : artifactKeyProblem(input.key);
    if (problem) refused.push({ index, id: input.id, field: "key", message: problem });
    else rows.push(newArtifact(input, input.id, now));
  });
  if (refused.length > 0) return { refused };
  let failure: unknown;
  try {
    const created = await artifacts.insertArtifacts(ctx.database, rows);
    return { created, existing: rows.length - created };
  } catch (error) {
    if (!isDataError(error)) throw error;
    failure = error;
  }
  // which ones the database refuses: each tried alone in a transaction rolled back
  for (const [index, row] of rows.entries()) {
    try {
      await withWriteTransaction(ctx.database, async (trx) => {
        await artifacts.insertArtifact(ctx.database, trx, row);
        throw PROBED;
      });
    } catch (error) {
      if (error === PROBED) continue;
      if (!isDataError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      refused.push({ index, id: row.id, field: null, message });
    }
  }
  // none refused alone: the batch failed as a whole, not for one of them
  if (refused.length === 0) throw failure;
  return { refused };
}

export async function readArtifact(ctx: AppContext, id: string): Promise<Artifact> {
  const found = await artifacts.readArtifact(ctx.database, ctx.database.db, id);
  if (!found) throw notFound();
  return found;
}

/** The latest version of a key, as its collection row (Prefect's `GET /artifacts/{key}/latest`). */
export async function readLatestArtifact(
  ctx: AppContext,
  key: string,
): Promise<ArtifactCollection> {
  const found = await artifacts.readCollection(ctx.database, ctx.database.db, key);
  if (!found) throw notFound();
  return found;
}

/** A page of artifacts (default sort `ID_DESC`, as Prefect's). */
export function filterArtifacts(ctx: AppContext, listing: ArtifactsListing = {}) {
  const page = resolvePage(listing, ArtifactSort.ID_DESC, ArtifactSort);
  return artifacts.filterArtifacts(ctx.database, { ...listing, ...page });
}

export function countArtifacts(ctx: AppContext, query: ArtifactsQuery = {}): Promise<number> {
  return artifacts.countArtifacts(ctx.database, query);
}

/** A page of latest versions (default sort `ID_DESC`, as Prefect's). */
export function filterLatestArtifacts(ctx: AppContext, listing: ArtifactCollectionsListing = {}) {
  const page = resolvePage(listing, ArtifactCollectionSort.ID_DESC, ArtifactCollectionSort);
  return artifacts.filterCollections(ctx.database, { ...listing, ...page });
}

export function countLatestArtifacts(ctx: AppContext, query: ArtifactCollectionsQuery = {}) {
  return artifacts.countCollections(ctx.database, query);
}

/** Change an artifact's data, description or metadata (the latest version's collection row too). */
export async function updateArtifact(
  ctx: AppContext,
  id: string,
  update: ArtifactUpdate,
): Promise<void> {
  const change: ArtifactUpdate =
    update.metadata_ === undefined
      ? update
      : { ...update, metadata_: truncatedMetadata(update.metadata_) };
  const updated = await withWriteTransaction(ctx.database, (trx) =>
    artifacts.updateArtifact(ctx.database, trx, id, change, ctx.clock.nowIso()),
  );
  if (!updated) throw notFound();
}

export async function deleteArtifact(ctx: AppContext, id: string): Promise<void> {
  const deleted = await withWriteTransaction(ctx.database, (trx) =>
    artifacts.deleteArtifact(ctx.database, trx, id),
  );
  if (!deleted) throw notFound();
}

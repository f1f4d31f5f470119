/**
 * Event retention (Prefect's event trimming): events that occurred before a cutoff are deleted
 * with their `event_resources` rows, a batch at a time, each batch in its own transaction so no
 * lock is held for long and an interrupted trim keeps what it already did. Oldest events go first.
 * Written once for SQLite and PostgreSQL.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { normalizeIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";

/** Events deleted per batch by default (Prefect's `batch_size_delete`). */
export const EVENT_DELETE_BATCH_SIZE = 10_000;

/** Event ids per `IN (…)` list: well under the bound-parameter limits of both databases. */
const IDS_PER_STATEMENT = 5_000;

export interface EventTrimResult {
  /** Events deleted. */
  events: number;
  /** `event_resources` rows deleted with them. */
  resources: number;
  /** Transactions that deleted something. */
  batches: number;
}

export interface DeleteEventsOptions {
  /** Most events deleted per transaction (default 10,000). */
  batchSize?: number;
  /** Checked between batches: once aborted, no further batch starts. */
  signal?: AbortSignal;
}

/**
 * Delete up to `limit` of the oldest events with `occurred` before `olderThan`, and their
 * `event_resources` rows, in one transaction.
 */
export async function deleteEventBatch(
  database: Database,
  olderThan: string,
  limit: number,
): Promise<Omit<EventTrimResult, "batches">> {
  const cutoff = normalizeIso(olderThan);
  return withWriteTransaction(database, async (trx) => {
    const rows = await trx
      .selectFrom("events")
      .select(["id", "occurred"])
      .where("occurred", "<", cutoff)
      .orderBy("occurred")
      .limit(limit)
      .execute();
    if (rows.length === 0) return { events: 0, resources: 0 };
    // an event's resources carry its `occurred`: the batch's time range bounds the index scan
    const first = (rows[0] as { occurred: string }).occurred;
    const last = (rows[rows.length - 1] as { occurred: string }).occurred;
    let events = 0;
    let resources = 0;
    for (let i = 0; i < rows.length; i += IDS_PER_STATEMENT) {
      const ids = rows.slice(i, i + IDS_PER_STATEMENT).map((r) => r.id);
      const res = await trx
        .deleteFrom("event_resources")
        .where("occurred", ">=", first)
        .where("occurred", "<=", last)
        .where("event_id", "in", ids)
        .executeTakeFirst();
      const ev = await trx.deleteFrom("events").where("id", "in", ids).executeTakeFirst();
      resources += Number(res.numDeletedRows);
      events += Number(ev.numDeletedRows);
    }
    return { events, resources };
  });
}

/**
 * Delete every event with `occurred` before `olderThan`, and their `event_resources` rows, batch
 * after batch until none is left (or `signal` aborts). Returns how many rows went.
 */
export async function deleteEventsOlderThan(
  database: Database,
  olderThan: string,
  options: DeleteEventsOptions = {},
): Promise<EventTrimResult> {
  const batchSize = options.batchSize ?? EVENT_DELETE_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  }
  const total: EventTrimResult = { events: 0, resources: 0, batches: 0 };
  while (!options.signal?.aborted) {
    const batch = await deleteEventBatch(database, olderThan, batchSize);
    if (batch.events === 0) break;
    total.events += batch.events;
    total.resources += batch.resources;
    total.batches++;
    // let queued requests use the database between batches
    await yieldToEventLoop();
  }
  return total;
}

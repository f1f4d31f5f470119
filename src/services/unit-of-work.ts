/**
 * A write transaction that may emit events (a transactional outbox): the events a change emits are
 * written to the event store in the same transaction as the change, and published to the event bus
 * only once it has committed. A change that aborts or rolls back publishes nothing and leaves no
 * event behind.
 */
import { type Event, type ReceivedEvent, receivedEvent } from "../core/events.ts";
import { insertEventsInTransaction } from "../resources/events/queries.ts";
import type { Db } from "../storage/database.ts";
import { withWriteTransaction } from "../storage/write-transaction.ts";
import type { AppContext } from "./context.ts";

/** What a change sees inside its transaction. */
export interface UnitOfWork {
  /** The transaction: every query of the change goes through it. */
  readonly db: Db;
  /** Emit an event: stored with the change, published after it commits. */
  emit(event: Event): void;
}

/** Run `work` in one write transaction; its events are stored with it and published after commit. */
export async function inTransaction<T>(
  ctx: AppContext,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  let emitted: ReceivedEvent[] = [];
  const result = await withWriteTransaction(ctx.database, async (trx) => {
    emitted = [];
    const value = await work({
      db: trx,
      emit: (event) => {
        emitted.push(receivedEvent(event, ctx.clock.nowIso()));
      },
    });
    if (emitted.length > 0) await insertEventsInTransaction(ctx.database, trx, emitted);
    return value;
  });
  if (emitted.length > 0) ctx.events.publishStored(emitted);
  return result;
}

/** What setting a flow run's and a task run's state share: the transaction around orchestration. */
import type { FlowRun, TaskRun } from "../../core/runs.ts";
import { StateValidationError, type TransitionOutcome } from "../../orchestration/apply.ts";
import type { AppContext } from "../../services/context.ts";
import { inTransaction, type UnitOfWork } from "../../services/unit-of-work.ts";
import type { Database, Db } from "../../storage/database.ts";

/** How a run is read for orchestration: with its current state, row-locked when `lock`. */
export type ReadRunWithState<R> = (
  database: Database,
  trx: Db,
  id: string,
  lock: boolean,
) => Promise<R | null>;

/**
 * Propose a state for an existing run in one write transaction: read it locked (unknown id → the
 * error `notFound` makes), then `orchestrate`. A state that fails validation answers with its
 * outcome instead of throwing; its transaction is rolled back, its events with it.
 */
export async function setRunState<R extends FlowRun | TaskRun>(
  ctx: AppContext,
  notFound: () => Error,
  read: ReadRunWithState<R>,
  id: string,
  orchestrate: (uow: UnitOfWork, run: R) => Promise<TransitionOutcome>,
): Promise<TransitionOutcome> {
  try {
    return await inTransaction(ctx, async (uow) => {
      const run = await read(ctx.database, uow.db, id, true);
      if (!run) throw notFound();
      return orchestrate(uow, run);
    });
  } catch (error) {
    if (error instanceof StateValidationError) return error.outcome;
    throw error;
  }
}

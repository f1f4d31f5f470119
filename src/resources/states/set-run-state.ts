/** What setting a flow run's and a task run's state share: the transaction around orchestration. */
import { ObjectNotFoundError } from "../../core/errors.ts";
import type { FlowRun, TaskRun } from "../../core/runs.ts";
import { StateValidationError, type TransitionOutcome } from "../../orchestration/apply.ts";
import type { Database, Db } from "../../storage/database.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";

/** How a run is read for orchestration: with its current state, row-locked when `lock`. */
export type ReadRunWithState<R> = (
  database: Database,
  trx: Db,
  id: string,
  lock: boolean,
) => Promise<R | null>;

/**
 * Propose a state for an existing run in one write transaction: read it locked (unknown id →
 * ObjectNotFoundError naming `kind`), then `orchestrate`. A state that fails validation answers
 * with its outcome instead of throwing.
 */
export async function setRunState<R extends FlowRun | TaskRun>(
  database: Database,
  kind: "Flow run" | "Task run",
  id: string,
  read: ReadRunWithState<R>,
  orchestrate: (trx: Db, run: R) => Promise<TransitionOutcome>,
): Promise<TransitionOutcome> {
  try {
    return await withWriteTransaction(database, async (trx) => {
      const run = await read(database, trx, id, true);
      if (!run) throw new ObjectNotFoundError(`${kind} with id ${id} not found`);
      return orchestrate(trx, run);
    });
  } catch (error) {
    if (error instanceof StateValidationError) return error.outcome;
    throw error;
  }
}

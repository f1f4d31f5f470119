// PLACEHOLDER: replaced by the orchestration work (models layer over storage + orchestration).
import type { TaskRunCreate } from "../../core/run-inputs.ts";
import type { TaskRun } from "../../core/runs.ts";
import type { StateCreate } from "../../core/state.ts";
import type { Database } from "../../storage/database.ts";
import type { SetStateOutcome } from "./flow-runs.ts";

export interface SetTaskRunStateOptions {
  force?: boolean;
}

/** Create a task run, or return the existing one with the same (flow_run_id, task_key, dynamic_key). */
export async function createTaskRun(
  _database: Database,
  _input: TaskRunCreate,
): Promise<{ taskRun: TaskRun; created: boolean }> {
  throw new Error("not implemented");
}

export async function setTaskRunState(
  _database: Database,
  _id: string,
  _state: StateCreate,
  _options: SetTaskRunStateOptions = {},
): Promise<SetStateOutcome> {
  throw new Error("not implemented");
}

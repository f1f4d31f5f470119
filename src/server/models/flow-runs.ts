// PLACEHOLDER: replaced by the orchestration work (models layer over storage + orchestration).
import type { FlowRunCreate } from "../../core/run-inputs.ts";
import type { FlowRun } from "../../core/runs.ts";
import type { OrchestrationResult, StateCreate } from "../../core/state.ts";
import type { Database } from "../../storage/database.ts";

export interface SetFlowRunStateOptions {
  force?: boolean;
  /** `X-Prefect-Api-Version` of the caller, if any. */
  apiVersion?: string | null;
  /** Client version parsed from `User-Agent: prefect/<v>`, if any. */
  clientVersion?: string | null;
}

export interface SetStateOutcome {
  result: OrchestrationResult;
  /** Whether this call wrote a state row (HTTP 201 vs 200). */
  written: boolean;
}

export async function createFlowRun(_database: Database, _input: FlowRunCreate): Promise<FlowRun> {
  throw new Error("not implemented");
}

export async function setFlowRunState(
  _database: Database,
  _id: string,
  _state: StateCreate,
  _options: SetFlowRunStateOptions = {},
): Promise<SetStateOutcome> {
  throw new Error("not implemented");
}

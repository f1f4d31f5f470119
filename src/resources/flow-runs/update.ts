/** `PATCH /flow_runs/{id}`: change a run's name, version, parameters, policy, tags, pid or job variables. */
import type { FlowRunPolicy } from "../../core/runs.ts";
import { nowIso } from "../../core/time.ts";
import type { Database } from "../../storage/database.ts";
import { withWriteTransaction } from "../../storage/write-transaction.ts";
import { readFlowRun, updateFlowRun } from "./queries.ts";

export interface FlowRunFieldsUpdate {
  name?: string | null;
  flow_version?: string | null;
  parameters?: Record<string, unknown>;
  empirical_policy?: Partial<Record<keyof FlowRunPolicy, unknown>>;
  tags?: string[];
  infrastructure_pid?: string | null;
  job_variables?: Record<string, unknown> | null;
}

/** Apply the fields given; false when the run does not exist. */
export async function updateFlowRunFields(
  database: Database,
  id: string,
  update: FlowRunFieldsUpdate,
): Promise<boolean> {
  return withWriteTransaction(database, async (trx) => {
    const run = await readFlowRun(database, id, trx);
    if (!run) return false;
    if (update.name) run.name = update.name;
    if (update.flow_version !== undefined) run.flow_version = update.flow_version;
    if (update.parameters !== undefined) run.parameters = update.parameters;
    if (update.empirical_policy !== undefined) {
      run.empirical_policy = {
        ...run.empirical_policy,
        ...update.empirical_policy,
      } as FlowRunPolicy;
    }
    if (update.tags !== undefined) run.tags = update.tags;
    if (update.infrastructure_pid !== undefined) run.infrastructure_pid = update.infrastructure_pid;
    if (update.job_variables !== undefined) run.job_variables = update.job_variables ?? {};
    run.updated = nowIso();
    await updateFlowRun(database, trx, run);
    return true;
  });
}

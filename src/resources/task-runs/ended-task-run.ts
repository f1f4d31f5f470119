/**
 * A task run ended by the server for its flow run (Crashed with a zombie, Cancelled with a
 * cancelled parent): the transition to record, its state placed after the run's current one even
 * if the run's process clock ran ahead (a later state replaces it), its run time counted to now.
 */
import { uuid4 } from "../../core/ids.ts";
import type { TaskRun, TaskRunTransition } from "../../core/runs.ts";
import { emptyStateDetails, type StateRecord } from "../../core/state.ts";
import type { StateType } from "../../core/state-types.ts";
import { compareIso, isoToMicros, microsToIso } from "../../core/time.ts";

export function endedTaskRun(
  run: TaskRun,
  end: { type: StateType; name: string; message: string },
  serverNow: string,
): TaskRunTransition {
  const now =
    run.state_timestamp && compareIso(run.state_timestamp, serverNow) >= 0
      ? microsToIso(isoToMicros(run.state_timestamp) + 1n)
      : serverNow;
  const state: StateRecord = {
    id: uuid4(),
    type: end.type,
    name: end.name,
    timestamp: now,
    message: end.message,
    data: null,
    state_details: { ...emptyStateDetails(), flow_run_id: run.flow_run_id, task_run_id: run.id },
  };
  const ranFor =
    run.state_type === "RUNNING" && run.state_timestamp
      ? Math.max(0, (Date.parse(now) - Date.parse(run.state_timestamp)) / 1000)
      : 0;
  return {
    run: {
      ...run,
      state_id: state.id,
      state_type: state.type,
      state_name: state.name,
      state_timestamp: now,
      end_time: now,
      total_run_time: run.total_run_time + ranFor,
      state,
    },
    state,
  };
}

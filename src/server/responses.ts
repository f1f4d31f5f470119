/** Wire responses: the stored records plus the fields Prefect computes when it answers. */
import type { Flow, FlowRun, TaskRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { nowIso, secondsBetween } from "../core/time.ts";

export function toFlowResponse(flow: Flow) {
  const { parameter_openapi_schema: _, ...wire } = flow;
  return wire;
}

/** The fields of a run the estimates are computed from. */
export type EstimateFields = Pick<
  FlowRun,
  "total_run_time" | "state_type" | "state_timestamp" | "expected_start_time" | "start_time"
>;

/** Run time so far (adds the current RUNNING stretch) and how late the run started. */
export function estimates(run: EstimateFields) {
  const now = nowIso();
  let estimated = run.total_run_time;
  if (run.state_type === StateType.RUNNING && run.state_timestamp) {
    estimated += Math.max(0, secondsBetween(run.state_timestamp, now));
  }
  let delta = 0;
  if (run.expected_start_time) {
    const started =
      run.start_time ??
      (run.state_type === StateType.SCHEDULED || run.state_type === StateType.PENDING ? now : null);
    if (started) delta = Math.max(0, secondsBetween(run.expected_start_time, started));
  }
  return { estimated_run_time: estimated, estimated_start_time_delta: delta };
}

export function toFlowRunResponse(run: FlowRun) {
  const { state_timestamp: _, ...wire } = run;
  return { ...wire, ...estimates(run) };
}

export function toTaskRunResponse(run: TaskRun) {
  const { state_timestamp: _, ...wire } = run;
  return { ...wire, ...estimates(run) };
}

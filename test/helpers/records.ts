/** Run records for tests that seed storage directly: every field defaulted, overrides on top. */
import { uuid4, uuid7 } from "../../src/core/ids.ts";
import {
  defaultFlowRunPolicy,
  defaultTaskRunPolicy,
  emptyRunTimes,
  type FlowRun,
  type TaskRun,
} from "../../src/core/runs.ts";
import { emptyStateDetails, type StateRecord } from "../../src/core/state.ts";
import { nowIso } from "../../src/core/time.ts";

export function flowRunRecord(flowId: string, over: Partial<FlowRun> = {}): FlowRun {
  const now = nowIso();
  return {
    id: uuid4(),
    created: now,
    updated: now,
    name: "run",
    flow_id: flowId,
    deployment_id: null,
    deployment_version: null,
    work_queue_id: null,
    work_queue_name: null,
    flow_version: null,
    parameters: {},
    idempotency_key: null,
    context: {},
    empirical_policy: defaultFlowRunPolicy(),
    tags: [],
    labels: {},
    parent_task_run_id: null,
    auto_scheduled: false,
    infrastructure_document_id: null,
    infrastructure_pid: null,
    created_by: null,
    work_pool_id: null,
    work_pool_name: null,
    job_variables: {},
    ...emptyRunTimes(),
    ...over,
  };
}

export function taskRunRecord(flowRunId: string | null, over: Partial<TaskRun> = {}): TaskRun {
  const now = nowIso();
  const id = over.id ?? uuid7();
  return {
    id,
    created: now,
    updated: now,
    name: "task",
    flow_run_id: flowRunId,
    task_key: `key-${id}`,
    dynamic_key: "0",
    cache_key: null,
    cache_expiration: null,
    task_version: null,
    empirical_policy: defaultTaskRunPolicy(),
    task_inputs: {},
    tags: [],
    labels: {},
    flow_run_run_count: 1,
    ...emptyRunTimes(),
    ...over,
  };
}

/** A state record of `type` named `name`, now, with default details; overrides on top. */
export function stateRecord(
  type: StateRecord["type"],
  name: string,
  over: Partial<StateRecord> = {},
): StateRecord {
  return {
    id: uuid7(),
    type,
    name,
    timestamp: nowIso(),
    message: null,
    data: null,
    state_details: emptyStateDetails(),
    ...over,
  };
}

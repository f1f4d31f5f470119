/** Orchestration policies: ordered lists of rules and transforms (Prefect's `policies.py`). */
import type { FlowOrchestrationContext, TaskOrchestrationContext } from "./context.ts";
import type { PolicyEntry } from "./rule.ts";
import { BypassCancellingFlowRunsWithNoInfra } from "./rules/bypass-cancelling-flow-runs-with-no-infra.ts";
import { CacheInsertion } from "./rules/cache-insertion.ts";
import { CacheRetrieval } from "./rules/cache-retrieval.ts";
import { CopyScheduledTime } from "./rules/copy-scheduled-time.ts";
import { CopyTaskParametersID } from "./rules/copy-task-parameters-id.ts";
import { EnforceCancellingToCancelledTransition } from "./rules/enforce-cancelling-to-cancelled-transition.ts";
import { EnforceDeploymentConcurrencyOnLate } from "./rules/enforce-deployment-concurrency-on-late.ts";
import { EnqueueScheduledTasks } from "./rules/enqueue-scheduled-tasks.ts";
import { EnsureOnlyScheduledFlowsMarkedLate } from "./rules/ensure-only-scheduled-flows-marked-late.ts";
import { HandleFlowTerminalStateTransitions } from "./rules/handle-flow-terminal-state-transitions.ts";
import { HandlePausingFlows } from "./rules/handle-pausing-flows.ts";
import { HandleResumingPausedFlows } from "./rules/handle-resuming-paused-flows.ts";
import { HandleTaskTerminalStateTransitions } from "./rules/handle-task-terminal-state-transitions.ts";
import { InstrumentFlowRunStateTransitions } from "./rules/instrument-flow-run-state-transitions.ts";
import { PreserveDeploymentConcurrencyLeaseId } from "./rules/preserve-deployment-concurrency-lease-id.ts";
import { PreventDuplicateTransitions } from "./rules/prevent-duplicate-transitions.ts";
import { PreventPendingTransitions } from "./rules/prevent-pending-transitions.ts";
import { PreventResultDataLoss } from "./rules/prevent-result-data-loss.ts";
import { PreventRunningTasksFromStoppedFlows } from "./rules/prevent-running-tasks-from-stopped-flows.ts";
import { ReleaseFlowConcurrencySlots } from "./rules/release-flow-concurrency-slots.ts";
import { ReleaseTaskConcurrencySlots } from "./rules/release-task-concurrency-slots.ts";
import { RemoveDeploymentConcurrencyLeaseForOldClientVersions } from "./rules/remove-deployment-concurrency-lease-for-old-client-versions.ts";
import { RenameReruns } from "./rules/rename-reruns.ts";
import { RetryFailedFlows } from "./rules/retry-failed-flows.ts";
import { RetryFailedTasks } from "./rules/retry-failed-tasks.ts";
import { SecureFlowConcurrencySlots } from "./rules/secure-flow-concurrency-slots.ts";
import { SecureTaskConcurrencySlots } from "./rules/secure-task-concurrency-slots.ts";
import { UpdateFlowRunTrackerOnTasks } from "./rules/update-flow-run-tracker-on-tasks.ts";
import { ValidateDeploymentConcurrencyAtRunning } from "./rules/validate-deployment-concurrency-at-running.ts";
import { WaitForScheduledTime } from "./rules/wait-for-scheduled-time.ts";
import { EnsureFlowRunStateTimestampIsUnique } from "./transforms/ensure-flow-run-state-timestamp-is-unique.ts";
import { IncrementFlowRunCount } from "./transforms/increment-flow-run-count.ts";
import { IncrementRunTime } from "./transforms/increment-run-time.ts";
import { IncrementTaskRunCount } from "./transforms/increment-task-run-count.ts";
import { RemoveResumingIndicator } from "./transforms/remove-resuming-indicator.ts";
import { SetEndTime } from "./transforms/set-end-time.ts";
import { SetExpectedStartTime } from "./transforms/set-expected-start-time.ts";
import { SetNextScheduledStartTime } from "./transforms/set-next-scheduled-start-time.ts";
import { SetRunStateName } from "./transforms/set-run-state-name.ts";
import { SetRunStateTimestamp } from "./transforms/set-run-state-timestamp.ts";
import { SetRunStateType } from "./transforms/set-run-state-type.ts";
import { SetStartTime } from "./transforms/set-start-time.ts";
import { UpdateStateDetails } from "./transforms/update-state-details.ts";
import { UpdateSubflowParentTask } from "./transforms/update-subflow-parent-task.ts";
import { UpdateSubflowStateDetails } from "./transforms/update-subflow-state-details.ts";

export type FlowPolicy = readonly PolicyEntry<FlowOrchestrationContext>[];
export type TaskPolicy = readonly PolicyEntry<TaskOrchestrationContext>[];

export const CoreFlowPolicy: FlowPolicy = [
  PreserveDeploymentConcurrencyLeaseId,
  PreventDuplicateTransitions,
  HandleFlowTerminalStateTransitions,
  EnforceCancellingToCancelledTransition,
  BypassCancellingFlowRunsWithNoInfra,
  PreventPendingTransitions,
  ValidateDeploymentConcurrencyAtRunning,
  SecureFlowConcurrencySlots,
  RemoveDeploymentConcurrencyLeaseForOldClientVersions,
  EnsureOnlyScheduledFlowsMarkedLate,
  HandlePausingFlows,
  HandleResumingPausedFlows,
  CopyScheduledTime,
  WaitForScheduledTime,
  RetryFailedFlows,
  InstrumentFlowRunStateTransitions,
  ReleaseFlowConcurrencySlots,
];

export const CoreTaskPolicy: TaskPolicy = [
  CacheRetrieval,
  HandleTaskTerminalStateTransitions,
  PreventRunningTasksFromStoppedFlows,
  SecureTaskConcurrencySlots,
  CopyScheduledTime,
  WaitForScheduledTime,
  RetryFailedTasks,
  RenameReruns,
  UpdateFlowRunTrackerOnTasks,
  CacheInsertion,
  ReleaseTaskConcurrencySlots,
];

/** CoreTaskPolicy without tag slots (the client takes them); no server path selects it. */
export const ClientSideTaskOrchestrationPolicy: TaskPolicy = CoreTaskPolicy.filter(
  (entry) => entry !== SecureTaskConcurrencySlots,
);

export const BackgroundTaskPolicy: TaskPolicy = [
  PreventPendingTransitions,
  CacheRetrieval,
  HandleTaskTerminalStateTransitions,
  CopyScheduledTime,
  CopyTaskParametersID,
  WaitForScheduledTime,
  RetryFailedTasks,
  RenameReruns,
  UpdateFlowRunTrackerOnTasks,
  CacheInsertion,
  ReleaseTaskConcurrencySlots,
  EnqueueScheduledTasks,
];

/** Forced flow writes (`force=true`) and run creation. */
export const MinimalFlowPolicy: FlowPolicy = [
  PreventResultDataLoss,
  BypassCancellingFlowRunsWithNoInfra,
  InstrumentFlowRunStateTransitions,
  ReleaseFlowConcurrencySlots,
];

/** The late-runs service. */
export const MarkLateRunsPolicy: FlowPolicy = [
  EnsureOnlyScheduledFlowsMarkedLate,
  EnforceDeploymentConcurrencyOnLate,
  InstrumentFlowRunStateTransitions,
];

/** Forced task writes (`force=true`) and task run creation. */
export const MinimalTaskPolicy: TaskPolicy = [ReleaseTaskConcurrencySlots];

const COMMON_GLOBAL_TRANSFORMS = [
  SetRunStateType,
  SetRunStateName,
  SetRunStateTimestamp,
  SetStartTime,
  SetEndTime,
  IncrementRunTime,
  SetExpectedStartTime,
  SetNextScheduledStartTime,
  UpdateStateDetails,
] as const;

/** Bookkeeping applied to every flow-run transition. */
export const GlobalFlowPolicy: FlowPolicy = [
  EnsureFlowRunStateTimestampIsUnique,
  ...COMMON_GLOBAL_TRANSFORMS,
  UpdateSubflowParentTask,
  UpdateSubflowStateDetails,
  IncrementFlowRunCount,
  RemoveResumingIndicator,
];

/** Bookkeeping applied to every task-run transition. */
export const GlobalTaskPolicy: TaskPolicy = [...COMMON_GLOBAL_TRANSFORMS, IncrementTaskRunCount];

/** The orchestration context: the run, the states of one transition and what rules may read. */

import type { Event } from "../core/events.ts";
import type { FlowRunRelations } from "../core/run-state-event.ts";
import type { FlowRun, TaskRun } from "../core/runs.ts";
import type {
  OrchestrationDetails,
  OrchestrationResult,
  SetStateStatus,
  StateCreate,
  StateRecord,
} from "../core/state.ts";
import type { Clock } from "../core/time.ts";

interface ContextBase {
  /** The live run: rules and transforms edit it and the models layer persists it. */
  readonly run: FlowRun | TaskRun;
  /** The run's state before this transition (`null` when it has none). */
  readonly initialState: StateRecord | null;
  /** What will be written; `null` once a rule rejected without a state, delayed or aborted. */
  proposedState: StateRecord | null;
  /** Set by validation: the written state, or the current state when nothing was written. */
  validatedState: StateRecord | null;
  status: SetStateStatus;
  details: OrchestrationDetails;
  /** An error raised by a rule's before-hook; the models layer re-raises it after unwinding. */
  orchestrationError: Error | null;
  /** Message passing between rules (`update_context_parameters`) plus `api-version`. */
  readonly parameters: Map<string, unknown>;
  readonly clock: Clock;
  /** True once the proposal went through validation: mutators are refused from then on. */
  validated: boolean;
}

/** The fields every context has; rules shared by flows and tasks are typed over it. */
export type BaseOrchestrationContext = ContextBase;

/** A flow run's parent flow run as task rules need it. */
export interface FlowRunSnapshot {
  id: string;
  run_count: number;
  state: StateRecord | null;
}

/** What taking a slot of a flow run's deployment concurrency limit came to. */
export type DeploymentSlotOutcome =
  /**
   * The run has no deployment, its deployment no concurrency limit, or its deployment is gone
   * (Prefect's foreign key would have set the run's `deployment_id` to null).
   */
  | { status: "unlimited" }
  /** The deployment's limit is 0: the run could never start. */
  | { status: "zero" }
  | { status: "taken"; leaseId: string }
  /** The limit is full: what the deployment's `collision_strategy` says to do. */
  | { status: "full"; strategy: "ENQUEUE" | "CANCEL_NEW"; waitSeconds: number };

/** Whether a run going RUNNING still holds the slot it took when it went PENDING. */
export type DeploymentSlotCheck =
  | { status: "held" }
  /** Its lease was gone (revoked or expired), and a free slot was taken anew. */
  | { status: "retaken"; leaseId: string }
  /** Its lease was gone and the limit is full. */
  | { status: "lost" };

/** What flow rules read or write beyond the run itself (implemented by the models layer). */
export interface FlowOrchestrationDeps {
  /**
   * Take a slot of the run's deployment concurrency limit, under a lease held by the run (in the
   * transition's transaction).
   */
  secureDeploymentSlot?(): Promise<DeploymentSlotOutcome>;
  /** Whether the run still holds its deployment slot under `leaseId` (re-taken when it does not). */
  checkDeploymentSlot?(leaseId: string): Promise<DeploymentSlotCheck>;
  /** Give back the run's deployment slot (in the transition's transaction). */
  releaseDeploymentSlot?(): Promise<void>;
  /** Whether another state of this flow run already has exactly this timestamp. */
  stateTimestampTaken(timestamp: string): Promise<boolean>;
  /** Force a state onto the parent task run of a subflow (MinimalTaskPolicy + GlobalTaskPolicy). */
  forceParentTaskRunState(taskRunId: string, state: StateCreate): Promise<void>;
  /** Emit an event with the transition: stored in its transaction, published once it commits. */
  emit(event: Event): void;
}

/** Whether a task run got a slot of each of its tags' concurrency limits. */
export type TagSlotsOutcome =
  | { status: "taken" }
  /** A tag's limit is 0: the run could never start. */
  | { status: "zero"; reason: string }
  /** A tag's limit is full: `reason` names the limit and who holds it. */
  | { status: "full"; reason: string; delaySeconds: number };

/** What task rules read or write beyond the run itself (implemented by the models layer). */
export interface TaskOrchestrationDeps {
  /** Take one slot of every tag limit of the run, all or none (in the transition's transaction). */
  secureTagSlots?(): Promise<TagSlotsOutcome>;
  /** Free the run's tag slots (in the transition's transaction). */
  releaseTagSlots?(): Promise<void>;
  /** The task's flow run (`null` when it has none or it is gone); may be memoised. */
  readFlowRun(): Promise<FlowRunSnapshot | null>;
  /** The newest cached state for the key whose expiration is null or after `now`. */
  readCachedState(cacheKey: string, now: string): Promise<StateRecord | null>;
  insertCacheEntry(cacheKey: string, expiration: string | null, stateId: string): Promise<void>;
}

export interface FlowOrchestrationContext extends ContextBase {
  readonly kind: "flow";
  readonly run: FlowRun;
  readonly clientVersion: string | null;
  readonly deps: FlowOrchestrationDeps;
  /** The run's flow and parent task run, as its state events name them. */
  readonly relations: FlowRunRelations;
}

export interface TaskOrchestrationContext extends ContextBase {
  readonly kind: "task";
  readonly run: TaskRun;
  readonly deps: TaskOrchestrationDeps;
}

export type OrchestrationContext = FlowOrchestrationContext | TaskOrchestrationContext;

interface ContextInput<R> {
  run: R;
  proposedState: StateRecord;
  clock: Clock;
  parameters?: Map<string, unknown>;
}

function base(input: ContextInput<FlowRun | TaskRun>): Omit<ContextBase, "run"> {
  return {
    initialState: input.run.state,
    proposedState: input.proposedState,
    validatedState: null,
    status: "ACCEPT",
    details: { type: "accept_details" },
    orchestrationError: null,
    parameters: input.parameters ?? new Map(),
    clock: input.clock,
    validated: false,
  };
}

export function createFlowContext(
  input: ContextInput<FlowRun> & {
    deps: FlowOrchestrationDeps;
    apiVersion?: string | null;
    clientVersion?: string | null;
    relations?: FlowRunRelations;
  },
): FlowOrchestrationContext {
  const ctx: FlowOrchestrationContext = {
    ...base(input),
    kind: "flow",
    run: input.run,
    clientVersion: input.clientVersion ?? null,
    deps: input.deps,
    relations: input.relations ?? { flow: null, parentTaskRun: null },
  };
  ctx.parameters.set("api-version", input.apiVersion ?? null);
  return ctx;
}

export function createTaskContext(
  input: ContextInput<TaskRun> & { deps: TaskOrchestrationDeps },
): TaskOrchestrationContext {
  return { ...base(input), kind: "task", run: input.run, deps: input.deps };
}

/** True when the proposal was nullified (WAIT, ABORT or a REJECT without a state). */
export function isNullified(ctx: BaseOrchestrationContext): boolean {
  return ctx.proposedState === null;
}

/** The `OrchestrationResult` a context ended with. */
export function resultOf(ctx: BaseOrchestrationContext): OrchestrationResult {
  return { state: ctx.validatedState, status: ctx.status, details: ctx.details };
}

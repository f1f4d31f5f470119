/**
 * Task-run transitions as the events Prefect's client emits (`prefect.task-run.<State name>`),
 * which a Prefect-compatible server's task-run recorder stores without orchestration.
 */
import { runStateResource, tagResources } from "./run-state-event.ts";
import type { TaskRun } from "./runs.ts";
import { emptyStateDetails, type StateRecord } from "./state.ts";
import { TERMINAL_STATE_TYPES } from "./state-types.ts";

export interface PrefectEvent {
  occurred: string;
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, unknown>;
  id: string;
  follows: string | null;
}

const DEFAULT_DETAILS = emptyStateDetails() as unknown as Record<string, unknown>;

/**
 * Keys the receiving server derives from the event itself (the resource, the related flow run,
 * the event's id and time), left out as Prefect's client leaves them out.
 */
const DERIVED_DETAILS = new Set(["task_run_id", "flow_run_id"]);
const DERIVED_RUN_FIELDS = new Set([
  "id",
  "created",
  "updated",
  "flow_run_id",
  "state",
  "state_id",
  "state_type",
  "state_name",
  "state_timestamp",
]);

/** `state_details` without default values, as Prefect's client sends them (`exclude_unset`). */
function setDetails(details: StateRecord["state_details"]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all = details as unknown as Record<string, unknown>;
  for (const k in all) {
    const v = all[k];
    if (v !== DEFAULT_DETAILS[k] && v !== undefined && !DERIVED_DETAILS.has(k)) out[k] = v;
  }
  return out;
}

/** The task run's fields that are set (nulls left out), without what the server derives. */
function setFields(run: TaskRun): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all = run as unknown as Record<string, unknown>;
  for (const k in all) {
    const v = all[k];
    if (v !== null && v !== undefined && !DERIVED_RUN_FIELDS.has(k)) out[k] = v;
  }
  return out;
}

/** The flow run a task run belongs to, and its flow, as named in the events' related resources. */
export interface FlowRunOfTask {
  name: string;
  flowId: string;
  /** Unknown when the flow was not read or created by this client. */
  flowName: string | null;
}

/**
 * One event per transition; `previous` is the run's state before it (null for the first). Its
 * related resources are the flow run and the flow (named when `parent` is known), then the tags,
 * as Prefect's client sends them.
 */
export function taskRunEvent(
  run: TaskRun,
  state: StateRecord,
  previous: StateRecord | null,
  parent?: FlowRunOfTask,
): PrefectEvent {
  return {
    occurred: state.timestamp,
    event: `prefect.task-run.${state.name}`,
    resource: taskRunResource(run, state),
    related: relatedResources(run, parent),
    payload: taskRunPayload(run, state, previous),
    id: state.id,
    follows: previous?.id ?? null,
  };
}

/**
 * `taskRunEvent` as JSON text, the same as `JSON.stringify` of it. The related resources, the
 * same for every task run of a flow run with the same tags, are serialised once for them all.
 */
export function taskRunEventText(
  run: TaskRun,
  state: StateRecord,
  previous: StateRecord | null,
  parent?: FlowRunOfTask,
): string {
  return `{"occurred":${JSON.stringify(state.timestamp)},"event":${JSON.stringify(`prefect.task-run.${state.name}`)},"resource":${JSON.stringify(taskRunResource(run, state))},"related":${relatedText(run, parent)},"payload":${JSON.stringify(taskRunPayload(run, state, previous))},"id":${JSON.stringify(state.id)},"follows":${previous ? JSON.stringify(previous.id) : "null"}}`;
}

function taskRunResource(run: TaskRun, state: StateRecord): Record<string, string> {
  return { ...runStateResource("task-run", run, state), "prefect.orchestration": "client" };
}

function taskRunPayload(
  run: TaskRun,
  state: StateRecord,
  previous: StateRecord | null,
): Record<string, unknown> {
  return {
    intended: { from: previous?.type ?? null, to: state.type },
    initial_state: previous
      ? {
          type: previous.type,
          name: previous.name,
          message: previous.message ?? "",
          state_details: setDetails(previous.state_details),
        }
      : null,
    validated_state: {
      type: state.type,
      name: state.name,
      message: state.message ?? "",
      state_details: setDetails(state.state_details),
      data: state.data ?? null,
    },
    task_run: setFields(run),
  };
}

/** The flow run and the flow (named when `parent` is known), then the tags. */
function relatedResources(
  run: TaskRun,
  parent: FlowRunOfTask | undefined,
): Record<string, string>[] {
  const related: Record<string, string>[] = [];
  if (run.flow_run_id) {
    const flowRun: Record<string, string> = {
      "prefect.resource.id": `prefect.flow-run.${run.flow_run_id}`,
      "prefect.resource.role": "flow-run",
    };
    if (parent) flowRun["prefect.resource.name"] = parent.name;
    related.push(flowRun);
    if (parent) {
      const flow: Record<string, string> = {
        "prefect.resource.id": `prefect.flow.${parent.flowId}`,
        "prefect.resource.role": "flow",
      };
      if (parent.flowName !== null) flow["prefect.resource.name"] = parent.flowName;
      related.push(flow);
    }
  }
  related.push(...tagResources(run.tags));
  return related;
}

/** Serialised related resources, by the flow run they name (its record here) and by tags. */
const relatedTexts = new WeakMap<FlowRunOfTask, Map<string, string>>();

function relatedText(run: TaskRun, parent: FlowRunOfTask | undefined): string {
  if (!parent) return JSON.stringify(relatedResources(run, parent));
  let byTags = relatedTexts.get(parent);
  if (!byTags) {
    byTags = new Map();
    relatedTexts.set(parent, byTags);
  }
  const tags = run.tags.length === 0 ? "" : JSON.stringify(run.tags);
  let text = byTags.get(tags);
  if (text === undefined) {
    text = JSON.stringify(relatedResources(run, parent));
    byTags.set(tags, text);
  }
  return text;
}

/** Flow runs (and flows) remembered for naming the related resources of task-run events. */
const REMEMBERED = 10_000;

/**
 * What a client keeps to build its task-run events: each run's last state sent (the next event's
 * `initial_state` and `follows`), and the flow runs and flows it created or read (named in the
 * events' related resources). Both clients keep one.
 */
export class TaskRunEventTracker {
  readonly #lastState = new Map<string, StateRecord>();
  readonly #flowRuns = new Map<string, FlowRunOfTask>();
  readonly #flowNames = new Map<string, string>();

  rememberFlow(flow: { id: string; name: string }): void {
    remember(this.#flowNames, flow.id, flow.name);
  }

  rememberFlowRun(run: { id: string; name: string; flow_id: string }): void {
    const flowName = this.#flowNames.get(run.flow_id) ?? null;
    remember(this.#flowRuns, run.id, { name: run.name, flowId: run.flow_id, flowName });
  }

  /** The run's previous state and its flow run for this transition, which becomes its last. */
  track(
    run: TaskRun,
    state: StateRecord,
  ): { previous: StateRecord | null; parent: FlowRunOfTask | undefined } {
    const previous = this.#lastState.get(run.id) ?? null;
    const parent = run.flow_run_id ? this.#flowRuns.get(run.flow_run_id) : undefined;
    // a run's last state is forgotten once it is final
    if (TERMINAL_STATE_TYPES.has(state.type)) this.#lastState.delete(run.id);
    else this.#lastState.set(run.id, state);
    return { previous, parent };
  }
}

/** Set `key` in a map that keeps the newest `REMEMBERED` entries. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/** The event a flow-run state change emits (`prefect.flow-run.<state name>`). */

import type { Event } from "../core/events.ts";
import { type FlowRunRelations, runStateResource, tagResources } from "../core/run-state-event.ts";
import type { FlowRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";
import { secondsBetween } from "../core/time.ts";

/** A related resource, its optional labels left out when unset. */
type EventResource = { "prefect.resource.id": string } & Record<string, string>;

/** Prefect's `PREFECT_EVENTS_MAXIMUM_RELATED_RESOURCES`. */
const MAXIMUM_RELATED_RESOURCES = 100;

const FOLLOWS_WINDOW_SECONDS = 5 * 60;

/** Prefect's `state_payload`: the type, and the name, message and pause flag where set. */
function stateSummary(state: StateRecord | null): Record<string, string> | null {
  if (!state) return null;
  const summary: Record<string, string> = { type: state.type };
  if (state.name) summary.name = state.name;
  if (state.message) summary.message = state.message;
  if (state.type === "PAUSED") {
    summary.pause_reschedule = String(state.state_details.pause_reschedule);
  }
  return summary;
}

/**
 * The resources a flow-run state event relates, as Prefect's `_flow_run_related_resources_from_orm`
 * lists them: the flow, deployment, work queue, work pool and parent task run (id, role and name,
 * where known), then the tags of the run, its flow and its parent task run (sorted, within the
 * limit of related resources), then the deployment or automation that created the run.
 */
function flowRunRelated(run: FlowRun, relations: FlowRunRelations): EventResource[] {
  const related: EventResource[] = [];
  const add = (kind: string, id: string, name: string | null | undefined) =>
    related.push({
      "prefect.resource.id": `prefect.${kind}.${id}`,
      "prefect.resource.role": kind,
      ...(name ? { "prefect.resource.name": name } : {}),
    });
  add("flow", run.flow_id, relations.flow?.name);
  if (run.deployment_id) add("deployment", run.deployment_id, null);
  if (run.work_queue_id) add("work-queue", run.work_queue_id, run.work_queue_name);
  if (run.work_pool_id) add("work-pool", run.work_pool_id, run.work_pool_name);
  if (run.parent_task_run_id) {
    add("task-run", run.parent_task_run_id, relations.parentTaskRun?.name);
  }
  const tags = new Set([
    ...run.tags,
    ...(relations.flow?.tags ?? []),
    ...(relations.parentTaskRun?.tags ?? []),
  ]);
  // one place is kept for the creator
  const room = Math.max(0, MAXIMUM_RELATED_RESOURCES - related.length - 1);
  related.push(...tagResources([...tags].sort().slice(0, room)));
  const creator = run.created_by;
  const kind =
    creator?.type === "DEPLOYMENT"
      ? "deployment"
      : creator?.type === "AUTOMATION"
        ? "automation"
        : null;
  if (creator && kind && typeof creator.id === "string") {
    const name = typeof creator.display_value === "string" ? creator.display_value : null;
    related.push({
      "prefect.resource.id": `prefect.${kind}.${creator.id}`,
      "prefect.resource.role": "creator",
      ...(name ? { "prefect.resource.name": name } : {}),
    });
  }
  return related;
}

/** The event for a written flow-run state. */
export function flowRunStateEvent(
  run: FlowRun,
  initial: StateRecord | null,
  validated: StateRecord,
  relations: FlowRunRelations = { flow: null, parentTaskRun: null },
): Event {
  const follows =
    initial &&
    Math.abs(secondsBetween(initial.timestamp, validated.timestamp)) < FOLLOWS_WINDOW_SECONDS
      ? initial.id
      : null;
  return {
    id: validated.id,
    occurred: validated.timestamp,
    event: `prefect.flow-run.${validated.name}`,
    resource: runStateResource("flow-run", run, validated),
    related: flowRunRelated(run, relations),
    payload: {
      intended: { from: initial?.type ?? null, to: validated.type },
      initial_state: stateSummary(initial),
      validated_state: stateSummary(validated),
    },
    follows,
  };
}

/** The event a flow-run state change emits (`prefect.flow-run.<state name>`). */
import { runStateResource, tagResources } from "../core/run-state-event.ts";
import type { FlowRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";
import { secondsBetween } from "../core/time.ts";

export interface EventResource {
  "prefect.resource.id": string;
  "prefect.resource.role"?: string;
  [label: string]: string | undefined;
}

/** Shaped like Prefect's `Event` (the wire format of `/events`). */
export interface FlowRunStateEvent {
  id: string;
  occurred: string;
  event: string;
  resource: EventResource;
  related: EventResource[];
  payload: Record<string, unknown>;
  follows: string | null;
}

const FOLLOWS_WINDOW_SECONDS = 5 * 60;

function stateSummary(state: StateRecord | null) {
  if (!state) return null;
  return { type: state.type, name: state.name, message: state.message ?? "" };
}

/** The event for a written flow-run state. */
export function flowRunStateEvent(
  run: FlowRun,
  initial: StateRecord | null,
  validated: StateRecord,
): FlowRunStateEvent {
  const follows =
    initial &&
    Math.abs(secondsBetween(initial.timestamp, validated.timestamp)) < FOLLOWS_WINDOW_SECONDS
      ? initial.id
      : null;
  const related: EventResource[] = [
    { "prefect.resource.id": `prefect.flow.${run.flow_id}`, "prefect.resource.role": "flow" },
  ];
  if (run.deployment_id) {
    related.push({
      "prefect.resource.id": `prefect.deployment.${run.deployment_id}`,
      "prefect.resource.role": "deployment",
    });
  }
  if (run.work_queue_id) {
    related.push({
      "prefect.resource.id": `prefect.work-queue.${run.work_queue_id}`,
      "prefect.resource.role": "work-queue",
      "prefect.resource.name": run.work_queue_name ?? undefined,
    });
  }
  if (run.work_pool_id) {
    related.push({
      "prefect.resource.id": `prefect.work-pool.${run.work_pool_id}`,
      "prefect.resource.role": "work-pool",
      "prefect.resource.name": run.work_pool_name ?? undefined,
    });
  }
  if (run.parent_task_run_id) {
    related.push({
      "prefect.resource.id": `prefect.task-run.${run.parent_task_run_id}`,
      "prefect.resource.role": "task-run",
    });
  }
  related.push(...tagResources(run.tags));
  const creator = run.created_by;
  if (creator && typeof creator.type === "string" && typeof creator.id === "string") {
    related.push({
      "prefect.resource.id": `prefect.${creator.type.toLowerCase()}.${creator.id}`,
      "prefect.resource.role": "creator",
    });
  }
  return {
    id: validated.id,
    occurred: validated.timestamp,
    event: `prefect.flow-run.${validated.name}`,
    resource: runStateResource("flow-run", run, validated),
    related,
    payload: {
      intended: { from: initial?.type ?? null, to: validated.type },
      initial_state: stateSummary(initial),
      validated_state: stateSummary(validated),
    },
    follows,
  };
}

/** The event a flow-run state change emits (`prefect.flow-run.<state name>`). */

import type { Event } from "../core/events.ts";
import { runStateResource, tagResources } from "../core/run-state-event.ts";
import type { FlowRun } from "../core/runs.ts";
import type { StateRecord } from "../core/state.ts";
import { secondsBetween } from "../core/time.ts";

/** A related resource, its optional labels left out when unset. */
type EventResource = { "prefect.resource.id": string } & Record<string, string>;

/** `prefect.resource.name` when there is a name. */
const named = (name: string | null): Record<string, string> =>
  name ? { "prefect.resource.name": name } : {};

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
): Event {
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
      ...named(run.work_queue_name),
    });
  }
  if (run.work_pool_id) {
    related.push({
      "prefect.resource.id": `prefect.work-pool.${run.work_pool_id}`,
      "prefect.resource.role": "work-pool",
      ...named(run.work_pool_name),
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

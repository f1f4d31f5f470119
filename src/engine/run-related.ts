/**
 * The related resources of an event a client emits from inside a run, as Prefect's
 * `related_resources_from_run_context` gives them: the flow run, the task run inside a task, and
 * the flow, each with its name.
 */
import type { EventLabels } from "../core/events.ts";
import { runScope } from "./context.ts";

export function runRelated(): EventLabels[] {
  const scope = runScope.getStore();
  const related: EventLabels[] = [];
  const flow = scope?.flow;
  if (flow) {
    related.push({
      "prefect.resource.id": `prefect.flow-run.${flow.flowRun.id}`,
      "prefect.resource.role": "flow-run",
      "prefect.resource.name": flow.flowRun.name,
    });
  }
  const task = scope?.task;
  if (task) {
    related.push({
      "prefect.resource.id": `prefect.task-run.${task.taskRun.id}`,
      "prefect.resource.role": "task-run",
      "prefect.resource.name": task.taskRun.name,
    });
  }
  if (flow) {
    related.push({
      "prefect.resource.id": `prefect.flow.${flow.flowRun.flow_id}`,
      "prefect.resource.role": "flow",
      "prefect.resource.name": flow.flowName,
    });
  }
  return related;
}

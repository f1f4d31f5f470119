/** The parts of a `prefect.flow-run.*` / `prefect.task-run.*` event that both kinds share. */
import type { StateRecord } from "./state.ts";

/** An event resource's labels: `prefect.resource.id` and more. */
export type ResourceLabels = { "prefect.resource.id": string } & Record<string, string>;

/** The event's resource: the run and the state it entered. */
export function runStateResource(
  kind: "flow-run" | "task-run",
  run: { id: string; name: string; run_count: number },
  state: Pick<StateRecord, "name" | "type" | "message" | "timestamp">,
): ResourceLabels {
  return {
    "prefect.resource.id": `prefect.${kind}.${run.id}`,
    "prefect.resource.name": run.name,
    "prefect.run-count": String(run.run_count),
    "prefect.state-message": state.message ?? "",
    "prefect.state-name": state.name,
    "prefect.state-timestamp": state.timestamp,
    "prefect.state-type": state.type,
  };
}

/** Related resources for a run's tags. */
export function tagResources(tags: readonly string[]): ResourceLabels[] {
  return tags.map((tag) => ({
    "prefect.resource.id": `prefect.tag.${tag}`,
    "prefect.resource.role": "tag",
  }));
}

/** A flow, deployment or task run an event names beside a run: its name and tags. */
export interface NamedWithTags {
  name: string;
  tags: readonly string[];
}

/**
 * What a flow-run state event names beside the run that Prefect reads from the database: the
 * run's flow and, for a subflow, the task run it runs under (`null` where there is none).
 */
export interface FlowRunRelations {
  flow: NamedWithTags | null;
  parentTaskRun: NamedWithTags | null;
}

/** The run that made an artifact: its flow run (by name, linked) and its task run, if any. */
import { Link } from "@tanstack/react-router";
import type { FlowRun } from "../../api/types.ts";

export function RunLinks({
  flowRunId,
  taskRunId,
  runs,
}: {
  flowRunId: string | null | undefined;
  taskRunId?: string | null | undefined;
  runs: ReadonlyMap<string, FlowRun> | undefined;
}) {
  if (!flowRunId && !taskRunId) return <span className="muted">none (made outside a run)</span>;
  return (
    <span className="inline-gap">
      {flowRunId && (
        <Link to="/runs/flow-run/$id" params={{ id: flowRunId }}>
          {runs?.get(flowRunId)?.name ?? `flow run ${flowRunId.slice(0, 8)}`}
        </Link>
      )}
      {taskRunId && (
        <Link to="/runs/task-run/$id" params={{ id: taskRunId }} className="muted-link">
          task run
        </Link>
      )}
    </span>
  );
}

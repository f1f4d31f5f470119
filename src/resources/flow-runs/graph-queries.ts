/**
 * The run graph of a flow run (`GET /flow_runs/{id}/graph-v2`), as Prefect draws it: its task runs
 * as nodes (a task run that is the parent of a subflow shows as that subflow's flow-run node),
 * upstream edges from `task_inputs`, the reverse as children, and the flow run's states.
 */
import { ErrorCode, PrefectTsError } from "../../core/errors.ts";
import type { TaskRunInput } from "../../core/runs.ts";
import type { StateType } from "../../core/state-types.ts";
import type { Database } from "../../storage/database.ts";

export const MAX_GRAPH_NODES = 10_000;

/** What a node shows, read alike from task runs and subflow runs. */
const NODE_COLUMNS = [
  "id",
  "name",
  "state_type",
  "start_time",
  "expected_start_time",
  "end_time",
] as const;

interface SubflowRow {
  id: string;
  name: string;
  state_type: string | null;
  start_time: string | null;
  expected_start_time: string | null;
  end_time: string | null;
}

export interface GraphNode {
  kind: "flow-run" | "task-run";
  id: string;
  label: string;
  state_type: StateType;
  start_time: string;
  end_time: string | null;
  parents: { id: string }[];
  children: { id: string }[];
  encapsulating: { id: string }[];
  artifacts: unknown[];
}

export interface FlowRunGraph {
  start_time: string | null;
  end_time: string | null;
  root_node_ids: string[];
  nodes: [string, GraphNode][];
  artifacts: unknown[];
  states: { id: string; timestamp: string; type: StateType; name: string }[];
}

/** Thrown when a graph has more nodes than the API draws (Prefect answers 400). */
export class FlowRunGraphTooLargeError extends PrefectTsError {
  constructor(count: number) {
    super(
      ErrorCode.VALIDATION,
      `The flow run graph has ${count} nodes, more than the ${MAX_GRAPH_NODES} that can be drawn.`,
    );
  }
}

export async function readFlowRunGraph(
  database: Database,
  flowRunId: string,
  since?: string,
): Promise<FlowRunGraph | null> {
  const { db, dialect } = database;
  const run = await db
    .selectFrom("flow_run")
    .select(["id", "start_time", "end_time"])
    .where("id", "=", flowRunId)
    .executeTakeFirst();
  if (!run) return null;
  const taskRows = await db
    .selectFrom("task_run")
    .select([...NODE_COLUMNS, "task_inputs"])
    .where("flow_run_id", "=", flowRunId)
    .where("state_type", "is not", null)
    .limit(MAX_GRAPH_NODES + 1)
    .execute();
  if (taskRows.length > MAX_GRAPH_NODES) throw new FlowRunGraphTooLargeError(taskRows.length);
  const taskIds = taskRows.map((t) => t.id);
  const subflows = new Map<string, SubflowRow>();
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await db
      .selectFrom("flow_run")
      .select([...NODE_COLUMNS, "parent_task_run_id"])
      .where("parent_task_run_id", "in", taskIds.slice(i, i + 500))
      .execute();
    for (const r of rows) if (r.parent_task_run_id) subflows.set(r.parent_task_run_id, r);
  }
  // a task run that is a subflow's parent is drawn as the subflow
  const nodeIdOf = (taskRunId: string) => subflows.get(taskRunId)?.id ?? taskRunId;
  const nodes = new Map<string, GraphNode>();
  for (const t of taskRows) {
    const sub = subflows.get(t.id);
    const start =
      (sub ? (sub.start_time ?? sub.expected_start_time) : null) ??
      t.start_time ??
      t.expected_start_time;
    if (!start) continue;
    const end = sub ? sub.end_time : t.end_time;
    if (since && end !== null && end < since) continue;
    const id = nodeIdOf(t.id);
    const inputs = dialect.fromJson<Record<string, TaskRunInput[]>>(t.task_inputs) ?? {};
    const parents = new Set<string>();
    for (const list of Object.values(inputs)) {
      for (const input of list)
        if (input.input_type === "task_run") parents.add(nodeIdOf(input.id));
    }
    nodes.set(id, {
      kind: sub ? "flow-run" : "task-run",
      id,
      label: sub ? sub.name : t.name,
      state_type: ((sub ? sub.state_type : t.state_type) ?? "PENDING") as StateType,
      start_time: start,
      end_time: end,
      parents: [...parents].map((p) => ({ id: p })),
      children: [],
      encapsulating: [],
      artifacts: [],
    });
  }
  for (const node of nodes.values()) {
    node.parents = node.parents.filter((p) => nodes.has(p.id));
    for (const p of node.parents) nodes.get(p.id)?.children.push({ id: node.id });
  }
  const states = await db
    .selectFrom("flow_run_state")
    .select(["id", "timestamp", "type", "name"])
    .where("flow_run_id", "=", flowRunId)
    .orderBy("timestamp", "asc")
    .execute();
  const sorted = [...nodes.values()].sort((a, b) =>
    a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0,
  );
  return {
    start_time: run.start_time,
    end_time: run.end_time,
    root_node_ids: sorted.filter((n) => n.parents.length === 0).map((n) => n.id),
    nodes: sorted.map((n) => [n.id, n]),
    artifacts: [],
    states: states.map((s) => ({
      id: s.id,
      timestamp: s.timestamp,
      type: s.type as StateType,
      name: s.name,
    })),
  };
}

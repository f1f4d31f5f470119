/**
 * What the zombie flow-run service reads: the Running flow runs, each with the process that runs
 * it and its last heartbeat, in one query (indexed: `flow_run.state_type`, and one seek per run in
 * the partial index of heartbeat events, migration 0005 — the event name is a literal so that both
 * databases use it); and the unfinished task runs of a flow run (by the `(flow_run_id, …)` index).
 */
import { sql } from "kysely";
import { TaskRunSort } from "../../core/filters.ts";
import type { TaskRun } from "../../core/runs.ts";
import { StateType } from "../../core/state-types.ts";
import type { Database } from "../../storage/database.ts";
import { filterTaskRuns } from "../task-runs/queries.ts";

/** The event a running flow sends to say it is alive (Prefect's runner heartbeat). */
export const HEARTBEAT_EVENT = "prefect.flow-run.heartbeat";

export interface RunningFlowRun {
  id: string;
  /** Its Running state: the one a crash replaces (and only that one). */
  state_id: string | null;
  /** When it entered Running. */
  state_timestamp: string | null;
  /** `"<hostname>:<pid>"` of its process, when recorded. */
  infrastructure_pid: string | null;
  /** When the server received its last heartbeat (null: it sent none). */
  last_heartbeat: string | null;
  /** The seconds between heartbeats its last heartbeat declares (null: it declares none). */
  heartbeat_seconds: number | null;
}

/** Every Running flow run, with its process and (when `heartbeats`) its last heartbeat. */
export async function readRunningFlowRuns(
  database: Database,
  heartbeats: boolean,
): Promise<RunningFlowRun[]> {
  const last = (column: "received" | "payload") =>
    heartbeats
      ? sql<unknown>`(
          select e.${sql.ref(column)} from events e
          where e.resource_id = 'prefect.flow-run.' || cast(flow_run.id as text)
            and e.event = ${sql.lit(HEARTBEAT_EVENT)}
          order by e.occurred desc
          limit 1
        )`
      : sql<unknown>`null`;
  const rows = await database.db
    .selectFrom("flow_run")
    .select([
      "flow_run.id",
      "flow_run.state_id",
      "flow_run.state_timestamp",
      "flow_run.infrastructure_pid",
      last("received").as("last_heartbeat"),
      last("payload").as("last_heartbeat_payload"),
    ])
    .where("flow_run.state_type", "=", StateType.RUNNING)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    state_id: r.state_id,
    state_timestamp: r.state_timestamp,
    infrastructure_pid: r.infrastructure_pid,
    last_heartbeat: (r.last_heartbeat as string | null) ?? null,
    heartbeat_seconds: declaredSeconds(
      database.dialect.fromJson<Record<string, unknown> | null>(r.last_heartbeat_payload),
    ),
  }));
}

function declaredSeconds(payload: Record<string, unknown> | null): number | null {
  const seconds = payload?.heartbeat_seconds;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/** States a task run can still leave: what a crash of its flow run ends. */
const UNFINISHED_TASK_RUN_STATES = [
  StateType.SCHEDULED,
  StateType.PENDING,
  StateType.RUNNING,
  StateType.PAUSED,
  StateType.CANCELLING,
];

/** Up to `limit` task runs of the flow run that are not in a final state. */
export function readUnfinishedTaskRuns(
  database: Database,
  flowRunId: string,
  limit: number,
): Promise<TaskRun[]> {
  return filterTaskRuns(database, {
    task_runs: {
      flow_run_id: { any_: [flowRunId] },
      state: { type: { any_: UNFINISHED_TASK_RUN_STATES } },
    },
    sort: TaskRunSort.ID_DESC,
    limit,
    offset: 0,
  });
}

/** Who holds a limit's slots: links to the task runs and flow runs holding them. */
import { Link } from "@tanstack/react-router";
import type { LimitHolder } from "../../api/concurrency.ts";
import type { FlowRun, TaskRun } from "../../api/types.ts";
import { StateBadge } from "../StateBadge.tsx";
import { Time } from "../Time.tsx";

/** Runs by id, to name the holders. */
export interface RunNames {
  taskRuns: ReadonlyMap<string, TaskRun> | undefined;
  flowRuns: ReadonlyMap<string, FlowRun> | undefined;
}

/** A task run holding a slot, by name with its state (its id while the name is loading). */
export function TaskRunLink({ id, runs }: { id: string; runs: RunNames }) {
  const run = runs.taskRuns?.get(id);
  return (
    <span className="inline-gap holder">
      <Link to="/runs/task-run/$id" params={{ id }} className="strong-link">
        {run?.name ?? id}
      </Link>
      {run && <StateBadge type={run.state_type} name={run.state_name} />}
    </span>
  );
}

function FlowRunLink({ id, runs }: { id: string; runs: RunNames }) {
  const run = runs.flowRuns?.get(id);
  return (
    <span className="inline-gap holder">
      <Link to="/runs/flow-run/$id" params={{ id }} className="strong-link">
        {run?.name ?? id}
      </Link>
      {run && <StateBadge type={run.state_type} name={run.state_name} />}
    </span>
  );
}

/** The leases holding a global limit's slots, each with its holder and when it ends. */
export function LeaseHolders({ leases, runs }: { leases: LimitHolder[]; runs: RunNames }) {
  if (leases.length === 0) return <span className="muted">No lease</span>;
  return (
    <ul className="holders" aria-label="Holders">
      {leases.map((lease) => (
        <li key={lease.id}>
          {lease.holder?.type === "task_run" ? (
            <TaskRunLink id={lease.holder.id} runs={runs} />
          ) : lease.holder?.type === "flow_run" ? (
            <FlowRunLink id={lease.holder.id} runs={runs} />
          ) : lease.holder ? (
            <span className="mono">
              {lease.holder.type.replace("_", " ")} {lease.holder.id}
            </span>
          ) : (
            <span className="muted" title={lease.id}>
              Lease without a named holder
            </span>
          )}
          <span className="muted small">
            {lease.slots === 1 ? "1 slot" : `${lease.slots} slots`}
            {lease.expiration && (
              <>
                {", lease ends "}
                <Time iso={lease.expiration} />
              </>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

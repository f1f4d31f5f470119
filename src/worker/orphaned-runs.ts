/**
 * A worker's runs are labelled with its name as it claims them (`prefect.worker.name`, with
 * `prefect.worker.type`, `prefect.work-pool.name` and `prefect.work-pool.id`, as Prefect's worker
 * labels them). A worker started again under the same name — after a kill -9, a reboot, an OOM —
 * settles the runs its former self left: each `Pending` or `Running` run of the pool labelled with
 * its name whose process is not alive on this host (none recorded, or a pid that is gone) ends
 * `Crashed`, its task runs under way with it. A run whose recorded process is alive finishes by
 * itself; one recorded on another host is left to the server's heartbeat rule. A run with no
 * process recorded that entered its state less than `SETTLE_AFTER_MS` ago is looked at again then
 * (it may be a run another worker of the same name is starting now). A run is only crashed if it
 * is still in the state seen.
 */
import { hostname } from "node:os";
import type { PrefectClient } from "../client/prefect-client.ts";
import { isProcessAlive, localPid } from "../core/processes.ts";
import type { FlowRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import type { WorkPool } from "../core/work-pools.ts";

export const WORKER_NAME_LABEL = "prefect.worker.name";

/** The labels a worker gives the runs it claims. */
export function workerLabels(name: string, type: string, pool: WorkPool): Record<string, string> {
  return {
    [WORKER_NAME_LABEL]: name,
    "prefect.worker.type": type,
    "prefect.work-pool.name": pool.name,
    "prefect.work-pool.id": pool.id,
  };
}

/** A run younger in its state than this may be starting under a live worker of the same name. */
export const SETTLE_AFTER_MS = 5000;
const PAGE = 200;

export interface OrphanedRunsOptions {
  client: PrefectClient;
  pool: WorkPool;
  workerName: string;
  /** Mark the run Crashed if it is still in the state `expectedStateId` (the launcher's `crash`). */
  crash: (run: FlowRun, message: string, expectedStateId: string) => Promise<void>;
  /** Whether the worker is stopping (a later look is then skipped). */
  stopping: () => boolean;
}

/** Settle the runs of the pool a former worker of this name left; resolves with how many. */
export async function settleOrphanedRuns(o: OrphanedRunsOptions): Promise<number> {
  let settled = 0;
  for (let offset = 0; ; offset += PAGE) {
    const runs = await o.client.readFlowRuns({
      work_pools: { name: { any_: [o.pool.name] } },
      stateTypes: [StateType.PENDING, StateType.RUNNING],
      limit: PAGE,
      offset,
    });
    for (const run of runs) if (await settle(o, run)) settled++;
    if (runs.length < PAGE) return settled;
  }
}

/** Crash the run if it is an orphan of this worker's name (now, or once old enough). */
async function settle(o: OrphanedRunsOptions, run: FlowRun): Promise<boolean> {
  if (run.labels?.[WORKER_NAME_LABEL] !== o.workerName || !run.state_id) return false;
  if (run.infrastructure_pid) {
    const pid = localPid(run.infrastructure_pid, hostname());
    // alive: it ends by itself; on another host: the server's heartbeat rule settles it
    if (pid === null || isProcessAlive(pid)) return false;
  }
  const age = Date.now() - Date.parse(run.state?.timestamp ?? "");
  if (!run.infrastructure_pid && age < SETTLE_AFTER_MS) {
    const again = setTimeout(
      () => {
        if (o.stopping()) return;
        o.client
          .readFlowRun(run.id)
          .then((now) => (now.state_id === run.state_id ? settle(o, now) : false))
          .catch(() => false);
      },
      Math.max(0, SETTLE_AFTER_MS - Math.max(0, age)),
    );
    again.unref();
    return false;
  }
  const what = run.infrastructure_pid
    ? `its process (${run.infrastructure_pid}) is gone`
    : "no process of it is left";
  await o.crash(
    run,
    `The worker '${o.workerName}' that started this flow run stopped before it ended, and ${what}.`,
    run.state_id,
  );
  return true;
}

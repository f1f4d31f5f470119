/**
 * What Prefect 3.8's worker channel (`/work_pools/{pool}/workers/connect`) does with a worker's
 * `worker.hello.v1`, in the models layer: find its pool (or create it, with the worker's default
 * base job template, when it asks to and the name is not reserved), resolve the queues it names
 * (all of the pool's when none), give the pool the worker's template when it has none, record a
 * first heartbeat, and answer with the pool as it now is. A refusal is a `WorkerChannelRefusal`
 * with Prefect's close reason.
 */
import { isPrefectTsError } from "../../core/errors.ts";
import type { BaseJobTemplate, WorkPool } from "../../core/work-pools.ts";
import type { AppContext } from "../../services/context.ts";
import * as queues from "../work-queues/queries.ts";
import { checkBaseJobTemplate } from "./job-variables.ts";
import { createWorkPool, readWorkPool, updateWorkPool, workerHeartbeat } from "./model.ts";

/** Why the server closes a worker channel (Prefect's `WorkerChannelCloseReason` values). */
export type WorkerChannelCloseReason =
  | "protocol_error"
  | "authorization_failed"
  | "heartbeat_persistence_failed"
  | "transient_server_error";

export class WorkerChannelRefusal extends Error {
  readonly reason: WorkerChannelCloseReason;
  constructor(reason: WorkerChannelCloseReason, detail: string) {
    super(detail);
    this.reason = reason;
  }
}

export interface WorkerHello {
  worker_name: string;
  worker_type: string;
  heartbeat_interval_seconds: number;
  work_queue_names: string[];
  create_pool_if_not_found: boolean;
  default_base_job_template: BaseJobTemplate | null;
}

export interface WorkerConnection {
  pool: WorkPool;
  queues: { id: string; name: string }[];
}

async function poolFor(ctx: AppContext, name: string, hello: WorkerHello): Promise<WorkPool> {
  try {
    return await readWorkPool(ctx, name);
  } catch (error) {
    if (!isPrefectTsError(error) || error.code !== "ERR_OBJECT_NOT_FOUND") throw error;
  }
  if (!hello.create_pool_if_not_found) {
    throw new WorkerChannelRefusal("authorization_failed", "work_pool_not_found");
  }
  if (name.toLowerCase().startsWith("prefect")) {
    throw new WorkerChannelRefusal("authorization_failed", "work_pool_creation_unauthorized");
  }
  try {
    return await createWorkPool(ctx, {
      name,
      type: hello.worker_type,
      base_job_template: hello.default_base_job_template ?? {},
    });
  } catch (error) {
    // another worker created it first
    if (isPrefectTsError(error) && error.code === "ERR_CONFLICT") return readWorkPool(ctx, name);
    throw error;
  }
}

/** A worker saying hello: its pool (created if it asks), its queues, and a first heartbeat. */
export async function connectWorker(
  ctx: AppContext,
  poolName: string,
  hello: WorkerHello,
): Promise<WorkerConnection> {
  let pool = await poolFor(ctx, poolName, hello);
  const rows = await queues.readPoolQueueRows(ctx.database.db, pool.id);
  let resolved = rows;
  if (hello.work_queue_names.length > 0) {
    const byName = new Map(rows.map((q) => [q.name, q]));
    resolved = [...new Set(hello.work_queue_names)].map((name) => {
      const queue = byName.get(name);
      if (!queue) throw new WorkerChannelRefusal("authorization_failed", "work_queue_not_found");
      return queue;
    });
  }
  const template = hello.default_base_job_template;
  if (Object.keys(pool.base_job_template).length === 0 && template) {
    await checkBaseJobTemplate(template);
    await updateWorkPool(ctx, poolName, { base_job_template: template });
  }
  try {
    await workerHeartbeat(ctx, poolName, hello.worker_name, hello.heartbeat_interval_seconds);
  } catch (error) {
    throw new WorkerChannelRefusal(
      "heartbeat_persistence_failed",
      `worker_channel_initial_heartbeat_failed: ${error instanceof Error ? error.message : error}`,
    );
  }
  pool = await readWorkPool(ctx, poolName);
  return { pool, queues: resolved.map((q) => ({ id: q.id, name: q.name })) };
}

/** A heartbeat frame of a connected worker; false when its pool is gone. */
export async function channelHeartbeat(
  ctx: AppContext,
  poolName: string,
  workerName: string,
  intervalSeconds: number | null,
): Promise<boolean> {
  try {
    await workerHeartbeat(ctx, poolName, workerName, intervalSeconds);
    return true;
  } catch (error) {
    if (isPrefectTsError(error) && error.code === "ERR_OBJECT_NOT_FOUND") return false;
    throw error;
  }
}

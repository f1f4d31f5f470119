/** Conversions between work pool, work queue and worker rows and the wire-shaped records. */
import type { Selectable } from "kysely";
import { compareIso, secondsBetween } from "../core/time.ts";
import {
  type BaseJobTemplate,
  WORK_QUEUE_READY_SECONDS,
  type Worker,
  WorkerStatus,
  type WorkPool,
  type WorkPoolStatus,
  type WorkPoolStorageConfiguration,
  type WorkQueue,
  type WorkQueueStatus,
} from "../core/work-pools.ts";
import type { StorageDialect } from "./dialect.ts";
import type { WorkerTable, WorkPoolTable, WorkQueueTable } from "./schema.ts";

/** What a pool's answer needs besides its row: whether a worker is online, its busy slots. */
export interface WorkPoolFacts {
  hasOnlineWorker: boolean;
  activeSlots: number;
}

export function storageConfiguration(
  value: Partial<WorkPoolStorageConfiguration> | null | undefined,
): WorkPoolStorageConfiguration {
  return {
    bundle_upload_step: value?.bundle_upload_step ?? null,
    bundle_execution_step: value?.bundle_execution_step ?? null,
    default_result_storage_block_id: value?.default_result_storage_block_id ?? null,
  };
}

export function workPoolStatus(paused: boolean, hasOnlineWorker: boolean): WorkPoolStatus {
  if (paused) return "PAUSED";
  return hasOnlineWorker ? "READY" : "NOT_READY";
}

export function workPoolFromRow(
  d: StorageDialect,
  r: Selectable<WorkPoolTable>,
  facts: WorkPoolFacts,
): WorkPool {
  const paused = d.fromBool(r.is_paused);
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    description: r.description,
    type: r.type,
    base_job_template: d.fromJson<BaseJobTemplate>(r.base_job_template) ?? {},
    is_paused: paused,
    concurrency_limit: r.concurrency_limit,
    // Prefect's agent pool (for queues made without a pool) has no status
    status: r.type === "prefect-agent" ? null : workPoolStatus(paused, facts.hasOnlineWorker),
    default_queue_id: r.default_queue_id,
    storage_configuration: storageConfiguration(
      d.fromJson<Partial<WorkPoolStorageConfiguration> | null>(r.storage_configuration),
    ),
    active_slots: r.concurrency_limit === null ? null : facts.activeSlots,
  };
}

export function workPoolToRow(d: StorageDialect, p: WorkPool): WorkPoolTable {
  return {
    id: p.id,
    created: p.created,
    updated: p.updated,
    name: p.name,
    description: p.description,
    type: p.type,
    base_job_template: d.toJson(p.base_job_template),
    is_paused: d.toBool(p.is_paused),
    concurrency_limit: p.concurrency_limit,
    default_queue_id: p.default_queue_id,
    storage_configuration: d.toJson(p.storage_configuration),
  };
}

/** READY while polled less than 60 s before `now`; PAUSED when paused. */
export function workQueueStatus(
  paused: boolean,
  lastPolled: string | null,
  now: string,
): WorkQueueStatus {
  if (paused) return "PAUSED";
  return lastPolled !== null && secondsBetween(lastPolled, now) <= WORK_QUEUE_READY_SECONDS
    ? "READY"
    : "NOT_READY";
}

export function workQueueFromRow(
  d: StorageDialect,
  r: Selectable<WorkQueueTable>,
  facts: { poolName: string | null; activeSlots: number; now: string },
): WorkQueue {
  const paused = d.fromBool(r.is_paused);
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    description: r.description,
    is_paused: paused,
    concurrency_limit: r.concurrency_limit,
    priority: r.priority,
    work_pool_id: r.work_pool_id,
    filter: d.fromJson<Record<string, unknown> | null>(r.filter),
    last_polled: r.last_polled,
    work_pool_name: facts.poolName,
    status: workQueueStatus(paused, r.last_polled, facts.now),
    active_slots: r.concurrency_limit === null ? null : facts.activeSlots,
  };
}

export function workerFromRow(r: Selectable<WorkerTable>, now: string): Worker {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    work_pool_id: r.work_pool_id,
    last_heartbeat_time: r.last_heartbeat_time,
    heartbeat_interval_seconds: r.heartbeat_interval_seconds,
    status: compareIso(r.offline_after, now) > 0 ? WorkerStatus.ONLINE : WorkerStatus.OFFLINE,
  };
}

/**
 * The work pool pages' requests: pools (`/work_pools/…`), their queues
 * (`/work_pools/{pool}/queues/…`), their workers (`/work_pools/{pool}/workers/filter`), the worker
 * types a pool can be made for (`/collections/views/aggregate-worker-metadata`), the server's
 * worker heartbeat setting (`/admin/settings`), and the runs and deployments of a pool or queue.
 */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, post } from "./client.ts";
import type { components } from "./prefect.d.ts";
import { POLL_MS } from "./queries.ts";
import type { Deployment, FlowRun } from "./types.ts";

type S = components["schemas"];
export type WorkPool = S["WorkPoolResponse"];
export type WorkPoolCreate = S["WorkPoolCreate"];
export type WorkPoolUpdate = S["WorkPoolUpdate"];
export type WorkPoolStatus = S["WorkPoolStatus"];
export type WorkQueue = S["WorkQueueResponse"];
/** The fields to change (`is_paused` is required in the generated type only because it has a default). */
export type WorkQueueUpdate = Partial<S["WorkQueueUpdate"]>;
export type Worker = S["WorkerResponse"];

/** A base job template: the job a worker builds and the JSON Schema of its variables. */
export interface BaseJobTemplate {
  job_configuration?: Record<string, unknown>;
  variables?: VariablesSchema;
}

export interface VariablesSchema {
  type?: string;
  properties?: Record<string, VariableSchema>;
  required?: string[];
}

export interface VariableSchema {
  title?: string;
  description?: string;
  type?: string | string[];
  default?: unknown;
  anyOf?: VariableSchema[];
  [key: string]: unknown;
}

/** One worker type as `aggregate-worker-metadata` lists it. */
export interface WorkerType {
  type: string;
  display_name?: string;
  description?: string;
  default_base_job_configuration?: BaseJobTemplate;
}

/** Every query of these pages starts with this key: one invalidation refreshes them all. */
const KEY = "work-pools";
/** As many pools, queues or workers as one page of Prefect's API answers by default. */
const LIST_LIMIT = 200;
/** How many upcoming runs of a queue its page shows. */
export const QUEUE_UPCOMING_LIMIT = 50;
/** How many deployments of a pool its page shows. */
const DEPLOYMENTS_LIMIT = 200;
/** Prefect's default `PREFECT_WORKER_HEARTBEAT_SECONDS`. */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

const enc = encodeURIComponent;
const poolPath = (name: string) => `/work_pools/${enc(name)}`;
const queuePath = (pool: string, queue: string) => `${poolPath(pool)}/queues/${enc(queue)}`;

export function useWorkPools() {
  return useQuery({
    queryKey: [KEY, "list"],
    queryFn: ({ signal }) =>
      post<WorkPool[]>("/work_pools/filter", { offset: 0, limit: LIST_LIMIT }, signal),
    refetchInterval: POLL_MS,
  });
}

/** The query key of one pool. */
export const workPoolKey = (name: string) => [KEY, "one", name];

export function useWorkPool(name: string) {
  return useQuery({
    queryKey: workPoolKey(name),
    queryFn: ({ signal }) => api<WorkPool>(poolPath(name), { signal }),
    refetchInterval: POLL_MS,
  });
}

export function usePoolQueues(pool: string) {
  return useQuery({
    queryKey: [KEY, "queues", pool],
    queryFn: ({ signal }) =>
      post<WorkQueue[]>(
        `${poolPath(pool)}/queues/filter`,
        { offset: 0, limit: LIST_LIMIT },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

export function usePoolQueue(pool: string, queue: string) {
  return useQuery({
    queryKey: [KEY, "queue", pool, queue],
    queryFn: ({ signal }) => api<WorkQueue>(queuePath(pool, queue), { signal }),
    refetchInterval: POLL_MS,
  });
}

/** The pool's workers, latest heartbeat first. */
export function usePoolWorkers(pool: string) {
  return useQuery({
    queryKey: [KEY, "workers", pool],
    queryFn: ({ signal }) =>
      post<Worker[]>(`${poolPath(pool)}/workers/filter`, { offset: 0, limit: LIST_LIMIT }, signal),
    refetchInterval: POLL_MS,
  });
}

/** The worker types a pool can be created for, by type (`process`, …). */
export function useWorkerTypes() {
  return useQuery({
    queryKey: [KEY, "worker-types"],
    queryFn: ({ signal }) =>
      api<Record<string, Record<string, WorkerType>>>(
        "/collections/views/aggregate-worker-metadata",
        { signal },
      ),
    staleTime: Number.POSITIVE_INFINITY,
    select: (byPackage) => {
      const types = new Map<string, WorkerType>();
      for (const workers of Object.values(byPackage))
        for (const worker of Object.values(workers)) types.set(worker.type, worker);
      return types;
    },
  });
}

/** `PREFECT_WORKER_HEARTBEAT_SECONDS` of the server (`worker.heartbeat_seconds` of its settings). */
export function useWorkerHeartbeatSeconds() {
  return useQuery({
    queryKey: ["admin-settings"],
    queryFn: ({ signal }) =>
      api<{ worker?: { heartbeat_seconds?: number } }>("/admin/settings", { signal }),
    staleTime: Number.POSITIVE_INFINITY,
    select: (settings) => settings.worker?.heartbeat_seconds ?? DEFAULT_HEARTBEAT_SECONDS,
  });
}

/**
 * The scheduled runs a worker of the queue would start, late ones first
 * (`POST /work_queues/{id}/get_runs` with `x-prefect-ui: true`, so looking is not a poll).
 */
export function useQueueUpcomingRuns(queueId: string | undefined) {
  return useQuery({
    queryKey: [KEY, "queue-upcoming", queueId],
    queryFn: ({ signal }) =>
      api<FlowRun[]>(`/work_queues/${enc(queueId ?? "")}/get_runs`, {
        method: "POST",
        body: {
          scheduled_before: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          limit: QUEUE_UPCOMING_LIMIT,
        },
        headers: { "x-prefect-ui": "true" },
        signal,
      }),
    enabled: Boolean(queueId),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

/** The deployments that send their runs to the pool. */
export function usePoolDeployments(pool: string) {
  return useQuery({
    queryKey: [KEY, "deployments", pool],
    queryFn: ({ signal }) =>
      post<Deployment[]>(
        "/deployments/filter",
        { work_pools: { name: { any_: [pool] } }, sort: "NAME_ASC", limit: DEPLOYMENTS_LIMIT },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

/** The flow-run filter criteria of a pool's runs, or of one of its queues' (Prefect's shape). */
export function poolRunsScope(pool: string, queueId?: string): Record<string, unknown> {
  return queueId
    ? { work_pools: { name: { any_: [pool] } }, work_pool_queues: { id: { any_: [queueId] } } }
    : { work_pools: { name: { any_: [pool] } } };
}

/** Run a change, then refresh every work-pool query and the run lists (also when it failed). */
export function useWorkPoolChange() {
  const queryClient = useQueryClient();
  return useCallback(
    async <T>(change: () => Promise<T>): Promise<T> => {
      try {
        return await change();
      } finally {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: [KEY] }),
          queryClient.invalidateQueries({ queryKey: ["flow-runs-page"] }),
        ]);
      }
    },
    [queryClient],
  );
}

export const workPoolsApi = {
  create: (body: WorkPoolCreate) => post<WorkPool>("/work_pools/", body),
  update: (name: string, body: WorkPoolUpdate) =>
    api<null>(poolPath(name), { method: "PATCH", body }),
  remove: (name: string) => api<null>(poolPath(name), { method: "DELETE" }),
  updateQueue: (pool: string, queue: string, body: WorkQueueUpdate) =>
    api<null>(queuePath(pool, queue), { method: "PATCH", body }),
  removeQueue: (pool: string, queue: string) =>
    api<null>(queuePath(pool, queue), { method: "DELETE" }),
};

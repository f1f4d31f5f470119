/**
 * The concurrency page's requests: global limits (`/v2/concurrency_limits/…`), task-run tag limits
 * (`/concurrency_limits/…`), who holds their slots and which runs wait for one.
 */
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, post } from "./client.ts";
import { POLL_MS } from "./queries.ts";
import type {
  ConcurrencyLeaseHolder,
  FlowRun,
  GlobalConcurrencyLimit,
  GlobalConcurrencyLimitCreate,
  GlobalConcurrencyLimitUpdate,
  TagConcurrencyLimit,
  TagConcurrencyLimitCreate,
  TaskRun,
} from "./types.ts";

/** Every query of this page starts with this key: one invalidation refreshes them all. */
const KEY = "concurrency";
/** As many limits as one page of Prefect's API answers by default. */
const LIST_LIMIT = 200;
/** The state a run is in while it waits for a slot (Prefect's `AwaitingConcurrencySlot`). */
export const AWAITING_SLOT = "AwaitingConcurrencySlot";

/** Tag limits are global limits named `tag:<tag>` too (Prefect 3.4.19+). */
export const TAG_LIMIT_PREFIX = "tag:";

export function useGlobalLimits() {
  return useQuery({
    queryKey: [KEY, "global"],
    queryFn: ({ signal }) =>
      post<GlobalConcurrencyLimit[]>(
        "/v2/concurrency_limits/filter",
        { offset: 0, limit: LIST_LIMIT },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

export function useTagLimits() {
  return useQuery({
    queryKey: [KEY, "tag"],
    queryFn: ({ signal }) =>
      post<TagConcurrencyLimit[]>(
        "/concurrency_limits/filter",
        { offset: 0, limit: LIST_LIMIT },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

/** A lease holding slots of a limit, as `GET /v2/concurrency_limits/{id}/holders` lists them. */
export interface LimitHolder {
  /** The lease's id. */
  id: string;
  slots: number;
  expiration: string | null;
  /** The run (or deployment) the lease was taken for, when its taker said so. */
  holder: ConcurrencyLeaseHolder | null;
}

function asHolders(body: unknown): LimitHolder[] {
  const items: unknown[] = Array.isArray(body) ? body : [];
  return items.flatMap((item) => {
    if (!item || typeof item !== "object") return [];
    const l = item as Record<string, unknown>;
    if (typeof l.id !== "string") return [];
    const h = l.holder as Record<string, unknown> | null | undefined;
    const holder =
      h && typeof h.id === "string" && typeof h.type === "string"
        ? ({ type: h.type, id: h.id } as ConcurrencyLeaseHolder)
        : null;
    return [
      {
        id: l.id,
        slots: typeof l.slots === "number" ? l.slots : 1,
        expiration: typeof l.expiration === "string" ? l.expiration : null,
        holder,
      },
    ];
  });
}

/**
 * The holders of each of these limits (only limits with taken slots are asked), by limit id;
 * `"unknown"` where the server does not list them (a Prefect server has no such route).
 */
export function useLimitHolders(
  limits: readonly GlobalConcurrencyLimit[],
): Map<string, LimitHolder[] | "unknown"> {
  const held = limits.filter((l) => l.active_slots > 0);
  const results = useQueries({
    queries: held.map((l) => ({
      queryKey: [KEY, "holders", l.id],
      queryFn: async ({ signal }: { signal: AbortSignal }) =>
        asHolders(await api<unknown>(`/v2/concurrency_limits/${l.id}/holders`, { signal })),
      refetchInterval: POLL_MS,
    })),
  });
  const byLimit = new Map<string, LimitHolder[] | "unknown">();
  held.forEach((l, i) => {
    const result = results[i];
    if (result?.data) byLimit.set(l.id, result.data);
    else if (result?.isError) byLimit.set(l.id, "unknown");
  });
  return byLimit;
}

/** Flow runs and task runs in `AwaitingConcurrencySlot`: their state message says on what. */
export function useWaitingRuns() {
  const body = { limit: LIST_LIMIT, sort: "EXPECTED_START_TIME_ASC" };
  const state = { state: { name: { any_: [AWAITING_SLOT] } } };
  const flowRuns = useQuery({
    queryKey: [KEY, "waiting", "flow-runs"],
    queryFn: ({ signal }) =>
      post<FlowRun[]>("/flow_runs/filter", { ...body, flow_runs: state }, signal),
    refetchInterval: POLL_MS,
  });
  const taskRuns = useQuery({
    queryKey: [KEY, "waiting", "task-runs"],
    queryFn: ({ signal }) =>
      post<TaskRun[]>("/task_runs/filter", { ...body, task_runs: state }, signal),
    refetchInterval: POLL_MS,
  });
  return { flowRuns, taskRuns };
}

/** One task-run limit, by id (`GET /concurrency_limits/{id}`). */
export function useTagLimit(id: string) {
  return useQuery({
    queryKey: [KEY, "tag", id],
    queryFn: ({ signal }) => api<TagConcurrencyLimit>(`/concurrency_limits/${id}`, { signal }),
    refetchInterval: POLL_MS,
  });
}

/** The task runs holding slots of a task-run limit, and those with its tag waiting for one. */
export function useTagLimitRuns(limit: TagConcurrencyLimit | undefined) {
  const ids = limit?.active_slots ?? [];
  const active = useQuery({
    queryKey: [KEY, "tag-active", ids],
    queryFn: ({ signal }) =>
      post<TaskRun[]>(
        "/task_runs/filter",
        { task_runs: { id: { any_: ids } }, limit: LIST_LIMIT },
        signal,
      ),
    enabled: ids.length > 0,
  });
  const waiting = useQuery({
    queryKey: [KEY, "tag-waiting", limit?.tag],
    queryFn: ({ signal }) =>
      post<TaskRun[]>(
        "/task_runs/filter",
        {
          task_runs: {
            tags: { all_: [limit?.tag] },
            state: { name: { any_: [AWAITING_SLOT] } },
          },
          sort: "EXPECTED_START_TIME_ASC",
          limit: LIST_LIMIT,
        },
        signal,
      ),
    enabled: limit !== undefined,
    refetchInterval: POLL_MS,
  });
  return { active: ids.length > 0 ? active.data : [], waiting: waiting.data };
}

/** Flow runs by id (holders of leases), for their names. */
export function useFlowRunsById(ids: string[]) {
  const unique = [...new Set(ids)].sort();
  return useQuery({
    queryKey: [KEY, "flow-runs-by-id", unique],
    queryFn: ({ signal }) =>
      post<FlowRun[]>(
        "/flow_runs/filter",
        { flow_runs: { id: { any_: unique } }, limit: LIST_LIMIT },
        signal,
      ),
    enabled: unique.length > 0,
    staleTime: 30_000,
    select: (runs) => new Map(runs.map((r) => [r.id, r])),
  });
}

/** Run a change, then refresh everything this page shows (also when the change failed). */
export function useConcurrencyChange() {
  const queryClient = useQueryClient();
  return useCallback(
    async <T>(change: () => Promise<T>): Promise<T> => {
      try {
        return await change();
      } finally {
        await queryClient.invalidateQueries({ queryKey: [KEY] });
      }
    },
    [queryClient],
  );
}

/**
 * A body as the user typed it: the fields of `T`, with any value (an empty number is sent as
 * `null`), for the server to accept or to answer with a 422 naming the field.
 */
export type Draft<T> = { [K in keyof T]?: unknown };

const limitPath = (id: string) => `/v2/concurrency_limits/${encodeURIComponent(id)}`;
const tagPath = (tag: string) => `/concurrency_limits/tag/${encodeURIComponent(tag)}`;

export const concurrencyApi = {
  createGlobal: (body: Draft<GlobalConcurrencyLimitCreate>) =>
    post<GlobalConcurrencyLimit>("/v2/concurrency_limits/", body),
  updateGlobal: (id: string, body: Draft<GlobalConcurrencyLimitUpdate>) =>
    api<null>(limitPath(id), { method: "PATCH", body }),
  deleteGlobal: (id: string) => api<null>(limitPath(id), { method: "DELETE" }),
  createTag: (body: Draft<TagConcurrencyLimitCreate>) =>
    post<TagConcurrencyLimit>("/concurrency_limits/", body),
  resetTag: (tag: string) => post<null>(`${tagPath(tag)}/reset`, {}),
  deleteTag: (tag: string) => api<null>(tagPath(tag), { method: "DELETE" }),
};

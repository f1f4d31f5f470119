/** TanStack Query hooks over the API: one function per read the pages make. */
import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, post } from "./client.ts";
import type {
  Flow,
  FlowRun,
  FlowRunGraph,
  HistoryInterval,
  Paginated,
  SimpleFlowRun,
  State,
  StateType,
  TaskRun,
} from "./types.ts";
import { TERMINAL_STATES } from "./types.ts";

/** Refresh period of lists and counts, and of pages of runs that are still going. */
export const POLL_MS = 5_000;
export const LIVE_POLL_MS = 2_000;

type Body = Record<string, unknown>;

export function isLive(state: StateType | null | undefined): boolean {
  return state != null && !TERMINAL_STATES.has(state);
}

export function useHealth() {
  return useQuery({
    queryKey: ["health"],
    queryFn: ({ signal }) => api<boolean>("/health", { signal }),
    refetchInterval: 10_000,
    retry: false,
  });
}

export function useFlowRun(id: string) {
  return useQuery({
    queryKey: ["flow-run", id],
    queryFn: ({ signal }) => api<FlowRun>(`/flow_runs/${id}`, { signal }),
    refetchInterval: (q) => (isLive(q.state.data?.state_type) ? LIVE_POLL_MS : false),
  });
}

export function useTaskRun(id: string) {
  return useQuery({
    queryKey: ["task-run", id],
    queryFn: ({ signal }) => api<TaskRun>(`/task_runs/${id}`, { signal }),
    refetchInterval: (q) => (isLive(q.state.data?.state_type) ? LIVE_POLL_MS : false),
  });
}

export function useFlow(id: string | null | undefined) {
  return useQuery({
    queryKey: ["flow", id],
    queryFn: ({ signal }) => api<Flow>(`/flows/${id}`, { signal }),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

/** Flows by id, for naming the runs of a list. */
export function useFlowsById(ids: string[]) {
  const unique = [...new Set(ids)].sort();
  return useQuery({
    queryKey: ["flows-by-id", unique],
    queryFn: ({ signal }) =>
      post<Flow[]>("/flows/filter", { flows: { id: { any_: unique } }, limit: 200 }, signal),
    enabled: unique.length > 0,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
    select: (flows) => new Map(flows.map((f) => [f.id, f])),
  });
}

export function useFlowRunsPage(body: Body, live = true) {
  return useQuery({
    queryKey: ["flow-runs-page", body],
    queryFn: ({ signal }) => post<Paginated<FlowRun>>("/flow_runs/paginate", body, signal),
    placeholderData: keepPreviousData,
    refetchInterval: live ? POLL_MS : false,
  });
}

export function useFlowRunsFilter(key: string, body: Body, refetch: number | false = POLL_MS) {
  return useQuery({
    queryKey: ["flow-runs-filter", key, body],
    queryFn: ({ signal }) => post<FlowRun[]>("/flow_runs/filter", body, signal),
    refetchInterval: refetch,
  });
}

export function useFlowRunCount(key: string, body: Body) {
  return useQuery({
    queryKey: ["flow-runs-count", key, body],
    queryFn: ({ signal }) => post<number>("/flow_runs/count", body, signal),
    refetchInterval: POLL_MS,
  });
}

export function useTaskRunsPage(body: Body, live = true) {
  return useQuery({
    queryKey: ["task-runs-page", body],
    queryFn: ({ signal }) => post<Paginated<TaskRun>>("/task_runs/paginate", body, signal),
    placeholderData: keepPreviousData,
    refetchInterval: live ? POLL_MS : false,
  });
}

/** Task-run counts by state type (`POST /ui/task_runs/count`). */
export function useTaskRunCountsByState(body: Body, refetch: number | false = POLL_MS) {
  return useQuery({
    queryKey: ["task-run-counts", body],
    queryFn: ({ signal }) =>
      post<Partial<Record<StateType, number>>>("/ui/task_runs/count", body, signal),
    refetchInterval: refetch,
  });
}

/** Task runs per flow run (`POST /ui/flow_runs/count-task-runs`). */
export function useTaskRunCountsByFlowRun(ids: string[]) {
  return useQuery({
    queryKey: ["count-task-runs", ids],
    queryFn: ({ signal }) =>
      post<Record<string, number>>("/ui/flow_runs/count-task-runs", { flow_run_ids: ids }, signal),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

/** Flow-run history buckets (`POST /flow_runs/history`). */
export function useFlowRunHistory(body: Body) {
  return useQuery({
    queryKey: ["flow-run-history", body],
    queryFn: ({ signal }) => post<HistoryInterval[]>("/flow_runs/history", body, signal),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS * 2,
  });
}

/** Up to 1000 runs as points (`POST /ui/flow_runs/history`), for the runs scatter plot. */
export function useFlowRunPoints(body: Body) {
  return useQuery({
    queryKey: ["flow-run-points", body],
    queryFn: ({ signal }) => post<SimpleFlowRun[]>("/ui/flow_runs/history", body, signal),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS * 2,
  });
}

export function useFlowRunGraph(id: string, live: boolean) {
  return useQuery({
    queryKey: ["flow-run-graph", id],
    queryFn: ({ signal }) => api<FlowRunGraph>(`/flow_runs/${id}/graph-v2`, { signal }),
    refetchInterval: live ? LIVE_POLL_MS : false,
  });
}

/** Subflow runs drawn nested in a run graph: at most this many get their own graph fetched. */
const NESTED_SUBFLOWS_MAX = 20;

/** The graphs of the subflow runs of a graph, by subflow-run id. */
export function useSubflowGraphs(graph: FlowRunGraph | undefined, live: boolean) {
  const ids = (graph?.nodes ?? [])
    .filter(([, n]) => n.kind === "flow-run")
    .slice(0, NESTED_SUBFLOWS_MAX)
    .map(([id]) => id);
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["flow-run-graph", id],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<FlowRunGraph>(`/flow_runs/${id}/graph-v2`, { signal }),
      refetchInterval: live ? LIVE_POLL_MS : (false as const),
    })),
  });
  const stamp = results.map((r) => r.dataUpdatedAt).join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when any subflow graph changes
  return useMemo(() => {
    const map = new Map<string, FlowRunGraph>();
    results.forEach((r, i) => {
      const id = ids[i];
      if (id && r.data) map.set(id, r.data);
    });
    return map;
  }, [stamp]);
}

export function useStateHistory(kind: "flow_run" | "task_run", id: string, live: boolean) {
  return useQuery({
    queryKey: ["states", kind, id],
    queryFn: ({ signal }) => api<State[]>(`/${kind}_states/?${kind}_id=${id}`, { signal }),
    refetchInterval: live ? LIVE_POLL_MS : false,
  });
}

/** Task runs by id (names of upstream runs). */
export function useTaskRunsById(ids: string[]) {
  const unique = [...new Set(ids)].sort();
  return useQuery({
    queryKey: ["task-runs-by-id", unique],
    queryFn: ({ signal }) =>
      post<TaskRun[]>(
        "/task_runs/filter",
        { task_runs: { id: { any_: unique } }, limit: 200 },
        signal,
      ),
    enabled: unique.length > 0,
    staleTime: 60_000,
    select: (runs) => new Map(runs.map((r) => [r.id, r])),
  });
}

export function useFlowsPage(body: Body) {
  return useQuery({
    queryKey: ["flows-page", body],
    queryFn: ({ signal }) => post<Paginated<Flow>>("/flows/paginate", body, signal),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS * 2,
  });
}

export function useAllFlows() {
  return useQuery({
    queryKey: ["all-flows"],
    queryFn: ({ signal }) =>
      post<Flow[]>("/flows/filter", { sort: "NAME_ASC", limit: 200 }, signal),
    staleTime: 30_000,
  });
}

/**
 * The deployment pages' requests: deployments (`/deployments/…`), their schedules, pause and
 * resume, runs made from them (`create_flow_run`), and the runs they have had and will have.
 */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, post } from "./client.ts";
import { POLL_MS } from "./queries.ts";
import type {
  Deployment,
  DeploymentScheduleCreate,
  DeploymentScheduleUpdate,
  FlowRun,
  Paginated,
} from "./types.ts";

/** Every query of these pages starts with this key: one invalidation refreshes them all. */
const KEY = "deployments";
/** The runs of a deployment page a page of its list shows. */
export const RUNS_PAGE_SIZE = 10;
/** How many upcoming runs a card shows. */
export const UPCOMING_LIMIT = 10;
/** Runs up to this far ahead count as "now" for the past-runs list (clocks differ a little). */
const SKEW_MS = 60_000;

type Body = Record<string, unknown>;

export function useDeploymentsPage(body: Body) {
  return useQuery({
    queryKey: [KEY, "page", body],
    queryFn: ({ signal }) => post<Paginated<Deployment>>("/deployments/paginate", body, signal),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

/** The query key of one deployment. */
export const deploymentKey = (id: string) => [KEY, "one", id];

export function useDeployment(id: string) {
  return useQuery({
    queryKey: deploymentKey(id),
    queryFn: ({ signal }) => api<Deployment>(`/deployments/${id}`, { signal }),
    refetchInterval: POLL_MS,
  });
}

/** The deployments of a flow, by name. */
export function useFlowDeployments(flowId: string) {
  return useQuery({
    queryKey: [KEY, "of-flow", flowId],
    queryFn: ({ signal }) =>
      post<Deployment[]>(
        "/deployments/filter",
        { flows: { id: { any_: [flowId] } }, sort: "NAME_ASC", limit: 200 },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

/** Deployments by id, for naming the deployments of runs. */
export function useDeploymentsById(ids: readonly (string | null | undefined)[]) {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))].sort();
  return useQuery({
    queryKey: [KEY, "by-id", unique],
    queryFn: ({ signal }) =>
      post<Deployment[]>(
        "/deployments/filter",
        { deployments: { id: { any_: unique } }, limit: 200 },
        signal,
      ),
    enabled: unique.length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    select: (list) => new Map(list.map((d) => [d.id, d])),
  });
}

/** Where upcoming runs are looked for: everywhere, one flow's, or one deployment's. */
export type RunScope = { flowId: string } | { deploymentId: string } | Record<string, never>;

function scopeFilter(scope: RunScope): Body {
  if ("flowId" in scope) return { flows: { id: { any_: [scope.flowId] } } };
  if ("deploymentId" in scope) return { deployments: { id: { any_: [scope.deploymentId] } } };
  return {};
}

/**
 * The next scheduled runs (state type SCHEDULED, due from now on), soonest first. "Now" is
 * taken when the request is made, so the list moves on as time does.
 */
export function useUpcomingRuns(scope: RunScope, limit = UPCOMING_LIMIT) {
  return useQuery({
    queryKey: [KEY, "upcoming", scope, limit],
    queryFn: ({ signal }) =>
      post<FlowRun[]>(
        "/flow_runs/filter",
        {
          ...scopeFilter(scope),
          flow_runs: {
            state: { type: { any_: ["SCHEDULED"] } },
            expected_start_time: { after_: new Date().toISOString() },
          },
          sort: "EXPECTED_START_TIME_ASC",
          limit,
        },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

/**
 * A page of a deployment's runs that were due by now (whatever their state: run, running, late
 * or just created), latest first.
 */
export function useDeploymentRuns(deploymentId: string, page: number) {
  return useQuery({
    queryKey: [KEY, "runs", deploymentId, page],
    queryFn: ({ signal }) =>
      post<Paginated<FlowRun>>(
        "/flow_runs/paginate",
        {
          ...scopeFilter({ deploymentId }),
          flow_runs: {
            expected_start_time: { before_: new Date(Date.now() + SKEW_MS).toISOString() },
          },
          sort: "EXPECTED_START_TIME_DESC",
          limit: RUNS_PAGE_SIZE,
          page,
        },
        signal,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

/** Run a change, then refresh every deployment query and the run lists (also when it failed). */
export function useDeploymentChange() {
  const queryClient = useQueryClient();
  return useCallback(
    async <T>(change: () => Promise<T>): Promise<T> => {
      try {
        return await change();
      } finally {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: [KEY] }),
          queryClient.invalidateQueries({ queryKey: ["flow-runs-page"] }),
          queryClient.invalidateQueries({ queryKey: ["flow-runs-filter"] }),
        ]);
      }
    },
    [queryClient],
  );
}

/**
 * What the Run form sends to `create_flow_run` (a subset of Prefect's `DeploymentFlowRunCreate`:
 * the server fills in the rest of a state's details).
 */
export interface RunRequest {
  parameters?: Record<string, unknown>;
  name?: string;
  state?: { type: "SCHEDULED"; name: string; state_details: { scheduled_time: string } };
}

const path = (id: string) => `/deployments/${encodeURIComponent(id)}`;

export const deploymentsApi = {
  pause: (id: string) => post<null>(`${path(id)}/pause_deployment`, {}),
  resume: (id: string) => post<null>(`${path(id)}/resume_deployment`, {}),
  remove: (id: string) => api<null>(path(id), { method: "DELETE" }),
  addSchedule: (id: string, schedule: DeploymentScheduleCreate) =>
    post<unknown[]>(`${path(id)}/schedules`, [schedule]),
  updateSchedule: (id: string, scheduleId: string, body: DeploymentScheduleUpdate) =>
    api<null>(`${path(id)}/schedules/${encodeURIComponent(scheduleId)}`, {
      method: "PATCH",
      body,
    }),
  removeSchedule: (id: string, scheduleId: string) =>
    api<null>(`${path(id)}/schedules/${encodeURIComponent(scheduleId)}`, { method: "DELETE" }),
  run: (id: string, body: RunRequest) => post<FlowRun>(`${path(id)}/create_flow_run`, body),
};

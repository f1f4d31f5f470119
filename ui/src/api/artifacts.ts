/**
 * The artifact pages' requests: the latest version of each key (`/artifacts/latest/filter` and
 * `/count`), a key's versions and a run's artifacts (`/artifacts/filter`), one artifact
 * (`/artifacts/{id}`) and a key's latest (`/artifacts/{key}/latest`).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, post } from "./client.ts";
import type { components } from "./prefect.d.ts";
import { POLL_MS } from "./queries.ts";
import type { FlowRun } from "./types.ts";

export type Artifact = components["schemas"]["Artifact"];
export type ArtifactCollection = components["schemas"]["ArtifactCollection"];

/** The artifact types Prefect's clients write (a link is written as markdown). */
export const ARTIFACT_TYPES = ["markdown", "table", "progress", "image", "result"] as const;

const KEY = "artifacts";
export const ARTIFACTS_PAGE_SIZE = 50;
/** How many versions of a key its page lists. */
const VERSIONS_LIMIT = 200;

const enc = encodeURIComponent;

function collectionCriteria(keyLike: string | undefined, type: string | undefined) {
  return {
    artifacts: {
      key: { exists_: true, ...(keyLike ? { like_: keyLike } : {}) },
      ...(type ? { type: { any_: [type] } } : {}),
    },
  };
}

/** One page of the latest version of each key (keys with `keyLike` in them, of `type`). */
export function useArtifactCollections(
  keyLike: string | undefined,
  type: string | undefined,
  page: number,
) {
  return useQuery({
    queryKey: [KEY, "latest", keyLike ?? "", type ?? "", page],
    queryFn: async ({ signal }) => {
      const criteria = collectionCriteria(keyLike, type);
      const [results, count] = await Promise.all([
        post<ArtifactCollection[]>(
          "/artifacts/latest/filter",
          {
            ...criteria,
            sort: "UPDATED_DESC",
            offset: (page - 1) * ARTIFACTS_PAGE_SIZE,
            limit: ARTIFACTS_PAGE_SIZE,
          },
          signal,
        ),
        post<number>("/artifacts/latest/count", criteria, signal),
      ]);
      return { results, count, pages: Math.max(1, Math.ceil(count / ARTIFACTS_PAGE_SIZE)) };
    },
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

/** Every version of a key, newest first. */
export function useArtifactVersions(key: string) {
  return useQuery({
    queryKey: [KEY, "versions", key],
    queryFn: ({ signal }) =>
      post<Artifact[]>(
        "/artifacts/filter",
        { artifacts: { key: { any_: [key] } }, sort: "CREATED_DESC", limit: VERSIONS_LIMIT },
        signal,
      ),
    refetchInterval: POLL_MS,
  });
}

export function useArtifact(id: string) {
  return useQuery({
    queryKey: [KEY, "one", id],
    queryFn: ({ signal }) => api<Artifact>(`/artifacts/${enc(id)}`, { signal }),
    refetchInterval: POLL_MS,
  });
}

/** The artifacts a flow run or a task run made, one page, newest first. */
export function useRunArtifacts(
  run: { flowRunId: string } | { taskRunId: string },
  page: number,
  live: boolean,
) {
  const criteria =
    "flowRunId" in run
      ? { artifacts: { flow_run_id: { any_: [run.flowRunId] } } }
      : { artifacts: { task_run_id: { any_: [run.taskRunId] } } };
  return useQuery({
    queryKey: [KEY, "run", criteria, page],
    queryFn: async ({ signal }) => {
      const [results, count] = await Promise.all([
        post<Artifact[]>(
          "/artifacts/filter",
          {
            ...criteria,
            sort: "ID_DESC",
            offset: (page - 1) * ARTIFACTS_PAGE_SIZE,
            limit: ARTIFACTS_PAGE_SIZE,
          },
          signal,
        ),
        post<number>("/artifacts/count", criteria, signal),
      ]);
      return { results, count, pages: Math.max(1, Math.ceil(count / ARTIFACTS_PAGE_SIZE)) };
    },
    placeholderData: keepPreviousData,
    refetchInterval: live ? POLL_MS : false,
  });
}

/** How many artifacts a run made (the tab's count). */
export function useRunArtifactCount(run: { flowRunId: string } | { taskRunId: string }) {
  const criteria =
    "flowRunId" in run
      ? { artifacts: { flow_run_id: { any_: [run.flowRunId] } } }
      : { artifacts: { task_run_id: { any_: [run.taskRunId] } } };
  return useQuery({
    queryKey: [KEY, "run-count", criteria],
    queryFn: ({ signal }) => post<number>("/artifacts/count", criteria, signal),
    refetchInterval: POLL_MS,
  });
}

/** The flow runs artifacts name, by id (for their names). */
export function useFlowRunsById(ids: readonly (string | null | undefined)[]) {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))].sort();
  return useQuery({
    queryKey: [KEY, "flow-runs", unique],
    queryFn: ({ signal }) =>
      post<FlowRun[]>(
        "/flow_runs/filter",
        { flow_runs: { id: { any_: unique } }, limit: unique.length },
        signal,
      ),
    enabled: unique.length > 0,
    staleTime: 60_000,
    select: (runs) => new Map(runs.map((r) => [r.id, r])),
  });
}

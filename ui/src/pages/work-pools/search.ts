/** The search params of the work pool pages: the tab, and on the Runs tab the runs filters. */
import { parseRunsSearch, type RunsSearch } from "../../lib/search.ts";

export type WorkPoolTab = "details" | "queues" | "workers" | "runs" | "deployments";
const WORK_POOL_TABS: WorkPoolTab[] = ["details", "queues", "workers", "runs", "deployments"];

export type WorkPoolSearch = Omit<RunsSearch, "tab"> & { tab?: WorkPoolTab };

export function parseWorkPoolSearch(s: Record<string, unknown>): WorkPoolSearch {
  return { ...parseRunsSearch(s), tab: WORK_POOL_TABS.find((t) => t === s.tab) };
}

export type WorkQueueTab = "upcoming" | "runs";

export type WorkQueueSearch = Omit<RunsSearch, "tab"> & { tab?: WorkQueueTab };

export function parseWorkQueueSearch(s: Record<string, unknown>): WorkQueueSearch {
  return { ...parseRunsSearch(s), tab: s.tab === "runs" ? "runs" : undefined };
}

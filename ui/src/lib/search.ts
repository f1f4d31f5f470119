/** The search params of the pages: parsed leniently from the URL (bad values fall back to defaults). */
import type { FlowRunSort, StateType } from "../api/types.ts";
import { STATE_TYPES } from "../api/types.ts";

export const WINDOWS = {
  "1h": 3_600,
  "24h": 86_400,
  "7d": 7 * 86_400,
  "30d": 30 * 86_400,
} as const;
export type WindowKey = keyof typeof WINDOWS;

function windowKey(v: unknown): WindowKey | undefined {
  return typeof v === "string" && v in WINDOWS ? (v as WindowKey) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

function list(v: unknown): string[] | undefined {
  const items = Array.isArray(v) ? v : typeof v === "string" ? v.split(",") : [];
  const out = items.filter((x): x is string => typeof x === "string" && x.length > 0);
  return out.length ? out : undefined;
}

export interface DashboardSearch {
  window?: WindowKey;
}

export function parseDashboardSearch(s: Record<string, unknown>): DashboardSearch {
  return { window: windowKey(s.window) };
}

export const RUN_SORTS: { key: FlowRunSort; label: string }[] = [
  { key: "START_TIME_DESC", label: "Newest first" },
  { key: "START_TIME_ASC", label: "Oldest first" },
  { key: "NAME_ASC", label: "Name A–Z" },
  { key: "NAME_DESC", label: "Name Z–A" },
  { key: "END_TIME_DESC", label: "Recently ended" },
];

export interface RunsSearch {
  tab?: "flow-runs" | "task-runs";
  state?: StateType[];
  flow?: string[];
  tags?: string[];
  q?: string;
  range?: WindowKey;
  sort?: FlowRunSort;
  page?: number;
}

export function parseRunsSearch(s: Record<string, unknown>): RunsSearch {
  const state = list(s.state)?.filter((x): x is StateType => (STATE_TYPES as string[]).includes(x));
  const sort = RUN_SORTS.find((r) => r.key === s.sort)?.key;
  const page = typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined;
  return {
    tab: s.tab === "task-runs" ? "task-runs" : undefined,
    state: state?.length ? state : undefined,
    flow: list(s.flow),
    tags: list(s.tags),
    q: str(s.q),
    range: windowKey(s.range),
    sort,
    page,
  };
}

export type FlowRunTab =
  | "logs"
  | "task-runs"
  | "subflow-runs"
  | "artifacts"
  | "parameters"
  | "states"
  | "details";
const FLOW_RUN_TABS: FlowRunTab[] = [
  "logs",
  "task-runs",
  "subflow-runs",
  "artifacts",
  "parameters",
  "states",
  "details",
];

export interface FlowRunSearch {
  tab?: FlowRunTab;
}

export function parseFlowRunSearch(s: Record<string, unknown>): FlowRunSearch {
  return { tab: FLOW_RUN_TABS.find((t) => t === s.tab) };
}

export type DeploymentTab = "runs" | "upcoming" | "parameters" | "configuration";
const DEPLOYMENT_TABS: DeploymentTab[] = ["runs", "upcoming", "parameters", "configuration"];

export interface DeploymentSearch {
  tab?: DeploymentTab;
  page?: number;
}

export function parseDeploymentSearch(s: Record<string, unknown>): DeploymentSearch {
  return {
    tab: DEPLOYMENT_TABS.find((t) => t === s.tab),
    page: typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined,
  };
}

export interface DeploymentsSearch {
  q?: string;
  page?: number;
}

export function parseDeploymentsSearch(s: Record<string, unknown>): DeploymentsSearch {
  return {
    q: str(s.q),
    page: typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined,
  };
}

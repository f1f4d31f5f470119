/**
 * The asset pages' requests (the server's `/assets` routes, Prefect Cloud's shapes): a page of
 * assets by key prefix or text (`POST /assets/filter` → `{assets, total}`), one asset
 * (`GET /assets/key?key=`), its lineage (`POST /assets/latest-dependencies` with `{keys}`, asked
 * again with the keys found to walk further) and delete (`DELETE /assets/key?key=`).
 */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, post } from "./client.ts";
import { POLL_MS } from "./queries.ts";

export interface AssetProperties {
  name: string | null;
  description: string | null;
  url: string | null;
  owners: string[] | null;
}

export interface AssetMaterialization {
  status: "succeeded" | "failed";
  occurred: string;
  event_id: string;
  flow_run_id: string | null;
  materialized_by: string | null;
  metadata: unknown;
}

export interface Asset {
  id: string;
  created: string;
  updated: string;
  key: string;
  properties: AssetProperties;
  last_seen: string;
  last_materialization: AssetMaterialization | null;
}

export interface AssetPage {
  assets: Asset[];
  total: number;
}

/** One lineage edge: `downstream` was last materialized depending on `upstream`. */
export interface AssetDependency {
  upstream: string;
  downstream: string;
  updated: string;
  flow_run_id: string | null;
}

const KEY = "assets";
export const ASSETS_PAGE_SIZE = 50;
/** How many steps up and down from an asset its lineage graph walks. */
export const LINEAGE_DEPTH = 2;
/** The server's cap on the keys of one `latest-dependencies` request. */
const KEYS_PER_REQUEST = 200;

const enc = encodeURIComponent;

/** How the list's text filters keys: the keys starting with it, or containing it (any case). */
export type AssetMatch = "prefix" | "search";

/** One page of assets, by key, filtered by `text` (as a key prefix or as a substring). */
export function useAssets(text: string | undefined, match: AssetMatch, page: number) {
  return useQuery({
    queryKey: [KEY, "list", text ?? "", match, page],
    queryFn: async ({ signal }) => {
      const filter = text ? { key: { [match]: [text] } } : undefined;
      const res = await post<AssetPage>(
        "/assets/filter",
        {
          limit: ASSETS_PAGE_SIZE,
          offset: (page - 1) * ASSETS_PAGE_SIZE,
          ...(filter ? { filter } : {}),
        },
        signal,
      );
      return { ...res, pages: Math.max(1, Math.ceil(res.total / ASSETS_PAGE_SIZE)) };
    },
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

export function assetKeyOf(key: string) {
  return [KEY, "one", key] as const;
}

export function useAsset(key: string) {
  return useQuery({
    queryKey: assetKeyOf(key),
    queryFn: ({ signal }) => api<Asset>(`/assets/key?key=${enc(key)}`, { signal }),
    refetchInterval: POLL_MS,
  });
}

/** The edges within `depth` steps up and down from `key`, walked one request per step. */
async function neighbourhood(
  key: string,
  depth: number,
  signal: AbortSignal,
): Promise<AssetDependency[]> {
  const edges = new Map<string, AssetDependency>();
  const seen = new Set([key]);
  let frontier = [key];
  for (let step = 0; step < depth && frontier.length > 0; step++) {
    const found: AssetDependency[] = [];
    for (let i = 0; i < frontier.length; i += KEYS_PER_REQUEST) {
      const keys = frontier.slice(i, i + KEYS_PER_REQUEST);
      found.push(
        ...(await post<AssetDependency[]>("/assets/latest-dependencies", { keys }, signal)),
      );
    }
    const next: string[] = [];
    for (const e of found) {
      edges.set(`${e.upstream}\n${e.downstream}`, e);
      for (const k of [e.upstream, e.downstream]) {
        if (!seen.has(k)) {
          seen.add(k);
          next.push(k);
        }
      }
    }
    frontier = next;
  }
  return [...edges.values()];
}

/** The lineage around an asset: the edges up to `LINEAGE_DEPTH` steps away. */
export function useAssetLineage(key: string) {
  return useQuery({
    queryKey: [KEY, "lineage", key],
    queryFn: ({ signal }) => neighbourhood(key, LINEAGE_DEPTH, signal),
    refetchInterval: POLL_MS,
  });
}

/** The assets named on the lineage edges, by key (for their names and health): one request. */
export function useAssetsByKey(keys: readonly string[]) {
  const unique = [...new Set(keys)].sort().slice(0, KEYS_PER_REQUEST);
  return useQuery({
    queryKey: [KEY, "by-key", unique],
    queryFn: async ({ signal }) => {
      // the keys as prefixes: each key, and any key longer than it, which is dropped here
      const wanted = new Set(unique);
      const found = new Map<string, Asset>();
      for (let offset = 0; ; offset += KEYS_PER_REQUEST) {
        const page = await post<AssetPage>(
          "/assets/filter",
          { limit: KEYS_PER_REQUEST, offset, filter: { key: { prefix: unique } } },
          signal,
        );
        for (const a of page.assets) if (wanted.has(a.key)) found.set(a.key, a);
        if (found.size === wanted.size || offset + KEYS_PER_REQUEST >= page.total) break;
      }
      return found;
    },
    enabled: unique.length > 0,
    refetchInterval: POLL_MS,
  });
}

/**
 * Delete an asset; then `leave` (a page showing it goes elsewhere first, so nothing asks for it
 * again), then drop what the pages hold of it.
 */
export function useDeleteAsset() {
  const queryClient = useQueryClient();
  return async (key: string, leave?: () => void | Promise<void>): Promise<void> => {
    await api<null>(`/assets/key?key=${enc(key)}`, { method: "DELETE" });
    await leave?.();
    queryClient.removeQueries({ queryKey: assetKeyOf(key) });
    queryClient.removeQueries({ queryKey: [KEY, "lineage", key] });
    await queryClient.invalidateQueries({ queryKey: [KEY] });
  };
}

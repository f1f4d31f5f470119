/**
 * The variables page's requests: `/variables/filter` and `/variables/count` (a name search,
 * sorted, paginated), `POST /variables/`, `PATCH` and `DELETE /variables/name/{name}`.
 */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, post } from "./client.ts";
import type { components } from "./prefect.d.ts";
import { POLL_MS } from "./queries.ts";

export type Variable = components["schemas"]["Variable"];
export type VariableSort = "NAME_ASC" | "NAME_DESC" | "CREATED_DESC" | "UPDATED_DESC";

const KEY = "variables";
export const VARIABLES_PAGE_SIZE = 50;

const enc = encodeURIComponent;

/** Names with `search` in them (the server wraps `like_` in `%…%`, as Prefect's does). */
function criteria(search: string | undefined): Record<string, unknown> {
  return search ? { variables: { name: { like_: search } } } : {};
}

/** One page of variables whose name has `search` in it, and how many there are. */
export function useVariablesPage(search: string | undefined, sort: VariableSort, page: number) {
  return useQuery({
    queryKey: [KEY, "page", search ?? "", sort, page],
    queryFn: async ({ signal }) => {
      const [results, count] = await Promise.all([
        post<Variable[]>(
          "/variables/filter",
          {
            ...criteria(search),
            sort,
            offset: (page - 1) * VARIABLES_PAGE_SIZE,
            limit: VARIABLES_PAGE_SIZE,
          },
          signal,
        ),
        post<number>("/variables/count", criteria(search), signal),
      ]);
      return { results, count, pages: Math.max(1, Math.ceil(count / VARIABLES_PAGE_SIZE)) };
    },
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
}

/** Run a change, then refresh every variable query (also when it failed). */
export function useVariableChange() {
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

export interface VariableInput {
  name: string;
  value: unknown;
  tags: string[];
}

export const variablesApi = {
  create: (body: VariableInput) => post<Variable>("/variables/", body),
  update: (name: string, body: VariableInput) =>
    api<null>(`/variables/name/${enc(name)}`, { method: "PATCH", body }),
  remove: (name: string) => api<null>(`/variables/name/${enc(name)}`, { method: "DELETE" }),
};

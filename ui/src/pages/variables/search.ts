/** The search params of the variables page: a name search, the sort, the page. */
import type { VariableSort } from "../../api/variables.ts";

export interface VariablesSearch {
  q?: string;
  sort?: VariableSort;
  page?: number;
}

export const VARIABLE_SORTS: { value: VariableSort; label: string }[] = [
  { value: "NAME_ASC", label: "A to Z" },
  { value: "NAME_DESC", label: "Z to A" },
  { value: "UPDATED_DESC", label: "Recently updated" },
  { value: "CREATED_DESC", label: "Recently created" },
];

export function parseVariablesSearch(s: Record<string, unknown>): VariablesSearch {
  return {
    q: typeof s.q === "string" && s.q ? s.q : undefined,
    sort: VARIABLE_SORTS.find((o) => o.value === s.sort && o.value !== "NAME_ASC")?.value,
    page: typeof s.page === "number" && s.page > 1 ? Math.floor(s.page) : undefined,
  };
}

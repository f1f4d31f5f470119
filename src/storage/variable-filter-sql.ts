/**
 * Prefect's variable filter and sorts (`VariableFilter`, `VariableSort`) as SQL on `variable`,
 * built from the filter grammar's blocks (`filter-sql.ts`): names by list or `like_`, ids, tags
 * that hold all of a list or none at all.
 */
import type { VariableFilter, VariableSort, VariablesQuery } from "../core/variables.ts";
import type { Database } from "./database.ts";
import {
  type Cond,
  col,
  combine,
  contextOf,
  inList,
  like,
  type OrderBy,
  orderOf,
  type SortSpec,
  TRUE,
  tagsCond,
  when,
} from "./filter-sql.ts";

function variableFilterCond(database: Database, f: VariableFilter): Cond {
  const ctx = contextOf(database);
  const c = (column: string) => col("variable", column);
  return combine(
    [
      when(f.id, (x) => combine([when(x.any_, (v) => inList(ctx, c("id"), v))])),
      when(f.name, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, c("name"), v)),
          when(x.like_, (v) => like(ctx, c("name"), v)),
        ]),
      ),
      when(f.tags, (x) => tagsCond(ctx, "variable", x)),
    ],
    f.operator,
  );
}

/** The WHERE condition of a variables query on `variable`. */
export function variablesWhere(database: Database, query: VariablesQuery): Cond {
  return query.variables ? variableFilterCond(database, query.variables) : TRUE;
}

const SORTS: Record<VariableSort, SortSpec> = {
  CREATED_DESC: [col("variable", "created"), "desc"],
  UPDATED_DESC: [col("variable", "updated"), "desc"],
  NAME_DESC: [col("variable", "name"), "desc"],
  NAME_ASC: [col("variable", "name"), "asc"],
};

export function variablesOrder(sort: VariableSort): OrderBy[] {
  return orderOf("variable", SORTS[sort]);
}

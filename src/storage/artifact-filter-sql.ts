/**
 * Prefect's artifact filters and sorts (`ArtifactFilter`, `ArtifactCollectionFilter`,
 * `ArtifactSort`) as SQL on `artifact` and `artifact_collection`, built from the filter grammar's
 * blocks (`filter-sql.ts`). The runs an artifact belongs to are criteria too, as in Prefect's
 * `_apply_artifact_filters`: its flow run matches `flow_runs` (and its flow `flows`, its
 * deployment `deployments`), its task run matches `task_runs`.
 */
import { sql } from "kysely";
import type {
  ArtifactCollectionFilter,
  ArtifactCollectionsQuery,
  ArtifactFilter,
  ArtifactRunCriteria,
  ArtifactSort,
  ArtifactsQuery,
} from "../core/artifacts.ts";
import type { Database } from "./database.ts";
import {
  type Cond,
  col,
  combine,
  contextOf,
  type FilterContext,
  flowRunsWhere,
  inList,
  isNull,
  like,
  notInList,
  type OrderBy,
  orderOf,
  type SortSpec,
  taskRunsWhere,
  when,
} from "./filter-sql.ts";

type ArtifactTable = "artifact" | "artifact_collection";

function sharedConds(
  ctx: FilterContext,
  table: ArtifactTable,
  f: ArtifactFilter | ArtifactCollectionFilter,
): (Cond | undefined)[] {
  const c = (column: string) => col(table, column);
  return [
    when(f.key, (x) =>
      combine([
        when(x.any_, (v) => inList(ctx, c("key"), v)),
        when(x.like_, (v) => like(ctx, c("key"), v)),
        when(x.exists_, (v) => isNull(c("key"), !v)),
      ]),
    ),
    when(f.flow_run_id, (x) => combine([when(x.any_, (v) => inList(ctx, c("flow_run_id"), v))])),
    when(f.task_run_id, (x) => combine([when(x.any_, (v) => inList(ctx, c("task_run_id"), v))])),
    when(f.type, (x) =>
      combine([
        when(x.any_, (v) => inList(ctx, c("type"), v)),
        when(x.not_any_, (v) => notInList(ctx, c("type"), v)),
      ]),
    ),
  ];
}

/** The artifact's runs match the run criteria (Prefect's `EXISTS` subqueries). */
function runConds(database: Database, table: ArtifactTable, q: ArtifactRunCriteria): Cond[] {
  const { db } = database;
  const conds: Cond[] = [];
  if (q.flow_runs || q.flows || q.deployments) {
    const runs = db
      .selectFrom("flow_run")
      .select("flow_run.id")
      .where(
        flowRunsWhere(database, {
          flow_runs: q.flow_runs,
          flows: q.flows,
          deployments: q.deployments,
        }),
      );
    conds.push(sql`${col(table, "flow_run_id")} in (${runs})`);
  }
  if (q.task_runs) {
    const runs = db
      .selectFrom("task_run")
      .select("task_run.id")
      .where(taskRunsWhere(database, { task_runs: q.task_runs }));
    conds.push(sql`${col(table, "task_run_id")} in (${runs})`);
  }
  return conds;
}

/** The WHERE condition of an artifacts query on `artifact`. */
export function artifactsWhere(database: Database, query: ArtifactsQuery): Cond {
  const ctx = contextOf(database);
  const f = query.artifacts;
  const own = f
    ? combine(
        [
          when(f.id, (x) => combine([when(x.any_, (v) => inList(ctx, col("artifact", "id"), v))])),
          ...sharedConds(ctx, "artifact", f),
        ],
        f.operator,
      )
    : undefined;
  return combine([own, ...runConds(database, "artifact", query)]);
}

/** The WHERE condition of a latest-versions query on `artifact_collection`. */
export function artifactCollectionsWhere(
  database: Database,
  query: ArtifactCollectionsQuery,
): Cond {
  const ctx = contextOf(database);
  const f = query.artifacts;
  const table = "artifact_collection";
  const own = f
    ? combine(
        [
          when(f.latest_id, (x) =>
            combine([when(x.any_, (v) => inList(ctx, col(table, "latest_id"), v))]),
          ),
          ...sharedConds(ctx, table, f),
        ],
        f.operator,
      )
    : undefined;
  return combine([own, ...runConds(database, table, query)]);
}

function sorts(table: ArtifactTable): Record<ArtifactSort, SortSpec> {
  return {
    CREATED_DESC: [col(table, "created"), "desc"],
    UPDATED_DESC: [col(table, "updated"), "desc"],
    ID_DESC: [col(table, "id"), "desc"],
    KEY_DESC: [col(table, "key"), "desc"],
    KEY_ASC: [col(table, "key"), "asc"],
  };
}
const ARTIFACT_SORTS = sorts("artifact");
const COLLECTION_SORTS = sorts("artifact_collection");

export function artifactsOrder(sort: ArtifactSort): OrderBy[] {
  return orderOf("artifact", ARTIFACT_SORTS[sort]);
}
export function artifactCollectionsOrder(sort: ArtifactSort): OrderBy[] {
  return orderOf("artifact_collection", COLLECTION_SORTS[sort]);
}

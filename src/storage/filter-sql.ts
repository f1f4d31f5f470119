/**
 * Prefect's filter grammar applied to storage: the criteria of `core/filters.ts` (what either
 * transport lists with) become one Kysely `where` expression per query, and a sort its `order by`,
 * written once for SQLite and PostgreSQL; each resource's queries build on them. Nested
 * resources are joined as Prefect does, through `IN (subquery)` (Prefect: EXISTS), so a present
 * nested filter — even `{}` — requires a related row. Only the JSON operators differ by dialect
 * (`JsonOps`). Each sub-filter follows `as_sql_filter`: an empty one is TRUE, and its criteria are
 * combined with `and_`, or with its `operator` where Prefect's model has one.
 */
import {
  type Expression,
  type OrderByModifiersCallbackExpression,
  type RawBuilder,
  type SqlBool,
  sql,
} from "kysely";
import type {
  DeploymentFilter,
  DeploymentSort,
  DeploymentsQuery,
  FlowFilter,
  FlowRunFilter,
  FlowRunSort,
  FlowRunsQuery,
  FlowSort,
  FlowsQuery,
  LogFilter,
  LogSort,
  LogsQuery,
  Operator,
  TaskRunFilter,
  TaskRunSort,
  TaskRunsQuery,
  WorkPoolFilter,
  WorkQueueFilter,
} from "../core/filters.ts";
import { parseTextQuery } from "../core/text-query.ts";
import { normalizeIso } from "../core/time.ts";
import type { Database } from "./database.ts";

type Cond = Expression<SqlBool>;
type Table =
  | "flow"
  | "flow_run"
  | "task_run"
  | "log"
  | "deployment"
  | "variable"
  | "artifact"
  | "artifact_collection"
  | "work_pool"
  | "work_queue";
type Maybe<T> = T | null | undefined;

const TRUE: Cond = sql<SqlBool>`1 = 1`;
const FALSE: Cond = sql<SqlBool>`1 = 0`;

// ---------------------------------------------------------------------------------------------
// Dialect differences: JSON arrays and objects
// ---------------------------------------------------------------------------------------------

interface JsonOps {
  /** The JSON array holds at least one of `values` (non-empty). */
  hasAny(column: RawBuilder<unknown>, values: readonly string[]): Cond;
  /** The JSON array holds every one of `values` (non-empty). */
  hasAll(column: RawBuilder<unknown>, values: readonly string[]): Cond;
  isEmptyArray(column: RawBuilder<unknown>): Cond;
  /** SQL NULL or JSON `null`. */
  isNull(column: RawBuilder<unknown>): Cond;
  /** A top-level key of a JSON object, as text. */
  field(column: RawBuilder<unknown>, key: string): RawBuilder<string | null>;
}

/** A list of values as SQLite binds it: one by one, or, when long, as one JSON text. */
function sqliteValues(values: readonly string[]): RawBuilder<unknown> {
  return values.length <= LIST_PARAMS
    ? sql`(${sql.join(values)})`
    : sql`(select value from json_each(${JSON.stringify(values)}))`;
}

const sqliteJson: JsonOps = {
  hasAny: (column, values) =>
    sql<SqlBool>`exists (select 1 from json_each(${column}) where value in ${sqliteValues(values)})`,
  hasAll: (column, values) =>
    sql<SqlBool>`(select count(distinct value) from json_each(${column}) where value in ${sqliteValues(values)}) = ${sql.lit(new Set(values).size)}`,
  isEmptyArray: (column) => sql<SqlBool>`coalesce(json_array_length(${column}), 0) = 0`,
  isNull: (column) => sql<SqlBool>`(${column} is null or json_type(${column}) = 'null')`,
  field: (column, key) => sql<string | null>`json_extract(${column}, ${`$.${key}`})`,
};

const postgresJson: JsonOps = {
  hasAny: (column, values) => sql<SqlBool>`${column} ?| cast(${[...values]} as text[])`,
  hasAll: (column, values) => sql<SqlBool>`${column} ?& cast(${[...values]} as text[])`,
  isEmptyArray: (column) => sql<SqlBool>`${column} = '[]'::jsonb`,
  isNull: (column) => sql<SqlBool>`(${column} is null or jsonb_typeof(${column}) = 'null')`,
  field: (column, key) => sql<string | null>`${column} ->> ${key}`,
};

interface Ctx {
  readonly database: Database;
  readonly json: JsonOps;
  readonly ilike: "like" | "ilike";
}

function contextOf(database: Database): Ctx {
  const postgres = database.dialect.name === "postgres";
  return { database, json: postgres ? postgresJson : sqliteJson, ilike: database.dialect.ilike };
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

function col(table: Table, column: string): RawBuilder<unknown> {
  return sql`${sql.ref(`${table}.${column}`)}`;
}

/** `f(value)` when the criterion is set (not null/undefined). */
function when<T>(value: Maybe<T>, f: (v: T) => Cond | undefined): Cond | undefined {
  return value === null || value === undefined ? undefined : f(value);
}

function present(conds: readonly (Cond | undefined)[]): Cond[] {
  return conds.filter((c): c is Cond => c !== undefined);
}

function allOf(conds: readonly Cond[]): Cond {
  if (conds.length === 0) return TRUE;
  if (conds.length === 1) return conds[0] as Cond;
  return sql<SqlBool>`(${sql.join(conds, sql` and `)})`;
}

function anyOf(conds: readonly Cond[]): Cond {
  if (conds.length === 1) return conds[0] as Cond;
  return sql<SqlBool>`(${sql.join(conds, sql` or `)})`;
}

/** Prefect's `as_sql_filter`: TRUE when nothing is set, else the criteria joined by `operator`. */
function combine(conds: readonly (Cond | undefined)[], operator: Maybe<Operator> = "and_"): Cond {
  const set = present(conds);
  if (set.length === 0) return TRUE;
  return operator === "or_" ? anyOf(set) : allOf(set);
}

/**
 * Values a list criterion binds one by one (`in ($1, $2, …)`); a longer list is bound as one
 * parameter — PostgreSQL takes at most 65,535 parameters a statement, SQLite 32,766.
 */
const LIST_PARAMS = 500;

/** The values of a long list as one parameter: an array on PostgreSQL, JSON text on SQLite. */
function listParam(ctx: Ctx, values: readonly unknown[]): RawBuilder<unknown> {
  return ctx.database.dialect.name === "postgres"
    ? sql`${[...values]}`
    : sql`(select value from json_each(${JSON.stringify(values)}))`;
}

function inList(ctx: Ctx, expr: Expression<unknown>, values: readonly unknown[]): Cond {
  if (values.length === 0) return FALSE;
  if (values.length <= LIST_PARAMS) return sql<SqlBool>`${expr} in (${sql.join(values)})`;
  return ctx.database.dialect.name === "postgres"
    ? sql<SqlBool>`${expr} = any(${listParam(ctx, values)})`
    : sql<SqlBool>`${expr} in ${listParam(ctx, values)}`;
}

function notInList(ctx: Ctx, expr: Expression<unknown>, values: readonly unknown[]): Cond {
  if (values.length === 0) return TRUE;
  if (values.length <= LIST_PARAMS) return sql<SqlBool>`${expr} not in (${sql.join(values)})`;
  return ctx.database.dialect.name === "postgres"
    ? sql<SqlBool>`not (${expr} = any(${listParam(ctx, values)}))`
    : sql<SqlBool>`${expr} not in ${listParam(ctx, values)}`;
}

function isNull(expr: Expression<unknown>, yes: boolean): Cond {
  return yes ? sql<SqlBool>`${expr} is null` : sql<SqlBool>`${expr} is not null`;
}

/** Incoming timestamps in canonical form (a timestamp without offset is UTC). */
function isoParam(value: string): string {
  return normalizeIso(/(Z|[+-]\d\d(:?\d\d)?)$/i.test(value) ? value : `${value}Z`);
}

function before(expr: Expression<unknown>, value: Maybe<string>): Cond | undefined {
  return when(value, (v) => sql<SqlBool>`${expr} <= ${isoParam(v)}`);
}

function after(expr: Expression<unknown>, value: Maybe<string>): Cond | undefined {
  return when(value, (v) => sql<SqlBool>`${expr} >= ${isoParam(v)}`);
}

function like(ctx: Ctx, expr: Expression<unknown>, value: string): Cond {
  return sql<SqlBool>`${expr} ${sql.raw(ctx.ilike)} ${`%${value}%`}`;
}

interface TagsCriteria {
  operator?: Maybe<Operator>;
  all_?: Maybe<string[]>;
  any_?: Maybe<string[]>;
  is_null_?: Maybe<boolean>;
}

function tagsCond(ctx: Ctx, table: Table, f: TagsCriteria): Cond {
  const tags = col(table, "tags");
  return combine(
    [
      when(f.all_, (v) => (v.length === 0 ? TRUE : ctx.json.hasAll(tags, v))),
      when(f.any_, (v) => (v.length === 0 ? FALSE : ctx.json.hasAny(tags, v))),
      when(f.is_null_, (v) => {
        const empty = ctx.json.isEmptyArray(tags);
        return v ? empty : sql<SqlBool>`not ${empty}`;
      }),
    ],
    f.operator,
  );
}

interface TimeCriteria {
  before_?: Maybe<string>;
  after_?: Maybe<string>;
  is_null_?: Maybe<boolean>;
}

function timeCond(expr: Expression<unknown>, f: TimeCriteria, nullExpr = expr): Cond {
  return combine([
    before(expr, f.before_),
    after(expr, f.after_),
    when(f.is_null_, (v) => isNull(nullExpr, v)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Work pools and work queues: a run or a deployment is in them through its `work_queue_id`
// ---------------------------------------------------------------------------------------------

function workPoolFilterCond(ctx: Ctx, f: WorkPoolFilter): Cond {
  const c = (column: string) => col("work_pool", column);
  return combine(
    [
      when(f.id, (x) => combine([when(x.any_, (v) => inList(ctx, c("id"), v))])),
      when(f.name, (x) => combine([when(x.any_, (v) => inList(ctx, c("name"), v))])),
      when(f.type, (x) => combine([when(x.any_, (v) => inList(ctx, c("type"), v))])),
    ],
    f.operator,
  );
}

function workQueueFilterCond(ctx: Ctx, f: WorkQueueFilter): Cond {
  const c = (column: string) => col("work_queue", column);
  return combine(
    [
      when(f.id, (x) => combine([when(x.any_, (v) => inList(ctx, c("id"), v))])),
      when(f.name, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, c("name"), v)),
          // Prefect: OR of case-insensitive prefixes; an empty list sets nothing
          when(x.startswith_, (v) =>
            v.length === 0
              ? undefined
              : anyOf(
                  v.map(
                    (prefix) => sql<SqlBool>`${c("name")} ${sql.raw(ctx.ilike)} ${`${prefix}%`}`,
                  ),
                ),
          ),
        ]),
      ),
    ],
    f.operator,
  );
}

/**
 * `queueId` names a work queue matching `queues` in a work pool matching `pools` (Prefect: EXISTS
 * work_queue [JOIN work_pool]). A present filter — even `{}` — requires the queue (and its pool);
 * undefined when neither filter is present.
 */
function inWorkQueue(
  ctx: Ctx,
  queueId: RawBuilder<unknown>,
  pools: Maybe<WorkPoolFilter>,
  queues: Maybe<WorkQueueFilter>,
): Cond | undefined {
  if (pools == null && queues == null) return undefined;
  const { db } = ctx.database;
  const matching = db
    .selectFrom("work_queue")
    .select("work_queue.id")
    .where(
      allOf(
        present([
          when(queues, (f) => workQueueFilterCond(ctx, f)),
          when(
            pools,
            (f) =>
              sql<SqlBool>`${col("work_queue", "work_pool_id")} in (${db
                .selectFrom("work_pool")
                .select("work_pool.id")
                .where(workPoolFilterCond(ctx, f))})`,
          ),
        ]),
      ),
    );
  return sql<SqlBool>`${queueId} in (${matching})`;
}

// ---------------------------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------------------------

function flowFilterCond(ctx: Ctx, f: FlowFilter): Cond {
  const id = col("flow", "id");
  const name = col("flow", "name");
  return combine(
    [
      when(f.id, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, id, v)),
          when(x.not_any_, (v) => notInList(ctx, id, v)),
        ]),
      ),
      when(f.deployment, (x) =>
        combine(
          [
            when(x.is_null_, (v) => {
              const withDeployments = ctx.database.db
                .selectFrom("deployment")
                .select("deployment.flow_id");
              return v
                ? sql<SqlBool>`${id} not in (${withDeployments})`
                : sql<SqlBool>`${id} in (${withDeployments})`;
            }),
          ],
          x.operator,
        ),
      ),
      when(f.name, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, name, v)),
          when(x.like_, (v) => like(ctx, name, v)),
        ]),
      ),
      when(f.tags, (x) => tagsCond(ctx, "flow", x)),
    ],
    f.operator,
  );
}

function flowWhere(ctx: Ctx, body: FlowsQuery): Cond {
  const { db } = ctx.database;
  return allOf(
    present([
      when(body.flows, (f) => flowFilterCond(ctx, f)),
      body.deployments || body.work_pools
        ? sql<SqlBool>`${col("flow", "id")} in (${db
            .selectFrom("deployment")
            .select("deployment.flow_id")
            .where(
              allOf(
                present([
                  when(body.deployments, (f) => deploymentFilterCond(ctx, f)),
                  inWorkQueue(ctx, col("deployment", "work_queue_id"), body.work_pools, null),
                ]),
              ),
            )})`
        : undefined,
      body.flow_runs || body.task_runs
        ? sql<SqlBool>`${col("flow", "id")} in (${db
            .selectFrom("flow_run")
            .select("flow_run.flow_id")
            .where(
              allOf(
                present([
                  when(body.flow_runs, (f) => flowRunFilterCond(ctx, f)),
                  when(body.task_runs, (f) => flowRunHasTaskRun(ctx, f)),
                ]),
              ),
            )})`
        : undefined,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Flow runs
// ---------------------------------------------------------------------------------------------

function flowRunStateCond(ctx: Ctx, f: NonNullable<FlowRunFilter["state"]>): Cond {
  const type = col("flow_run", "state_type");
  const name = col("flow_run", "state_name");
  // Prefect keeps a state sub-filter only when it is a single comparison
  const single = (conds: (Cond | undefined)[]) => {
    const set = present(conds);
    return set.length === 1 ? set[0] : undefined;
  };
  return combine(
    [
      when(f.type, (x) =>
        single([
          when(x.any_, (v) => inList(ctx, type, v)),
          when(x.not_any_, (v) => notInList(ctx, type, v)),
        ]),
      ),
      when(f.name, (x) =>
        single([
          when(x.any_, (v) => inList(ctx, name, v)),
          when(x.not_any_, (v) => notInList(ctx, name, v)),
        ]),
      ),
    ],
    f.operator,
  );
}

function flowRunIdentityConds(ctx: Ctx, f: FlowRunFilter): (Cond | undefined)[] {
  const c = (column: string) => col("flow_run", column);
  return [
    when(f.id, (x) =>
      combine([
        when(x.any_, (v) => inList(ctx, c("id"), v)),
        when(x.not_any_, (v) => notInList(ctx, c("id"), v)),
      ]),
    ),
    when(f.name, (x) =>
      combine([
        when(x.any_, (v) => inList(ctx, c("name"), v)),
        when(x.like_, (v) => like(ctx, c("name"), v)),
      ]),
    ),
    when(f.tags, (x) => tagsCond(ctx, "flow_run", x)),
    when(f.deployment_id, (x) =>
      combine(
        [
          when(x.any_, (v) => inList(ctx, c("deployment_id"), v)),
          when(x.is_null_, (v) => isNull(c("deployment_id"), v)),
        ],
        x.operator,
      ),
    ),
    when(f.work_queue_name, (x) =>
      combine(
        [
          when(x.any_, (v) => inList(ctx, c("work_queue_name"), v)),
          when(x.is_null_, (v) => isNull(c("work_queue_name"), v)),
        ],
        x.operator,
      ),
    ),
    when(f.flow_version, (x) => combine([when(x.any_, (v) => inList(ctx, c("flow_version"), v))])),
    when(f.state, (x) => flowRunStateCond(ctx, x)),
  ];
}

function flowRunTimeConds(f: FlowRunFilter): (Cond | undefined)[] {
  const c = (column: string) => col("flow_run", column);
  const startOrExpected = sql`coalesce(${c("start_time")}, ${c("expected_start_time")})`;
  return [
    when(f.start_time, (x) => timeCond(startOrExpected, x, c("start_time"))),
    when(f.end_time, (x) => timeCond(c("end_time"), x)),
    when(f.expected_start_time, (x) => timeCond(c("expected_start_time"), x)),
    when(f.next_scheduled_start_time, (x) => timeCond(c("next_scheduled_start_time"), x)),
  ];
}

function flowRunLineageConds(ctx: Ctx, f: FlowRunFilter): (Cond | undefined)[] {
  const c = (column: string) => col("flow_run", column);
  const { db } = ctx.database;
  return [
    when(f.parent_flow_run_id, (x) =>
      combine(
        [
          when(x.any_, (v) =>
            v.length === 0
              ? FALSE
              : sql<SqlBool>`${c("parent_task_run_id")} in (${db
                  .selectFrom("task_run")
                  .select("task_run.id")
                  .where(inList(ctx, col("task_run", "flow_run_id"), v))})`,
          ),
        ],
        x.operator,
      ),
    ),
    when(f.parent_task_run_id, (x) =>
      combine(
        [
          when(x.any_, (v) => inList(ctx, c("parent_task_run_id"), v)),
          when(x.is_null_, (v) => isNull(c("parent_task_run_id"), v)),
        ],
        x.operator,
      ),
    ),
    when(f.idempotency_key, (x) =>
      combine([
        when(x.any_, (v) => inList(ctx, c("idempotency_key"), v)),
        when(x.not_any_, (v) => notInList(ctx, c("idempotency_key"), v)),
      ]),
    ),
    when(f.created_by, (x) => {
      const createdBy = c("created_by");
      return combine(
        [
          when(x.id_, (v) => inList(ctx, ctx.json.field(createdBy, "id"), v)),
          when(x.type_, (v) => inList(ctx, ctx.json.field(createdBy, "type"), v)),
          when(x.is_null_, (v) => {
            const empty = ctx.json.isNull(createdBy);
            return v ? empty : sql<SqlBool>`not ${empty}`;
          }),
        ],
        x.operator,
      );
    }),
  ];
}

function flowRunFilterCond(ctx: Ctx, f: FlowRunFilter): Cond {
  return combine(
    [...flowRunIdentityConds(ctx, f), ...flowRunTimeConds(f), ...flowRunLineageConds(ctx, f)],
    f.operator,
  );
}

/** The flow run has a task run matching `f` (Prefect: EXISTS task_run). */
function flowRunHasTaskRun(ctx: Ctx, f: TaskRunFilter): Cond {
  return sql<SqlBool>`${col("flow_run", "id")} in (${ctx.database.db
    .selectFrom("task_run")
    .select("task_run.flow_run_id")
    .where(taskRunFilterCond(ctx, f))})`;
}

function flowRunWhere(ctx: Ctx, body: FlowRunsQuery): Cond {
  const { db } = ctx.database;
  return allOf(
    present([
      when(body.flow_runs, (f) => flowRunFilterCond(ctx, f)),
      inWorkQueue(ctx, col("flow_run", "work_queue_id"), body.work_pools, body.work_pool_queues),
      when(body.deployments, (f) => flowRunHasDeployment(ctx, f)),
      when(
        body.flows,
        (f) =>
          sql<SqlBool>`${col("flow_run", "flow_id")} in (${db
            .selectFrom("flow")
            .select("flow.id")
            .where(flowFilterCond(ctx, f))})`,
      ),
      when(body.task_runs, (f) => flowRunHasTaskRun(ctx, f)),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Task runs
// ---------------------------------------------------------------------------------------------

/** `is_null_` left out is Prefect's default, false (`null` sets nothing). */
function taskRunFlowRunIdCond(ctx: Ctx, f: NonNullable<TaskRunFilter["flow_run_id"]>): Cond {
  const flowRunId = col("task_run", "flow_run_id");
  const isNullCriterion = f.is_null_ === undefined ? false : f.is_null_;
  if (isNullCriterion === true) return combine([isNull(flowRunId, true)], f.operator);
  if (isNullCriterion === false && f.any_ == null) return isNull(flowRunId, false);
  return combine([when(f.any_, (v) => inList(ctx, flowRunId, v))], f.operator);
}

function taskRunFilterCond(ctx: Ctx, f: TaskRunFilter): Cond {
  const c = (column: string) => col("task_run", column);
  const subflowParents = ctx.database.db
    .selectFrom("flow_run")
    .select("flow_run.parent_task_run_id")
    .where("flow_run.parent_task_run_id", "is not", null);
  return combine(
    [
      when(f.id, (x) => combine([when(x.any_, (v) => inList(ctx, c("id"), v))])),
      when(f.name, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, c("name"), v)),
          when(x.like_, (v) => like(ctx, c("name"), v)),
        ]),
      ),
      when(f.tags, (x) => tagsCond(ctx, "task_run", x)),
      when(f.state, (x) =>
        combine(
          [
            when(x.type?.any_, (v) => inList(ctx, c("state_type"), v)),
            when(x.name?.any_, (v) => inList(ctx, c("state_name"), v)),
          ],
          x.operator,
        ),
      ),
      when(f.start_time, (x) => timeCond(c("start_time"), x)),
      when(f.end_time, (x) => timeCond(c("end_time"), x)),
      when(f.expected_start_time, (x) => timeCond(c("expected_start_time"), x)),
      when(f.subflow_runs?.exists_, (v) =>
        v
          ? sql<SqlBool>`${c("id")} in (${subflowParents})`
          : sql<SqlBool>`${c("id")} not in (${subflowParents})`,
      ),
      when(f.flow_run_id, (x) => taskRunFlowRunIdCond(ctx, x)),
    ],
    f.operator,
  );
}

/**
 * What selects task runs: the task-run listings' criteria, and the work pools and queues of their
 * flow runs that `POST /ui/task_runs/dashboard/counts` takes.
 */
type TaskRunsWhere = TaskRunsQuery & Pick<FlowRunsQuery, "work_pools" | "work_pool_queues">;

function taskRunWhere(ctx: Ctx, body: TaskRunsWhere): Cond {
  const { db } = ctx.database;
  const joinsFlowRun =
    body.flow_runs != null ||
    body.flows != null ||
    body.deployments != null ||
    body.work_pools != null ||
    body.work_pool_queues != null;
  return allOf(
    present([
      when(body.task_runs, (f) => taskRunFilterCond(ctx, f)),
      joinsFlowRun
        ? sql<SqlBool>`${col("task_run", "flow_run_id")} in (${db
            .selectFrom("flow_run")
            .select("flow_run.id")
            .where(
              flowRunWhere(ctx, {
                flow_runs: body.flow_runs,
                flows: body.flows,
                deployments: body.deployments,
                work_pools: body.work_pools,
                work_pool_queues: body.work_pool_queues,
              }),
            )})`
        : undefined,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Deployments
// ---------------------------------------------------------------------------------------------

function deploymentFilterCond(ctx: Ctx, f: DeploymentFilter): Cond {
  const c = (column: string) => col("deployment", column);
  return combine(
    [
      when(f.id, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, c("id"), v)),
          when(x.not_any_, (v) => notInList(ctx, c("id"), v)),
        ]),
      ),
      when(f.name, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, c("name"), v)),
          when(x.like_, (v) => like(ctx, c("name"), v)),
        ]),
      ),
      when(f.flow_or_deployment_name, (x) =>
        combine([
          when(x.like_, (v) =>
            anyOf([
              like(ctx, c("name"), v),
              sql<SqlBool>`${c("flow_id")} in (${ctx.database.db
                .selectFrom("flow")
                .select("flow.id")
                .where(like(ctx, col("flow", "name"), v))})`,
            ]),
          ),
        ]),
      ),
      when(f.paused, (x) =>
        combine([
          when(x.eq_, (v) => sql<SqlBool>`${c("paused")} = ${ctx.database.dialect.toBool(v)}`),
        ]),
      ),
      when(f.tags, (x) => tagsCond(ctx, "deployment", x)),
      when(f.work_queue_name, (x) =>
        combine([when(x.any_, (v) => inList(ctx, c("work_queue_name"), v))]),
      ),
      // `concurrency_limit` is deprecated in Prefect, and ignored there
    ],
    f.operator,
  );
}

/** The flow run belongs to a deployment matching `f` (Prefect: EXISTS deployment). */
function flowRunHasDeployment(ctx: Ctx, f: DeploymentFilter): Cond {
  return sql<SqlBool>`${col("flow_run", "deployment_id")} in (${ctx.database.db
    .selectFrom("deployment")
    .select("deployment.id")
    .where(deploymentFilterCond(ctx, f))})`;
}

function deploymentWhere(ctx: Ctx, body: DeploymentsQuery): Cond {
  const { db } = ctx.database;
  return allOf(
    present([
      when(body.deployments, (f) => deploymentFilterCond(ctx, f)),
      inWorkQueue(ctx, col("deployment", "work_queue_id"), body.work_pools, body.work_pool_queues),
      when(
        body.flows,
        (f) =>
          sql<SqlBool>`${col("deployment", "flow_id")} in (${db
            .selectFrom("flow")
            .select("flow.id")
            .where(flowFilterCond(ctx, f))})`,
      ),
      body.flow_runs || body.task_runs
        ? sql<SqlBool>`${col("deployment", "id")} in (${db
            .selectFrom("flow_run")
            .select("flow_run.deployment_id")
            .where(
              allOf(
                present([
                  when(body.flow_runs, (f) => flowRunFilterCond(ctx, f)),
                  when(body.task_runs, (f) => flowRunHasTaskRun(ctx, f)),
                ]),
              ),
            )})`
        : undefined,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

function textSearchCond(ctx: Ctx, query: string): Cond {
  const { include, exclude, required } = parseTextQuery(query);
  const text = sql`(coalesce(${col("log", "message")}, '') || ' ' || coalesce(${col("log", "name")}, ''))`;
  const contains = (term: string) =>
    sql<SqlBool>`${text} ${sql.raw(ctx.ilike)} ${`%${term.replace(/[\\%_]/g, "\\$&")}%`} escape '\\'`;
  return allOf([
    ...(include.length ? [anyOf(include.map(contains))] : []),
    ...exclude.map((t) => sql<SqlBool>`not ${contains(t)}`),
    ...required.map(contains),
  ]);
}

function logFilterCond(ctx: Ctx, f: LogFilter): Cond {
  const c = (column: string) => col("log", column);
  return combine(
    [
      when(f.level, (x) =>
        combine([
          when(x.ge_, (v) => sql<SqlBool>`${c("level")} >= ${v}`),
          when(x.le_, (v) => sql<SqlBool>`${c("level")} <= ${v}`),
        ]),
      ),
      when(f.timestamp, (x) => timeCond(c("timestamp"), x)),
      when(f.flow_run_id, (x) => combine([when(x.any_, (v) => inList(ctx, c("flow_run_id"), v))])),
      when(f.task_run_id, (x) =>
        combine([
          when(x.any_, (v) => inList(ctx, c("task_run_id"), v)),
          when(x.is_null_, (v) => isNull(c("task_run_id"), v)),
        ]),
      ),
      when(f.text, (x) => textSearchCond(ctx, x.query)),
    ],
    f.operator,
  );
}

// ---------------------------------------------------------------------------------------------
// Sorts: DESC puts nulls last, ASC first (the existing list queries' order)
// ---------------------------------------------------------------------------------------------

type Direction = "asc" | "desc";
type Sort = readonly [Expression<unknown>, Direction];

const FLOW_SORTS: Record<FlowSort, Sort> = {
  CREATED_DESC: [col("flow", "created"), "desc"],
  UPDATED_DESC: [col("flow", "updated"), "desc"],
  NAME_ASC: [col("flow", "name"), "asc"],
  NAME_DESC: [col("flow", "name"), "desc"],
};

function runSorts(table: "flow_run" | "task_run") {
  return {
    ID_DESC: [col(table, "id"), "desc"],
    EXPECTED_START_TIME_ASC: [col(table, "expected_start_time"), "asc"],
    EXPECTED_START_TIME_DESC: [col(table, "expected_start_time"), "desc"],
    NAME_ASC: [col(table, "name"), "asc"],
    NAME_DESC: [col(table, "name"), "desc"],
    NEXT_SCHEDULED_START_TIME_ASC: [col(table, "next_scheduled_start_time"), "asc"],
    END_TIME_DESC: [col(table, "end_time"), "desc"],
  } as const satisfies Record<TaskRunSort, Sort>;
}

const START_OR_EXPECTED = sql`coalesce(${col("flow_run", "start_time")}, ${col("flow_run", "expected_start_time")})`;
const FLOW_RUN_SORTS: Record<FlowRunSort, Sort> = {
  ...runSorts("flow_run"),
  START_TIME_ASC: [START_OR_EXPECTED, "asc"],
  START_TIME_DESC: [START_OR_EXPECTED, "desc"],
};
const TASK_RUN_SORTS: Record<TaskRunSort, Sort> = runSorts("task_run");
const DEPLOYMENT_SORTS: Record<DeploymentSort, Sort> = {
  CREATED_DESC: [col("deployment", "created"), "desc"],
  UPDATED_DESC: [col("deployment", "updated"), "desc"],
  NAME_ASC: [col("deployment", "name"), "asc"],
  NAME_DESC: [col("deployment", "name"), "desc"],
};
const LOG_SORTS: Record<LogSort, Sort> = {
  TIMESTAMP_ASC: [col("log", "timestamp"), "asc"],
  TIMESTAMP_DESC: [col("log", "timestamp"), "desc"],
};

function sortOf([expr, direction]: Sort): [
  Expression<unknown>,
  OrderByModifiersCallbackExpression,
] {
  return [expr, placed(direction)];
}

/** DESC puts nulls last, ASC first. */
function placed(direction: Direction): OrderByModifiersCallbackExpression {
  return (ob) => (direction === "desc" ? ob.desc().nullsLast() : ob.asc().nullsFirst());
}

// ---------------------------------------------------------------------------------------------
// What the resources' queries build on: each body's WHERE condition and ORDER BY
// ---------------------------------------------------------------------------------------------

type OrderBy = readonly [Expression<unknown>, OrderByModifiersCallbackExpression];

/** How many rows of `table` a WHERE condition selects (each resource's `count`). */
export async function countWhere(
  database: Database,
  table: "flow" | "flow_run" | "task_run" | "deployment",
  where: Cond,
): Promise<number> {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(where)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** ORDER BY of a sort, then the table's id in the same direction (a stable order). */
function orderOf(table: Table, sort: Sort): OrderBy[] {
  return [sortOf(sort), [col(table, "id"), placed(sort[1])]];
}

/** The WHERE condition of a flows query on `flow`. */
export function flowsWhere(database: Database, query: FlowsQuery): Cond {
  return flowWhere(contextOf(database), query);
}
export function flowsOrder(sort: FlowSort): OrderBy[] {
  return orderOf("flow", FLOW_SORTS[sort]);
}

/** The WHERE condition of a flow-runs query on `flow_run`. */
export function flowRunsWhere(database: Database, query: FlowRunsQuery): Cond {
  return flowRunWhere(contextOf(database), query);
}
export function flowRunsOrder(sort: FlowRunSort): OrderBy[] {
  return orderOf("flow_run", FLOW_RUN_SORTS[sort]);
}

/** The WHERE condition of a task-runs query on `task_run`. */
export function taskRunsWhere(database: Database, query: TaskRunsWhere): Cond {
  return taskRunWhere(contextOf(database), query);
}
export function taskRunsOrder(sort: TaskRunSort): OrderBy[] {
  return orderOf("task_run", TASK_RUN_SORTS[sort]);
}

/** The WHERE condition of a deployments query on `deployment`. */
export function deploymentsWhere(database: Database, query: DeploymentsQuery): Cond {
  return deploymentWhere(contextOf(database), query);
}
export function deploymentsOrder(sort: DeploymentSort): OrderBy[] {
  return orderOf("deployment", DEPLOYMENT_SORTS[sort]);
}

/** The WHERE condition of a logs query on `log`. */
export function logsWhere(database: Database, query: LogsQuery): Cond {
  return query.logs ? logFilterCond(contextOf(database), query.logs) : TRUE;
}
export function logsOrder(sort: LogSort): OrderBy[] {
  return orderOf("log", LOG_SORTS[sort]);
}

// ---------------------------------------------------------------------------------------------
// The building blocks, for resources whose filter SQL sits in a file of its own
// (`variable-filter-sql.ts`, `artifact-filter-sql.ts`)
// ---------------------------------------------------------------------------------------------

export type { Cond, Ctx as FilterContext, OrderBy, Sort as SortSpec, Table as FilterTable };
export {
  col,
  combine,
  contextOf,
  FALSE,
  inList,
  isNull,
  like,
  notInList,
  orderOf,
  TRUE,
  tagsCond,
  when,
};

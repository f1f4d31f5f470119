/**
 * Storage queries for variables (Prefect's `models/variables.py`): rows by id and by name,
 * insert, change, delete, and listings through the variable filter (`storage/variable-filter-sql.ts`).
 */
import type { Selectable } from "kysely";
import type {
  Variable,
  VariableSort,
  VariablesQuery,
  VariableUpdate,
} from "../../core/variables.ts";
import type { Database, Db } from "../../storage/database.ts";
import type { StorageDialect } from "../../storage/dialect.ts";
import type { VariableTable } from "../../storage/schema.ts";
import { variablesOrder, variablesWhere } from "../../storage/variable-filter-sql.ts";

function fromRow(d: StorageDialect, r: Selectable<VariableTable>): Variable {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    value: (r.value === null ? null : d.fromJson(r.value)) as Variable["value"],
    tags: d.fromJson<string[]>(r.tags) ?? [],
  };
}

export async function insertVariable(database: Database, trx: Db, v: Variable): Promise<void> {
  const d = database.dialect;
  await trx
    .insertInto("variable")
    .values({ ...v, value: d.toJson(v.value), tags: d.toJson(v.tags) })
    .execute();
}

export async function readVariable(
  database: Database,
  trx: Db,
  by: { id: string } | { name: string },
): Promise<Variable | null> {
  let query = trx.selectFrom("variable").selectAll();
  query = "id" in by ? query.where("id", "=", by.id) : query.where("name", "=", by.name);
  const row = await query.executeTakeFirst();
  return row ? fromRow(database.dialect, row) : null;
}

/** Change the variable `by` names; false when there is none. */
export async function updateVariable(
  database: Database,
  trx: Db,
  by: { id: string } | { name: string },
  update: VariableUpdate,
  now: string,
): Promise<boolean> {
  const d = database.dialect;
  let query = trx.updateTable("variable").set({
    updated: now,
    ...(update.name !== undefined ? { name: update.name } : {}),
    ...(update.value !== undefined ? { value: d.toJson(update.value) } : {}),
    ...(update.tags !== undefined ? { tags: d.toJson(update.tags) } : {}),
  });
  query = "id" in by ? query.where("id", "=", by.id) : query.where("name", "=", by.name);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Delete the variable `by` names; false when there is none. */
export async function deleteVariable(
  trx: Db,
  by: { id: string } | { name: string },
): Promise<boolean> {
  let query = trx.deleteFrom("variable");
  query = "id" in by ? query.where("id", "=", by.id) : query.where("name", "=", by.name);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function filterVariables(
  database: Database,
  query: VariablesQuery & { sort: VariableSort; limit: number; offset: number },
): Promise<Variable[]> {
  let select = database.db
    .selectFrom("variable")
    .selectAll()
    .where(variablesWhere(database, query));
  for (const [expr, modifiers] of variablesOrder(query.sort)) {
    select = select.orderBy(expr, modifiers);
  }
  const rows = await select.limit(query.limit).offset(query.offset).execute();
  return rows.map((r) => fromRow(database.dialect, r));
}

export async function countVariables(database: Database, query: VariablesQuery): Promise<number> {
  const row = await database.db
    .selectFrom("variable")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(variablesWhere(database, query))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

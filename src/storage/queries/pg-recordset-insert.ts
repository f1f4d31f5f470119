/**
 * PostgreSQL bulk inserts as one short statement per batch: the rows travel as a single JSON
 * parameter and `json_to_recordset` expands them, typed by the table's own column types.
 *
 * A multi-row `VALUES` list costs PostgreSQL a parse, a bind and a plan proportional to the batch
 * (and the client one parameter per cell); this costs one parameter and one small statement, so
 * a batch of several thousand rows goes in at about twice the speed. Statements are built from
 * the query Kysely compiles for one row, so the column list and `ON CONFLICT` clause are written
 * once, with Kysely.
 */
import { type Compilable, CompiledQuery, sql } from "kysely";
import type { Database } from "../database.ts";

/** Rows above this go in as several statements (bounds the size of one JSON parameter). */
export const MAX_RECORDSET_ROWS = 10_000;

/** Column name → SQL type (`format_type`), per database and table. */
const columnTypes = new WeakMap<Database, Map<string, Promise<ReadonlyMap<string, string>>>>();

function readColumnTypes(database: Database, table: string): Promise<ReadonlyMap<string, string>> {
  let tables = columnTypes.get(database);
  if (!tables) {
    tables = new Map();
    columnTypes.set(database, tables);
  }
  let types = tables.get(table);
  if (!types) {
    types = sql<{ name: string; type: string }>`
      select attname as name, format_type(atttypid, atttypmod) as type
      from pg_attribute
      where attrelid = to_regclass(${table}) and attnum > 0 and not attisdropped`
      .execute(database.db)
      .then((r) => new Map(r.rows.map((c) => [c.name, c.type])));
    // a failed lookup is retried by the next batch rather than cached
    types.catch(() => tables?.delete(table));
    tables.set(table, types);
  }
  return types;
}

/** One insert statement's SQL with its JSON parameter as `$<param>`, and the row keys it reads. */
interface RecordsetStatement {
  sql: string;
  columns: readonly string[];
}

const statements = new WeakMap<Database, Map<string, RecordsetStatement>>();

/**
 * The statement for `query` (a Kysely insert of one `sample` row, `VALUES ($1, …)`) rewritten to
 * read its rows from `json_to_recordset($param)`. Cached per database and `key`.
 */
export async function recordsetStatement<Row extends object>(
  database: Database,
  key: string,
  query: (rows: Row[]) => Compilable,
  sample: Row,
  param = 1,
): Promise<RecordsetStatement> {
  let cache = statements.get(database);
  if (!cache) {
    cache = new Map();
    statements.set(database, cache);
  }
  const cacheKey = `${key}#${param}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const single = query([sample]).compile();
  const columns = Object.keys(sample);
  const table = /^insert into "([^"]+)"/i.exec(single.sql)?.[1];
  const values = /values \((\$\d+(?:, \$\d+)*)\)/i.exec(single.sql);
  if (!table || !values || single.parameters.length !== columns.length) {
    throw new Error(`bulk insert ${key}: cannot rewrite the compiled statement`);
  }
  const types = await readColumnTypes(database, table);
  const select: string[] = [];
  const record: string[] = [];
  for (const column of columns) {
    const type = types.get(column);
    if (!type) throw new Error(`bulk insert ${key}: table ${table} has no column ${column}`);
    const name = `"${column}"`;
    // JSON columns arrive as JSON text (rows hold them serialized); parse them once, here
    const isJson = type === "json" || type === "jsonb";
    record.push(`${name} ${isJson ? "text" : type}`);
    select.push(isJson ? `"_r".${name}::${type}` : `"_r".${name}`);
  }
  const from = `select ${select.join(", ")} from json_to_recordset($${param}::json) as "_r"(${record.join(", ")})`;
  const statement = {
    sql: `${single.sql.slice(0, values.index)}${from}${single.sql.slice(values.index + values[0].length)}`,
    columns,
  };
  cache.set(cacheKey, statement);
  return statement;
}

/**
 * A compiled insert of `rows` through `recordsetStatement`. Keys a statement does not name are
 * ignored; a missing or `undefined` value is NULL.
 */
export async function recordsetInsert<Row extends object>(
  database: Database,
  key: string,
  query: (rows: Row[]) => Compilable,
  rows: readonly Row[],
): Promise<CompiledQuery> {
  const statement = await recordsetStatement(database, key, query, rows[0] as Row);
  return CompiledQuery.raw(statement.sql, [JSON.stringify(rows)]);
}

/**
 * PostgreSQL bulk inserts as one short statement per batch, with the rows sent column by column:
 * each column is one array parameter, expanded by `unnest`, and a column holding the same value
 * in every row of the batch (the flow run of a `.map()`'s task runs, their policy, a batch's
 * `created`) is one scalar parameter instead.
 *
 * Compared with a multi-row `VALUES` list this is one small statement to parse and plan whatever
 * the batch size, and one parameter per column rather than per cell. Compared with the rows as one
 * JSON document it sends about half the bytes (no key names, no repeated values) and spares
 * PostgreSQL parsing that document, which is most of what a batch of trivial task runs costs it.
 * A JSON column goes as one JSON array of its values, so its texts are not escaped a second time.
 *
 * Statements are built from the query Kysely compiles for one row, so the column list and the
 * `ON CONFLICT` clause are written once, with Kysely.
 */
import { type Compilable, CompiledQuery, sql } from "kysely";
import type { Database } from "./database.ts";

/** Rows above this go in as several statements (bounds the size of one statement's arrays). */
export const MAX_INSERT_ROWS = 10_000;

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

/** One column of an insert: its name, its SQL type, and whether it holds JSON. */
interface Column {
  name: string;
  quoted: string;
  type: string;
  json: boolean;
}

/** The compiled one-row insert split around its `VALUES (…)`, with the table's columns. */
interface InsertTemplate {
  head: string;
  tail: string;
  columns: readonly Column[];
}

const templates = new WeakMap<Database, Map<string, InsertTemplate>>();

async function insertTemplate<Row extends object>(
  database: Database,
  key: string,
  query: (rows: Row[]) => Compilable,
  sample: Row,
): Promise<InsertTemplate> {
  let cache = templates.get(database);
  if (!cache) {
    cache = new Map();
    templates.set(database, cache);
  }
  const cached = cache.get(key);
  if (cached) return cached;
  const single = query([sample]).compile();
  const names = Object.keys(sample);
  const table = /^insert into "([^"]+)"/i.exec(single.sql)?.[1];
  const values = /values \((\$\d+(?:, \$\d+)*)\)/i.exec(single.sql);
  if (!table || !values || single.parameters.length !== names.length || names.length === 0) {
    throw new Error(`bulk insert ${key}: cannot rewrite the compiled statement`);
  }
  const types = await readColumnTypes(database, table);
  const columns = names.map((name) => {
    const type = types.get(name);
    if (!type) throw new Error(`bulk insert ${key}: table ${table} has no column ${name}`);
    return { name, quoted: `"${name}"`, type, json: type === "json" || type === "jsonb" };
  });
  const template = {
    head: single.sql.slice(0, values.index),
    tail: single.sql.slice(values.index + values[0].length),
    columns,
  };
  cache.set(key, template);
  return template;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * `values` as an array literal. JSON's array syntax is PostgreSQL's once the brackets are braces:
 * strings double-quoted with `"` and `\` escaped, numbers and booleans bare, `null` read as NULL.
 * Only JSON's escapes of control characters (`\n`, `\u0001`, …) mean something else to
 * PostgreSQL, so a column holding one is written element by element.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  const json = JSON.stringify(values);
  if (json.includes("\\") && values.some((v) => typeof v === "string" && CONTROL.test(v))) {
    return `{${values.map(element).join(",")}}`;
  }
  return `{${json.slice(1, -1)}}`;
}

/** One element of an array literal, for values JSON would escape differently. */
function element(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `"${String(value).replace(/["\\]/g, "\\$&")}"`;
}

function columnValues(rows: readonly object[], name: string): unknown[] {
  const values = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = (rows[i] as Record<string, unknown>)[name];
  return values;
}

/** Whether every row holds the same value in `name` (missing and `undefined` count as NULL). */
function isConstant(rows: readonly object[], name: string): boolean {
  const first = (rows[0] as Record<string, unknown>)[name] ?? null;
  for (let i = 1; i < rows.length; i++) {
    if (((rows[i] as Record<string, unknown>)[name] ?? null) !== first) return false;
  }
  return true;
}

/**
 * The insert of `rows` (all with the keys of the first) as SQL whose parameters are numbered from
 * `firstParam`, and those parameters. Keys the query does not name are ignored; a missing or
 * `undefined` value is NULL. JSON columns hold JSON text.
 */
export async function arrayInsertStatement<Row extends object>(
  database: Database,
  key: string,
  query: (rows: Row[]) => Compilable,
  rows: readonly Row[],
  firstParam = 1,
): Promise<{ sql: string; parameters: unknown[] }> {
  const template = await insertTemplate(database, key, query, rows[0] as Row);
  const parameters: unknown[] = [];
  const select: string[] = [];
  const sources: string[] = [];
  const aliases: string[] = [];
  template.columns.forEach((column, i) => {
    // JSON travels as text and is parsed once, by the cast
    const type = column.json ? "text" : column.type;
    const cast = column.json ? `::${column.type}` : "";
    const param = `$${firstParam + parameters.length}`;
    // the first column always goes as an array: it gives the statement its row count
    if (i > 0 && isConstant(rows, column.name)) {
      parameters.push((rows[0] as Record<string, unknown>)[column.name] ?? null);
      select.push(`${param}::${type}${cast}`);
      return;
    }
    const values = columnValues(rows, column.name);
    aliases.push(column.quoted);
    if (column.json && values.every((v) => typeof v === "string")) {
      // JSON texts with no SQL NULL among them: one JSON array of them, spared a second escaping
      parameters.push(`[${values.join(",")}]`);
      sources.push(`json_array_elements(${param}::json)`);
      select.push(`"_u".${column.quoted}${column.type === "json" ? "" : cast}`);
      return;
    }
    parameters.push(arrayLiteral(values));
    sources.push(`unnest(${param}::${type}[])`);
    select.push(`"_u".${column.quoted}${cast}`);
  });
  // the columns side by side, row i of each making row i of the insert
  const from = `select ${select.join(", ")} from rows from (${sources.join(", ")}) as "_u"(${aliases.join(", ")})`;
  return { sql: `${template.head}${from}${template.tail}`, parameters };
}

/** A compiled insert of `rows` through `arrayInsertStatement`. */
export async function arrayInsert<Row extends object>(
  database: Database,
  key: string,
  query: (rows: Row[]) => Compilable,
  rows: readonly Row[],
): Promise<CompiledQuery> {
  const statement = await arrayInsertStatement(database, key, query, rows);
  return CompiledQuery.raw(statement.sql, statement.parameters);
}

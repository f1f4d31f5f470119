/**
 * Bulk inserts written once with Kysely and executed two ways: on PostgreSQL as multi-row
 * statements; on SQLite as one cached prepared statement run per row inside one native
 * transaction (far cheaper than compiling and preparing a large multi-row statement per batch).
 */
import type { Statement } from "better-sqlite3";
import { type Compilable, CompiledQuery } from "kysely";
import type { Database } from "../database.ts";

const statements = new WeakMap<object, Map<string, { stmt: Statement; columns: string[] }>>();

/** One insert of a batch: the query for some rows, and the rows (all with the same keys). */
export interface BulkInsert<Row extends object> {
  /** A stable name for caching the SQLite statement. */
  key: string;
  rows: readonly Row[];
  /** Columns per row, for chunking under the dialect's parameter limit. */
  columnCount: number;
  query: (rows: Row[]) => Compilable;
}

/** SQLite: the insert of one row, prepared once per database and `op.key`, and its columns. */
export function sqliteStatement<Row extends object>(
  database: Database,
  op: BulkInsert<Row>,
  sample: Row,
) {
  const native = database.native;
  if (!native) throw new Error("SQLite native connection missing");
  let cache = statements.get(native);
  if (!cache) {
    cache = new Map();
    statements.set(native, cache);
  }
  let entry = cache.get(op.key);
  if (!entry) {
    const compiled = op.query([sample]).compile();
    const columns = Object.keys(sample);
    if (compiled.parameters.length !== columns.length) {
      throw new Error(
        `bulk insert ${op.key}: expected ${columns.length} parameters, got ${compiled.parameters.length}`,
      );
    }
    entry = { stmt: native.prepare(compiled.sql), columns };
    cache.set(op.key, entry);
  }
  return entry;
}

/** Run several bulk inserts in one transaction. */
export async function runBulkInserts(
  database: Database,
  ops: readonly BulkInsert<object>[],
): Promise<void> {
  const work = ops.filter((op) => op.rows.length > 0);
  if (work.length === 0) return;
  if (database.native) {
    const native = database.native;
    await database.db.connection().execute(async () => {
      const prepared = work.map((op) => ({
        op,
        ...sqliteStatement(database, op, op.rows[0] as object),
      }));
      native.transaction(() => {
        for (const { op, stmt, columns } of prepared) {
          const n = columns.length;
          const params = new Array<unknown>(n);
          for (const row of op.rows) {
            const r = row as Record<string, unknown>;
            for (let i = 0; i < n; i++) params[i] = r[columns[i] as string];
            stmt.run(params);
          }
        }
      })();
    });
    return;
  }
  await database.db.transaction().execute(async (trx) => {
    for (const op of work) {
      const chunk = Math.max(1, Math.floor(database.dialect.maxParameters / op.columnCount));
      for (let i = 0; i < op.rows.length; i += chunk) {
        const rows = op.rows.slice(i, i + chunk);
        const { sql, columns } = multiRowStatement(op, rows.length, rows[0] as object);
        const params = new Array<unknown>(rows.length * columns.length);
        let k = 0;
        for (const row of rows) {
          const r = row as Record<string, unknown>;
          for (const c of columns) params[k++] = r[c];
        }
        await trx.executeQuery(CompiledQuery.raw(sql, params));
      }
    }
  });
}

const multiRow = new Map<string, { sql: string; columns: string[] }>();

/**
 * PostgreSQL: the query compiled once for one row, with its VALUES tuple repeated for `n` rows
 * (placeholders renumbered). Kysely builds the statement; we only avoid rebuilding its tree for
 * every batch, which costs more than the database work for large batches.
 */
export function multiRowStatement(op: BulkInsert<object>, n: number, sample: object) {
  const cacheKey = `${op.key}:${n}`;
  let entry = multiRow.get(cacheKey);
  if (!entry) {
    const single = op.query([sample]).compile();
    const columns = Object.keys(sample);
    const m = /values \((\$\d+(?:, \$\d+)*)\)/i.exec(single.sql);
    if (!m || single.parameters.length !== columns.length) {
      throw new Error(`bulk insert ${op.key}: cannot expand the compiled statement`);
    }
    const width = columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < n; r++) {
      const placeholders: string[] = [];
      for (let c = 1; c <= width; c++) placeholders.push(`$${r * width + c}`);
      tuples.push(`(${placeholders.join(", ")})`);
    }
    const sql = `${single.sql.slice(0, m.index)}values ${tuples.join(", ")}${single.sql.slice(m.index + m[0].length)}`;
    entry = { sql, columns };
    if (multiRow.size > 200) multiRow.clear();
    multiRow.set(cacheKey, entry);
  }
  return entry;
}

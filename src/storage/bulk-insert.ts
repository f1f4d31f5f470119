/**
 * Bulk inserts written once with Kysely and executed two ways: on PostgreSQL with the rows as one
 * array parameter per column (`pg-array-insert.ts`); on SQLite as one cached prepared statement
 * run per row inside one native transaction (far cheaper than compiling and preparing a large
 * multi-row statement per batch).
 */
import type { Statement } from "better-sqlite3";
import { type Compilable, CompiledQuery } from "kysely";
import type { Database } from "./database.ts";
import { arrayInsert, arrayInsertStatement, MAX_INSERT_ROWS } from "./pg-array-insert.ts";

const statements = new WeakMap<object, Map<string, { stmt: Statement; columns: string[] }>>();

/** One insert of a batch: the query for some rows, and the rows (all with the same keys). */
export interface BulkInsert<Row extends object> {
  /** A stable name for caching the SQLite statement. */
  key: string;
  rows: readonly Row[];
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
  await runArrayInserts(database, work);
}

/**
 * PostgreSQL: each op's rows as column arrays (`pg-array-insert.ts`). A batch that fits is one
 * statement — the ops as data-modifying CTEs, atomic without a transaction's round trips, so it is
 * on its way to the server as soon as it is issued; larger batches go in chunks inside one
 * transaction.
 */
async function runArrayInserts(
  database: Database,
  work: readonly BulkInsert<object>[],
): Promise<void> {
  if (work.every((op) => op.rows.length <= MAX_INSERT_ROWS)) {
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const op of work) {
      const statement = await arrayInsertStatement(
        database,
        op.key,
        op.query,
        op.rows,
        params.length + 1,
      );
      parts.push(statement.sql);
      params.push(...statement.parameters);
    }
    const last = parts.pop() as string;
    const ctes = parts.map((part, i) => `"_op${i}" as (${part})`);
    const text = ctes.length > 0 ? `with ${ctes.join(", ")} ${last}` : last;
    await database.db.executeQuery(CompiledQuery.raw(text, params));
    return;
  }
  await database.db.transaction().execute(async (trx) => {
    for (const op of work) {
      for (let i = 0; i < op.rows.length; i += MAX_INSERT_ROWS) {
        const rows = op.rows.slice(i, i + MAX_INSERT_ROWS);
        await trx.executeQuery(await arrayInsert(database, op.key, op.query, rows));
      }
    }
  });
}

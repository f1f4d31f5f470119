/**
 * The pool Kysely draws PostgreSQL connections from, made to survive connections the database has
 * ended (a restart, an administrator's `pg_terminate_backend`).
 *
 * `pg`'s pool hears of such a loss on an idle connection only when the event loop gets to it; a
 * query that takes the connection before then fails with the database's reason for ending it,
 * and an API request would answer 500. Here the first statement of a checkout that fails that way
 * — before anything was done on the connection, so nothing ran there — is sent again on another
 * connection (until one is alive), which the rest of the checkout (a transaction's later
 * statements) then uses.
 */
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";

/** SQLSTATEs of a connection the server ended: admin_shutdown, crash_shutdown. */
const ENDED_BY_SERVER = new Set(["57P01", "57P02"]);

/** Whether `error` says the connection was gone before the statement could run. */
function isConnectionEnded(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && ENDED_BY_SERVER.has(code)) return true;
  return typeof message === "string" && /is not queryable/.test(message);
}

export function resilientPool(pool: pg.Pool): PostgresPool {
  return {
    connect: async () => checkout(pool, await pool.connect()),
    end: () => pool.end(),
  };
}

function checkout(pool: pg.Pool, first: pg.PoolClient): PostgresPoolClient {
  let client = first;
  let used = false;
  function query<R>(
    sql: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    const retry = !used;
    used = true;
    if (typeof sqlOrCursor !== "string") {
      return client.query(sqlOrCursor as never) as unknown as PostgresCursor<R>;
    }
    const run = () =>
      client.query(sqlOrCursor, parameters as unknown[]) as unknown as Promise<
        PostgresQueryResult<R>
      >;
    if (!retry) return run();
    // every idle connection may have been ended at once: up to one try more than the pool holds
    const again = async (error: unknown, attempt: number): Promise<PostgresQueryResult<R>> => {
      if (!isConnectionEnded(error) || attempt > (pool.options.max ?? 10)) throw error;
      // the ended connection leaves the pool for good; the checkout goes on with another
      client.release(error as Error);
      client = await pool.connect();
      return run().catch((next: unknown) => again(next, attempt + 1));
    };
    return run().catch((error: unknown) => again(error, 1));
  }
  return { query, release: () => client.release() };
}

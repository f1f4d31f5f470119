/** Opening a database: SQLite for a file path, PostgreSQL for `postgresql://`, migrated unless told not to. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import type pg from "pg";
import { DatabaseUnreachableError, ValidationError } from "../core/errors.ts";
import { normalizeIso } from "../core/time.ts";
import type { Database } from "./database.ts";
import { isPostgresUrl, redactUrl } from "./database-url.ts";
import { postgresDialect, sqliteDialect } from "./dialect.ts";
import { migrate } from "./migrate.ts";
import { resilientPool } from "./pg-resilient-pool.ts";
import type { Tables } from "./schema.ts";

export interface OpenDatabaseOptions {
  /** `postgresql://…` or a SQLite file path (`sqlite:///path` and `sqlite+aiosqlite:///path` too). */
  url: string;
  /** Run migrations (default true). */
  migrate?: boolean;
}

/** Open (and migrate) the database at `url`: SQLite for a path, PostgreSQL for `postgresql://`. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const url = options.url;
  // each driver is loaded only when its database is opened: a process on SQLite never loads pg
  // (which loads Node's fetch implementation as it starts), nor one on PostgreSQL better-sqlite3
  const database = isPostgresUrl(url)
    ? await openPostgres(url)
    : openSqlite(sqlitePath(url), (await import("better-sqlite3")).default);
  if (options.migrate !== false) {
    try {
      await migrate(database);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

function sqlitePath(url: string): string {
  const m = /^sqlite(\+\w+)?:\/\/\/?(.*)$/.exec(url);
  if (m) {
    const rest = m[2] ?? "";
    return url.includes(":////") || rest.startsWith("/") ? `/${rest.replace(/^\/+/, "")}` : rest;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ValidationError(
      `unsupported database URL '${url}': use a SQLite file path or postgresql://user@host:port/db`,
    );
  }
  return url;
}

function openSqlite(path: string, BetterSqlite3: typeof import("better-sqlite3")): Database {
  let native: import("better-sqlite3").Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    native = new BetterSqlite3(path);
    native.pragma("journal_mode = WAL");
    native.pragma("synchronous = NORMAL");
    native.pragma("busy_timeout = 5000");
    // checkpoint the WAL every ~40 MB rather than every 4 MB: fewer stalls in bulk writes
    native.pragma("wal_autocheckpoint = 10000");
    native.pragma("foreign_keys = ON");
    // SQLite's lower() folds ASCII letters only: text search folds as JavaScript (and Python) do
    native.function("unicode_lower", { deterministic: true }, (text: unknown) =>
      typeof text === "string" ? text.toLowerCase() : text,
    );
  } catch (error) {
    throw new DatabaseUnreachableError(
      `cannot open the SQLite database at ${path}: ${(error as Error).message}. Check that the folder is writable or set PREFECT_HOME / PREFECT_API_DATABASE_CONNECTION_URL.`,
      { cause: error },
    );
  }
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: native }) });
  return {
    db,
    dialect: sqliteDialect,
    location: path,
    native,
    close: () => db.destroy(),
  };
}

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

function pgTimestampToIso(value: string): string {
  let v = value.replace(" ", "T");
  if (/[+-]\d\d$/.test(v)) v = `${v}:00`;
  return normalizeIso(v);
}

/** pg's type parsers, with timestamps as ISO 8601 text and 64-bit integers as numbers. */
function pgTypes(types: typeof pg.types) {
  return {
    getTypeParser(oid: number, format?: string): (value: string) => unknown {
      if (oid === TIMESTAMPTZ_OID) return pgTimestampToIso;
      if (oid === INT8_OID) return (v: string) => Number.parseInt(v, 10);
      return types.getTypeParser(oid, (format ?? "text") as "text");
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const { default: pg } = await import("pg");
  const connectionString = url.replace(/^postgres(ql)?\+\w+:/, "postgresql:");
  const pool = new pg.Pool({ connectionString, max: 10, types: pgTypes(pg.types) });
  // connections open now, each until PostgreSQL has seen it end
  const open = new Map<pg.Client, Promise<void>>();
  pool.on("connect", (client) => {
    open.set(
      client,
      new Promise((resolve) =>
        client.once("end", () => {
          open.delete(client);
          resolve();
        }),
      ),
    );
    client.query("SET TIME ZONE 'UTC'").catch(() => undefined);
  });
  // an idle connection lost (the server restarted, or ended it): the pool drops it and opens
  // another on demand; without a listener the loss would crash the process
  pool.on("error", () => undefined);
  const location = redactUrl(connectionString);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnreachableError(
      `cannot reach PostgreSQL at ${location}: ${(error as Error).message}. Is the server running, and does PREFECT_API_DATABASE_CONNECTION_URL name an existing database?`,
      { cause: error },
    );
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: resilientPool(pool) }) });
  return {
    db,
    dialect: postgresDialect,
    location,
    // the pool's end resolves once it has asked its connections to end: wait until they have
    close: async () => {
      const ending = [...open.values()];
      await db.destroy();
      await Promise.all(ending);
    },
  };
}

/** An open database as every query sees it: the Kysely handle plus the dialect adapter its queries need. */
import type BetterSqlite3 from "better-sqlite3";
import type { Kysely } from "kysely";
import type { StorageDialect } from "./dialect.ts";
import type { Tables } from "./schema.ts";

export type Db = Kysely<Tables>;

/** An open database: the Kysely handle plus the dialect adapter its queries need. */
export interface Database {
  readonly db: Db;
  readonly dialect: StorageDialect;
  /** A human-readable location (file path or URL without password). */
  readonly location: string;
  /**
   * SQLite only: the native connection under Kysely, for the bulk-write fast path. Use it only
   * inside `db.connection().execute(…)`, which holds the connection for you, and synchronously.
   */
  readonly native?: BetterSqlite3.Database;
  close(): Promise<void>;
}

export { sql } from "kysely";

/**
 * The dialect matrix for tests: every storage-backed suite runs on a real SQLite file and on a real
 * PostgreSQL database. PostgreSQL databases are cloned from a migrated template (one per schema
 * version), one per test, and dropped afterwards. `TEST_DIALECTS=sqlite` narrows the matrix for a
 * quick local run; otherwise an unreachable PostgreSQL fails the suite instead of skipping it.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Database } from "../../src/storage/database.ts";
import { postgresDialect } from "../../src/storage/dialect.ts";
import { MIGRATIONS } from "../../src/storage/migrations/index.ts";
import { openDatabase } from "../../src/storage/open-database.ts";

export type DialectName = "sqlite" | "postgres";

export const PG_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export const DIALECTS: DialectName[] = (process.env.TEST_DIALECTS ?? "sqlite,postgres")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is DialectName => s === "sqlite" || s === "postgres");

function pgUrlFor(dbName: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
}

function templateName(): string {
  const text = MIGRATIONS.map((m) => m.statements(postgresDialect.columnTypes).join(";")).join("|");
  return `prefect_ts_tpl_${createHash("sha1").update(text).digest("hex").slice(0, 12)}`;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for the tests and is not reachable at ${PG_ADMIN_URL} (${(error as Error).message}). Start it, or run with TEST_DIALECTS=sqlite for a SQLite-only run.`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await withAdmin(async (c) => {
    await c.query("SELECT pg_advisory_lock(727275)");
    try {
      const exists = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) {
        await c.query(`CREATE DATABASE ${name}`);
        const db = await openDatabase({ url: pgUrlFor(name) });
        await db.close();
      }
    } finally {
      await c.query("SELECT pg_advisory_unlock(727275)");
    }
  });
  return name;
}

export interface TestDatabase {
  database: Database;
  /** The URL a subprocess can use (`PREFECT_API_DATABASE_CONNECTION_URL`). */
  url: string;
  /** A scratch folder for PREFECT_HOME and files. */
  home: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database of the given dialect, plus a scratch home folder. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-test-"));
  if (dialect === "sqlite") {
    const url = join(home, "prefect.db");
    const database = await openDatabase({ url });
    return {
      database,
      url,
      home,
      dispose: async () => {
        await database.close();
        rmSync(home, { recursive: true, force: true });
      },
    };
  }
  const template = await ensureTemplate();
  const name = `prefect_ts_t_${randomBytes(6).toString("hex")}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = pgUrlFor(name);
  const database = await openDatabase({ url });
  return {
    database,
    url,
    home,
    dispose: async () => {
      await database.close();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

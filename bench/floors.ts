/** Floors measured in the same run as the figures they stand next to. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

/** Milliseconds of one better-sqlite3 WAL commit (synchronous=NORMAL): an insert in autocommit. */
export async function sqliteCommitMs(n = 2000): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "prefect-ts-floor-"));
  try {
    const db = new Database(join(dir, "floor.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec("create table t (id integer primary key, v text)");
    const ins = db.prepare("insert into t (v) values (?)");
    for (let i = 0; i < 200; i++) ins.run("warm");
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      ins.run(`x${i}`);
      await Promise.resolve();
    }
    const ms = (performance.now() - t0) / n;
    db.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Milliseconds of one PostgreSQL commit: an insert in autocommit over one connection, into an
 * ordinary table, so that each commit flushes the write-ahead log as a commit of runs does (a
 * temporary table's commits write none, and measured about 35% faster here).
 */
export async function postgresCommitMs(url: string, n = 1000): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const table = `prefect_ts_floor_${process.pid}`;
  try {
    await client.query(`create table ${table} (id serial primary key, v text)`);
    for (let i = 0; i < 50; i++) await client.query(`insert into ${table} (v) values ($1)`, ["w"]);
    const t0 = performance.now();
    for (let i = 0; i < n; i++)
      await client.query(`insert into ${table} (v) values ($1)`, [`x${i}`]);
    return (performance.now() - t0) / n;
  } finally {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  }
}

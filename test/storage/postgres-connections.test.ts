/**
 * PostgreSQL connections as a long-running server sees them: one ended by the database (a restart,
 * an administrator) does not take the process down, and closing the database leaves no
 * connection behind.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import {
  createTestDatabase,
  DIALECTS,
  PG_ADMIN_URL,
  type TestDatabase,
} from "../helpers/databases.ts";

const backends = async (admin: pg.Client, database: string) =>
  (
    await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [database],
    )
  ).rows.map((r) => r.pid);

describe("postgres connections", { skip: !DIALECTS.includes("postgres") }, () => {
  let t: TestDatabase;
  let admin: pg.Client;
  let name: string;
  before(async () => {
    t = await createTestDatabase("postgres");
    name = new URL(t.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
  });
  after(async () => {
    await admin.end();
    await t.dispose();
  });

  it("carries on after the database ends an idle connection", async () => {
    await sql`SELECT 1`.execute(t.database.db);
    const pids = await backends(admin, name);
    assert.ok(pids.length > 0);
    await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]);
    while ((await backends(admin, name)).length > 0);
    // the pool hears of the loss on its idle connections (an error event nobody listens to would
    // end this process) and opens a new one: at most a query racing that notice fails, with the
    // database's own reason, and the next one gets an answer
    const one = () => sql<{ one: number }>`SELECT 1 AS one`.execute(t.database.db);
    const first = await one().catch((error: unknown) => error as Error & { code?: string });
    if (first instanceof Error) assert.equal(first.code, "57P01");
    else assert.deepEqual(first.rows, [{ one: 1 }]);
    assert.deepEqual((await one()).rows, [{ one: 1 }]);
  });

  it("closes every connection before close resolves", async () => {
    const other = await createTestDatabase("postgres");
    const otherName = new URL(other.url).pathname.slice(1);
    await Promise.all(
      Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.01)`.execute(other.database.db)),
    );
    assert.ok((await backends(admin, otherName)).length > 0);
    await other.database.close();
    assert.deepEqual(await backends(admin, otherName), []);
    await admin.query(`DROP DATABASE ${otherName}`);
    rmSync(other.home, { recursive: true, force: true });
  });
});

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

  const one = () => sql<{ one: number }>`SELECT 1 AS one`.execute(t.database.db);
  const endConnections = async () => {
    const pids = await backends(admin, name);
    assert.ok(pids.length > 0);
    await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]);
  };

  it("answers the next query at once after the database ends its idle connections", async () => {
    await one();
    await endConnections();
    // no waiting for the pool to hear of it (an error event nobody listens to would end this
    // process): a statement that meets the ended connection goes again on a fresh one
    for (let i = 0; i < 3; i++) assert.deepEqual((await one()).rows, [{ one: 1 }]);
  });

  it("runs a transaction whose first statement meets an ended connection on a fresh one", async () => {
    await Promise.all([one(), one(), one()]);
    await endConnections();
    const rows = await t.database.db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      return (await sql<{ two: number }>`SELECT 2 AS two`.execute(trx)).rows;
    });
    assert.deepEqual(rows, [{ two: 2 }]);
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

/**
 * What the benchmarks that run a server in its own process share: a free port, a fresh
 * PostgreSQL database, and `prefect-ts server start` started and waited for.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import pg from "pg";

const PG_ADMIN = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A new, empty PostgreSQL database `name` (dropped first if it exists); its URL. */
export async function freshPostgres(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * `prefect-ts server start` over `databaseUrl`, without the UI: the built CLI (`built`) or the
 * sources through tsx; resolves with the process and its API URL once `/api/health` answers.
 */
export async function startServer(
  home: string,
  databaseUrl: string,
  built: boolean,
): Promise<[ChildProcess, string]> {
  const port = await freePort();
  const cli = built ? ["lib/cli/main.js"] : ["--import", "tsx", "src/cli/main.ts"];
  const child = spawn(process.execPath, [...cli, "server", "start", "--port", String(port)], {
    env: {
      ...process.env,
      PREFECT_HOME: home,
      PREFECT_API_DATABASE_CONNECTION_URL: databaseUrl,
      PREFECT_UI_ENABLED: "false",
    },
    stdio: "ignore",
  });
  const api = `http://127.0.0.1:${port}/api`;
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`${api}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return [child, api];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the server did not start");
}

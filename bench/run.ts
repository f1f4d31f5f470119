/**
 * Foundation benchmarks (JSON on stdout, also written to bench/results/latest.json):
 *  a) one flow of 1000 sequential trivial tasks: ms per task, on SQLite and PostgreSQL
 *  b) 10,000 trivial tasks via .map(): task runs per second (median of 3, after a warm-up)
 *  c) an empty flow: ms per flow run
 * each next to the floor measured in the same run (one SQLite WAL commit; one PostgreSQL commit),
 * and a check that every record is stored when the flow returns.
 * Usage: npm run bench [-- --dialects sqlite,postgres]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { EmbeddedClient } from "../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../src/engine/process-runtime.ts";
import { flow, getRunContext, task } from "../src/index.ts";
import { loadSettings } from "../src/settings/settings.ts";
import { openDatabase } from "../src/storage/open-database.ts";
import { postgresCommitMs, sqliteCommitMs } from "./floors.ts";

const PG_ADMIN = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const dialectsArg = process.argv.indexOf("--dialects");
const dialects = (
  dialectsArg > 0 ? (process.argv[dialectsArg + 1] ?? "") : "sqlite,postgres"
).split(",");

const inc = task({ name: "inc" }, async (x: number) => x + 1);
const noop = task({ name: "noop" }, async (x: number) => x);
const chain = flow({ name: "bench-chain" }, async (n: number) => {
  let x = 0;
  for (let i = 0; i < n; i++) x = await inc(x);
  return { x, id: getRunContext()?.flowRun?.id ?? "" };
});
const fanout = flow({ name: "bench-map" }, async (n: number) => {
  const results = await noop.map(Array.from({ length: n }, (_, i) => i));
  return { count: results.length, id: getRunContext()?.flowRun?.id ?? "" };
});
const empty = flow({ name: "bench-empty" }, async () => null);

async function freshPostgres(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS prefect_ts_bench WITH (FORCE)");
  await admin.query("CREATE DATABASE prefect_ts_bench");
  await admin.end();
  const u = new URL(PG_ADMIN);
  u.pathname = "/prefect_ts_bench";
  return u.toString();
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * `run(n)` three times after one warm-up run of `warmup` tasks: the milliseconds each took, and the
 * fewest task runs found stored COMPLETED when a run returned.
 */
async function threeRuns(
  client: EmbeddedClient,
  run: (n: number) => Promise<{ id: string }>,
  n: number,
  warmup: number,
): Promise<{ ms: number[]; stored: number }> {
  await run(warmup);
  const ms: number[] = [];
  let stored = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const out = await run(n);
    ms.push(performance.now() - t0);
    const completed = await client.countTaskRuns({
      flowRunIds: [out.id],
      stateTypes: ["COMPLETED"],
    });
    stored = Math.min(stored, completed);
  }
  return { ms, stored };
}

async function benchDialect(dialect: string) {
  const dir = mkdtempSync(join(tmpdir(), "prefect-ts-bench-"));
  const url = dialect === "sqlite" ? join(dir, "prefect.db") : await freshPostgres();
  const database = await openDatabase({ url });
  const client = new EmbeddedClient(database);
  useClient(client, { ...loadSettings(), loggingLevel: "WARNING" });
  try {
    const floorMs = dialect === "sqlite" ? await sqliteCommitMs() : await postgresCommitMs(url);
    const sequential = await threeRuns(client, chain, 1000, 50);
    const perTask = sequential.ms.map((m) => m / 1000);
    const stored = sequential.stored;
    const mapped = await threeRuns(client, fanout, 10_000, 1000);
    const mapRates = mapped.ms.map((m) => 10_000 / (m / 1000));
    const mappedStored = mapped.stored;
    const mapRate = median(mapRates);
    const emptyMs: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await empty();
      emptyMs.push(performance.now() - t);
    }
    const a = median(perTask);
    return {
      dialect,
      floor: {
        name: dialect === "sqlite" ? "one better-sqlite3 WAL commit" : "one PostgreSQL commit",
        ms: round(floorMs),
      },
      a_sequential_1000: {
        ms_per_task: round(a),
        x_floor: round(a / floorMs, 2),
        target_x_floor: dialect === "sqlite" ? 5 : 1,
        meets_target: a / floorMs <= (dialect === "sqlite" ? 5 : 1),
        task_runs_stored_when_flow_returned: stored,
      },
      b_map_10000: {
        task_runs_per_second: Math.round(mapRate),
        runs: mapRates.map((r) => Math.round(r)),
        target: 10_000,
        meets_target: mapRate >= 10_000,
        task_runs_stored_when_flow_returned: mappedStored,
      },
      c_empty_flow: {
        ms_per_flow_run: round(median(emptyMs), 3),
        x_floor: round(median(emptyMs) / floorMs, 1),
      },
    };
  } finally {
    await shutdownRuntime();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const d of dialects) results.push(await benchDialect(d));
const report = { node: process.version, when: new Date().toISOString(), results };
const text = JSON.stringify(report, null, 2);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/latest.json", `${text}\n`);
process.stdout.write(`${text}\n`);

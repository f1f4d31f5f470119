/**
 * serve() (JSON on stdout and bench/results/serve.json): a serving process (bench/serve-flow.ts,
 * run by tsx) against `prefect-ts server start` in its own process, and embedded (no server: the
 * serving process on the database itself), on SQLite and PostgreSQL:
 *  - latency: ms from `POST /deployments/{id}/create_flow_run` (embedded: the model's
 *    createFlowRun from another process) to the first line of the flow's body in a child of the
 *    serving process, median and p95 over 50 runs created one after the other;
 *  - throughput: 1,000 short runs created back to back, flow runs completed per second (from the
 *    first creation to the last run Completed), with the default limit of 5 runs at once.
 * Usage: npm run bench:serve [-- --dialects sqlite,postgres] [--modes server,embedded] [--runs 1000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { EmbeddedClient } from "../src/embedded/embedded-client.ts";
import { openDatabase } from "../src/storage/open-database.ts";
import { freshPostgres, startServer } from "./served.ts";

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const dialects = option("dialects", "sqlite,postgres").split(",");
const modes = option("modes", "server,embedded").split(",");
const bulk = Number(option("runs", "1000"));
const runsPerProcess = option("runs-per-process", "100");
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The serving process, with the epoch ms at which each run's body started. */
function startServing(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/serve-flow.ts"], {
    env: { ...process.env, ...env, BENCH_RUNS_PER_PROCESS: runsPerProcess },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  let ready: () => void = () => undefined;
  const served = new Promise<void>((ok) => {
    ready = ok;
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.includes("being served")) ready();
    const m = /^BODY (\S+) (\d+)/.exec(line);
    if (!m) return;
    const at = Number(m[2]);
    started.set(m[1] as string, at);
    waiters.get(m[1] as string)?.(at);
  });
  return {
    child,
    served,
    started,
    bodyStart: (id: string) =>
      new Promise<number>((ok) => {
        const at = started.get(id);
        if (at !== undefined) ok(at);
        else waiters.set(id, ok);
      }),
  };
}

async function measure(dialect: string, mode: string) {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-bench-serve-"));
  const url =
    dialect === "sqlite" ? join(home, "prefect.db") : await freshPostgres("prefect_ts_bench_serve");
  let server: ChildProcess | null = null;
  const env: Record<string, string> = {
    PREFECT_HOME: home,
    PREFECT_API_DATABASE_CONNECTION_URL: url,
    PREFECT_API_URL: "",
    PREFECT_LOGGING_LEVEL: "WARNING",
  };
  if (mode === "server") {
    const [child, api] = await startServer(home, url, false);
    server = child;
    env.PREFECT_API_URL = api;
  }
  const serving = startServing(env);
  await serving.served;
  const database = await openDatabase({ url });
  const client = new EmbeddedClient(database, { ownsDatabase: true });
  const deployment = await client.deployments.readByName("bench-served/bench");
  const create = async (): Promise<string> => {
    if (!env.PREFECT_API_URL) return (await client.deployments.createFlowRun(deployment.id)).id;
    const response = await fetch(
      `${env.PREFECT_API_URL}/deployments/${deployment.id}/create_flow_run`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      },
    );
    return ((await response.json()) as { id: string }).id;
  };

  const latencies: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = Date.now();
    const id = await create();
    const at = await serving.bodyStart(id);
    if (i >= 10) latencies.push(at - t0); // the first 10 warm up both processes
    await sleep(50 + Math.random() * 100);
  }

  const completed = () =>
    client.countFlowRuns({
      flow_runs: { deployment_id: { any_: [deployment.id] } },
      stateTypes: ["COMPLETED"] as never,
    });
  const before = await until(async () => {
    const n = await completed();
    return n >= 60 ? n : null;
  });
  const t0 = Date.now();
  const creators = Array.from({ length: 4 }, async (_, k) => {
    for (let i = k; i < bulk; i += 4) await create();
  });
  await Promise.all(creators);
  const created = Date.now();
  await until(async () => ((await completed()) >= before + bulk ? true : null), 600_000);
  const seconds = (Date.now() - t0) / 1000;

  serving.child.kill("SIGTERM");
  await new Promise((ok) => serving.child.once("exit", ok));
  await client.close();
  server?.kill("SIGKILL");
  rmSync(home, { recursive: true, force: true });
  return {
    dialect,
    mode,
    create_to_body_ms: {
      median: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      max: Math.max(...latencies),
      runs: latencies.length,
    },
    back_to_back: {
      runs: bulk,
      runs_per_second: round(bulk / seconds),
      created_per_second: round(bulk / ((created - t0) / 1000)),
    },
  };
}

async function until<T>(probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(100);
  }
}

const results = [];
for (const dialect of dialects) {
  for (const mode of modes) {
    const r = await measure(dialect, mode);
    process.stderr.write(`${JSON.stringify(r)}\n`);
    results.push(r);
  }
}
const out = { bench: "serve", runs_per_process: Number(runsPerProcess), results };
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/serve.json", `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);

/**
 * Workers (JSON on stdout and bench/results/workers.json): `prefect-ts server start` (built) and
 * two `prefect-ts worker start --pool bench --limit 10` processes (built, as `npx prefect-ts`
 * runs), on SQLite and PostgreSQL, with a 10-task flow deployed to the pool (bench/worker-flow.ts):
 *  - latency: ms from a run's due time (created Scheduled now through
 *    `POST /deployments/{id}/create_flow_run`) to the first line of its body, median and p95 over
 *    50 runs created one after another;
 *  - throughput: N runs (default 2,000) created by 4 concurrent callers, flow runs Completed per
 *    second from the first creation to the last Completed; runs started twice (by their body's
 *    line) and runs lost (not Completed, or whose body never started);
 *  - floors measured in the same run: one HTTP round trip (GET /health) and the same flow called
 *    in one client-mode process, 20 at once (flow runs/s with no worker in between).
 * Usage: npm run bench:workers [-- --dialects sqlite,postgres] [--runs 2000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freshPostgres, startServer } from "./served.ts";

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const dialects = option("dialects", "sqlite,postgres").split(",");
const bulk = Number(option("runs", "2000"));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Body starts seen in the workers' output: flow run id → epoch ms of each start. */
const starts = new Map<string, number[]>();
const waiters = new Map<string, (at: number) => void>();

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["lib/cli/main.js", "worker", "start", "--pool", "bench", "--limit", "10"],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((ok) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.includes("started!")) ok(child);
      const m = /^BODY (\S+) (\d+)/.exec(line);
      if (!m) return;
      const id = m[1] as string;
      const at = Number(m[2]);
      starts.set(id, [...(starts.get(id) ?? []), at]);
      waiters.get(id)?.(at);
    });
  });
}

const bodyStart = (id: string) =>
  new Promise<number>((ok) => {
    const at = starts.get(id)?.[0];
    if (at !== undefined) ok(at);
    else waiters.set(id, ok);
  });

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function floorRate(env: Record<string, string>): Promise<number> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/worker-flow.ts", "floor", "400", "20"],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let rate = Number.NaN;
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = /^FLOOR (\S+)/.exec(line);
    if (m) rate = Number(m[1]);
  });
  await new Promise((ok) => child.once("exit", ok));
  return rate;
}

async function measure(dialect: string) {
  starts.clear();
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-bench-workers-"));
  const url =
    dialect === "sqlite"
      ? join(home, "prefect.db")
      : await freshPostgres("prefect_ts_bench_workers");
  const [server, base] = await startServer(home, url, true);
  const env = { PREFECT_HOME: home, PREFECT_API_URL: base, PREFECT_LOGGING_LEVEL: "WARNING" };
  await api(base, "POST", "/work_pools/", { name: "bench", type: "process" });
  const flow = await api<{ id: string }>(base, "POST", "/flows/", { name: "bench-worker-flow" });
  const deployment = await api<{ id: string }>(base, "POST", "/deployments/", {
    name: "bench",
    flow_id: flow.id,
    entrypoint: "bench/worker-flow.ts:benchWorkerFlow",
    path: process.cwd(),
    work_pool_name: "bench",
    enforce_parameter_schema: false,
  });
  const workers = await Promise.all([startWorker(env), startWorker(env)]);
  const create = async () =>
    (await api<{ id: string }>(base, "POST", `/deployments/${deployment.id}/create_flow_run`, {}))
      .id;

  const rtts: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await fetch(`${base}/health`).then((r) => r.text());
    rtts.push(performance.now() - t0);
  }

  const latencies: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = Date.now();
    const id = await create();
    const at = await bodyStart(id);
    if (i >= 10) latencies.push(at - t0); // the first 10 warm up the processes
    await sleep(50 + Math.random() * 100);
  }
  const completed = (ids?: string[]) =>
    api<number>(base, "POST", "/flow_runs/count", {
      flow_runs: {
        deployment_id: { any_: [deployment.id] },
        state: { type: { any_: ["COMPLETED"] } },
        ...(ids ? { id: { any_: ids } } : {}),
      },
    });
  for (let n = 0; n < 600 && (await completed()) < 60; n++) await sleep(100);

  const t0 = Date.now();
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async (_, k) => {
      for (let i = k; i < bulk; i += 4) ids.push(await create());
    }),
  );
  const created = Date.now();
  let done = 0;
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(200)) {
    done = await completed(ids);
    if (done >= bulk) break;
  }
  const seconds = (Date.now() - t0) / 1000;
  const twice = ids.filter((id) => (starts.get(id)?.length ?? 0) > 1).length;
  const neverStarted = ids.filter((id) => !starts.has(id)).length;

  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((ok) => w.once("exit", ok))));
  const floor = await floorRate(env);
  server.kill("SIGKILL");
  rmSync(home, { recursive: true, force: true });
  return {
    dialect,
    workers: 2,
    limit: 10,
    due_to_body_ms: {
      median: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      max: Math.max(...latencies),
      runs: latencies.length,
    },
    throughput: {
      runs: bulk,
      completed: done,
      flow_runs_per_second: round(done / seconds),
      created_per_second: round(bulk / ((created - t0) / 1000)),
      started_twice: twice,
      lost: bulk - done,
      never_started: neverStarted,
    },
    floors: {
      http_round_trip_ms: round(quantile(rtts, 0.5), 2),
      in_process_flow_runs_per_second: round(floor),
    },
  };
}

const results = [];
for (const dialect of dialects) {
  const r = await measure(dialect);
  process.stderr.write(`${JSON.stringify(r)}\n`);
  results.push(r);
}
const out = { bench: "workers", results };
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/workers.json", `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);

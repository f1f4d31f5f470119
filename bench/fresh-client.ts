/**
 * Client mode in fresh processes (JSON on stdout and bench/results/fresh-client.json): each figure
 * is measured in a new Node process running the built SDK (`lib/`, so run `npm run build:server`
 * first) against `prefect-ts server start` in its own process, on SQLite and on PostgreSQL:
 *  - a 1-task flow (ms, from the flow call to its return, the first call of the process);
 *  - 100 and 1,000 sequential tasks (ms per task), 10,000 tasks via .map() (task runs/s);
 *  - how long after the flow returns every one of its task runs is visible through the API (the
 *    flow waits for the server to confirm its task runs before its final state, so this is ~0);
 * next to the floor: a fresh process's first request to the same server (ms).
 * Each figure is the median of `--repeat` runs (default 5).
 * Usage: npm run bench:fresh [-- --dialects sqlite,postgres --repeat 5]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshPostgres, startServer } from "./served.ts";

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const dialects = option("--dialects", "sqlite,postgres").split(",");
const repeat = Number(option("--repeat", "5"));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

if (!existsSync("lib/main/index.js")) {
  process.stderr.write("bench:fresh runs the built SDK: run `npm run build:server` first\n");
  process.exit(1);
}

/** Run the child once; its figure, and ms until the API shows all `tasks` of its run. */
async function measure(api: string, home: string, kind: string, tasks: number) {
  const child = spawn(process.execPath, ["bench/fresh-client-child.mjs", kind, String(tasks)], {
    env: { ...process.env, PREFECT_API_URL: api, PREFECT_HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const i = out.indexOf("\n");
      if (i >= 0) resolve(out.slice(0, i));
    });
    child.once("exit", (code) => reject(new Error(`child exited ${code} before reporting`)));
  });
  const returned = performance.now();
  const { ms, id } = JSON.parse(line) as { ms: number; id: string | null };
  let visibleMs = 0;
  if (id) {
    for (;;) {
      const res = await fetch(`${api}/task_runs/count`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          flow_runs: { id: { any_: [id] } },
          task_runs: { state: { type: { any_: ["COMPLETED"] } } },
        }),
      });
      if ((await res.json()) === tasks) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    visibleMs = performance.now() - returned;
  }
  await new Promise((resolve) =>
    child.exitCode !== null ? resolve(null) : child.once("exit", resolve),
  );
  return { ms, visibleMs };
}

async function series(api: string, home: string, kind: string, tasks: number) {
  const runs = [];
  for (let i = 0; i < repeat; i++) runs.push(await measure(api, home, kind, tasks));
  return { ms: median(runs.map((r) => r.ms)), visibleMs: median(runs.map((r) => r.visibleMs)) };
}

const results: Record<string, unknown> = {};
for (const dialect of dialects) {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-bench-fresh-"));
  const url =
    dialect === "postgres"
      ? await freshPostgres("prefect_ts_bench_fresh")
      : join(home, "prefect.db");
  const [server, api] = await startServer(home, url, true);
  try {
    // warm the server (not the client): the figures are of fresh clients against a running server
    await measure(api, home, "sequential", 100);
    const floor = await series(api, home, "floor", 0);
    const one = await series(api, home, "sequential", 1);
    const hundred = await series(api, home, "sequential", 100);
    const thousand = await series(api, home, "sequential", 1000);
    const map = await series(api, home, "map", 10_000);
    results[dialect] = {
      floor_first_request_ms: round(floor.ms),
      one_task_flow_ms: round(one.ms),
      sequential_100_ms_per_task: round(hundred.ms / 100, 3),
      sequential_1000_ms_per_task: round(thousand.ms / 1000, 3),
      map_10k_task_runs_per_s: Math.round(10_000 / (map.ms / 1000)),
      visible_after_return_ms: {
        one: round(one.visibleMs),
        sequential_1000: round(thousand.visibleMs),
        map_10k: round(map.visibleMs),
      },
    };
  } finally {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    rmSync(home, { recursive: true, force: true });
  }
}
const report = { bench: "fresh-client", repeat, results };
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/fresh-client.json", JSON.stringify(report, null, 2));

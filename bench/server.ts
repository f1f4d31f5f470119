/**
 * Server benchmarks (JSON on stdout and bench/results/server.json), on loopback:
 *  - POST /api/flow_runs/filter (limit 50) and POST /api/task_runs/count with 100,000 task runs
 *    in the database: requests/s and p95 latency at concurrency 10;
 *  - create + set_state RUNNING + COMPLETED of 1,000 flow runs at concurrency 10: flow runs/s;
 *  - the SDK in client mode: 1,000 sequential tasks (ms per task, next to one PostgreSQL commit)
 *    and 10,000 tasks via .map() (task runs/s), how long after the flow returns its task runs are
 *    all visible through the API, and how long until its events are all in the event store — against
 *    `prefect-ts server start` in its own process, and against the server in the flow's process.
 *    Each flow starts once the server has stored the events of the one before: its figures are
 *    those of one flow, not of a flow competing with the last one's writes.
 * Usage: npm run bench:server [-- --dialects sqlite,postgres]
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { HttpClient } from "../src/client/http-client.ts";
import { uuid7 } from "../src/core/ids.ts";
import { defaultTaskRunPolicy, type TaskRun } from "../src/core/runs.ts";
import { emptyStateDetails, type StateRecord } from "../src/core/state.ts";
import { nowIso } from "../src/core/time.ts";
import { shutdownRuntime, useClient } from "../src/engine/process-runtime.ts";
import { flow, getRunContext, task } from "../src/index.ts";
import { recordTaskRuns } from "../src/resources/task-runs/queries.ts";
import { createApp } from "../src/server/app.ts";
import { loadSettings } from "../src/settings/settings.ts";
import { openDatabase } from "../src/storage/open-database.ts";
import { postgresCommitMs } from "./floors.ts";

const PG_ADMIN = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const arg = process.argv.indexOf("--dialects");
const dialects = (arg > 0 ? (process.argv[arg + 1] ?? "") : "postgres,sqlite").split(",");

async function freshPostgres(): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS prefect_ts_bench_server WITH (FORCE)");
  await admin.query("CREATE DATABASE prefect_ts_bench_server");
  await admin.end();
  const u = new URL(PG_ADMIN);
  u.pathname = "/prefect_ts_bench_server";
  return u.toString();
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Send `total` requests with `concurrency` in flight; requests/s and latency percentiles. */
async function load(total: number, concurrency: number, send: (i: number) => Promise<Response>) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        const res = await send(i);
        await res.arrayBuffer();
        if (!res.ok) failures++;
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
  return {
    requests: total,
    failures,
    requests_per_second: Math.round(total / seconds),
    p50_ms: pct(0.5),
    p95_ms: pct(0.95),
  };
}

async function seedTaskRuns(
  database: Awaited<ReturnType<typeof openDatabase>>,
  api: string,
  count: number,
) {
  const post = (p: string, b: unknown) =>
    fetch(api + p, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(b),
    }).then((r) => r.json());
  const flowRec = (await post("/flows/", { name: "bench-seed" })) as { id: string };
  const perRun = 2000;
  for (let r = 0; r < count / perRun; r++) {
    const fr = (await post("/flow_runs/", {
      flow_id: flowRec.id,
      state: { type: "COMPLETED" },
    })) as { id: string };
    const runs: TaskRun[] = [];
    const states: [string, StateRecord][] = [];
    for (let i = 0; i < perRun; i++) {
      const now = nowIso();
      const type = i % 10 === 0 ? "FAILED" : "COMPLETED";
      const state: StateRecord = {
        id: uuid7(),
        type,
        name: type === "FAILED" ? "Failed" : "Completed",
        timestamp: now,
        message: null,
        data: null,
        state_details: emptyStateDetails(),
      };
      const run: TaskRun = {
        id: uuid7(),
        created: now,
        updated: now,
        name: `t-${i}`,
        flow_run_id: fr.id,
        task_key: "t",
        dynamic_key: String(i),
        cache_key: null,
        cache_expiration: null,
        task_version: null,
        empirical_policy: defaultTaskRunPolicy(),
        tags: [],
        labels: {},
        task_inputs: {},
        flow_run_run_count: 1,
        state_id: state.id,
        state_type: type,
        state_name: state.name,
        state_timestamp: now,
        run_count: 1,
        expected_start_time: now,
        next_scheduled_start_time: null,
        start_time: now,
        end_time: now,
        total_run_time: 0.001,
        state,
      };
      runs.push(run);
      states.push([run.id, state]);
    }
    await recordTaskRuns(database, runs, states, nowIso());
  }
}

async function benchDialect(dialect: string) {
  const dir = mkdtempSync(join(tmpdir(), "prefect-ts-bench-server-"));
  const url = dialect === "sqlite" ? join(dir, "prefect.db") : await freshPostgres();
  const database = await openDatabase({ url });
  const app = await createApp({ database });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const api = `${base}/api`;
  const json = (body: unknown) => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  try {
    await seedTaskRuns(database, api, 100_000);
    const filter = await load(2000, 10, () =>
      fetch(`${api}/flow_runs/filter`, json({ limit: 50 })),
    );
    const count = await load(2000, 10, () => fetch(`${api}/task_runs/count`, json({})));
    const flowId = (
      (await (await fetch(`${api}/flows/`, json({ name: "bench-lifecycle" }))).json()) as {
        id: string;
      }
    ).id;
    const t0 = performance.now();
    await load(1000, 10, async () => {
      const run = (await (await fetch(`${api}/flow_runs/`, json({ flow_id: flowId }))).json()) as {
        id: string;
      };
      await (
        await fetch(`${api}/flow_runs/${run.id}/set_state`, json({ state: { type: "RUNNING" } }))
      ).arrayBuffer();
      return fetch(`${api}/flow_runs/${run.id}/set_state`, json({ state: { type: "COMPLETED" } }));
    });
    const lifecycleRate = Math.round(1000 / ((performance.now() - t0) / 1000));

    const inProcess = await clientMode(api);
    // what this server still has to store must not land on the other server's measurement
    await app.flushEvents();
    const serverProcess = await withServerProcess(url, (processApi) => clientMode(processApi));
    const floor = dialect === "postgres" ? await postgresCommitMs(url) : null;
    return {
      dialect,
      flow_runs_filter_limit_50_with_100k_task_runs: filter,
      task_runs_count_with_100k_task_runs: count,
      flow_run_create_running_completed_per_second: lifecycleRate,
      // the server as users run it (`prefect-ts server start`, its own process)
      client_mode_sequential_1000: clientModeReport(serverProcess.sequential, floor),
      client_mode_map_10000: clientModeMapReport(serverProcess.map, floor),
      // the server inside the flow's own process: both share one thread
      client_mode_sequential_1000_server_in_flow_process: clientModeReport(
        inProcess.sequential,
        floor,
      ),
      client_mode_map_10000_server_in_flow_process: clientModeMapReport(inProcess.map, floor),
    };
  } finally {
    await app.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ClientModeFigures {
  perTask: number;
  lag: number;
  visible: number;
  /** When the flow's task-run events were all in the event store (ms after return). */
  eventsLag: number;
}

function clientModeReport(m: ClientModeFigures, floor: number | null) {
  return {
    ms_per_task: round(m.perTask, 4),
    postgres_commit_ms: floor === null ? null : round(floor, 4),
    x_postgres_commit: floor === null ? null : round(m.perTask / floor, 2),
    all_visible_ms_after_return: Math.round(m.lag),
    visible: m.visible,
    events_stored_ms_after_return: Math.round(m.eventsLag),
  };
}

function clientModeMapReport(m: ClientModeFigures, floor: number | null) {
  return {
    ms_per_task: round(m.perTask, 4),
    x_postgres_commit: floor === null ? null : round(m.perTask / floor, 2),
    task_runs_per_second: Math.round(1 / (m.perTask / 1000)),
    target: 10_000,
    meets_target: 1 / (m.perTask / 1000) >= 10_000,
    all_visible_ms_after_return: Math.round(m.lag),
    visible: m.visible,
    events_stored_ms_after_return: Math.round(m.eventsLag),
  };
}

/**
 * Wait until the event store holds `count` task-run events of the flow run (through
 * `/events/filter`); ms since `since` (a `performance.now()`), or -1 after a minute.
 */
async function eventsStored(api: string, flowRunId: string, count: number, since: number) {
  const filter = {
    occurred: { since: new Date(Date.now() - 3_600_000).toISOString() },
    event: { prefix: ["prefect.task-run."] },
    related: { id: [`prefect.flow-run.${flowRunId}`] },
  };
  while (performance.now() - since < 60_000) {
    const res = await fetch(`${api}/events/filter`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filter, limit: 1 }),
    });
    const { total } = (await res.json()) as { total: number };
    if (total >= count) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return -1;
}

/**
 * In client mode against `api`: (a) 1000 sequential tasks and (b) 10,000 tasks via `.map()`, each
 * the run of median time of three after one warm-up run, with how long after the flow returned
 * its task runs were all visible through the API and its events all stored. Each run starts once
 * the events of the one before are stored.
 */
async function clientMode(
  api: string,
): Promise<{ sequential: ClientModeFigures; map: ClientModeFigures }> {
  const client = new HttpClient(api);
  useClient(client, { ...loadSettings(), loggingLevel: "WARNING" });
  try {
    const inc = task({ name: "inc" }, async (x: number) => x + 1);
    const chain = flow({ name: "bench-client-chain" }, async (n: number) => {
      let x = 0;
      for (let i = 0; i < n; i++) x = await inc(x);
      return getRunContext()?.flowRun?.id ?? "";
    });
    const noop = task({ name: "noop" }, async (x: number) => x);
    const fanout = flow({ name: "bench-client-map" }, async (n: number) => {
      await noop.map(Array.from({ length: n }, (_, i) => i));
      return getRunContext()?.flowRun?.id ?? "";
    });
    const measure = async (run: (n: number) => Promise<unknown>, n: number) => {
      // a long-running server is warm: one flow of the same size first, then the median of three
      const warmUp = (await run(n)) as string;
      await eventsStored(api, warmUp, 3 * n, performance.now());
      const runs: ClientModeFigures[] = [];
      for (let rep = 0; rep < 3; rep++) {
        const t1 = performance.now();
        const runId = (await run(n)) as string;
        const perTask = (performance.now() - t1) / n;
        const returned = performance.now();
        let visible = 0;
        // polled every 20 ms: polling flat out would load the very server being measured
        while (performance.now() - returned < 10_000) {
          visible = await client.countTaskRuns({ flowRunIds: [runId], stateTypes: ["COMPLETED"] });
          if (visible >= n) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const lag = performance.now() - returned;
        // Pending, Running and Completed of each task run
        const eventsLag = await eventsStored(api, runId, 3 * n, returned);
        runs.push({ perTask, lag, visible, eventsLag });
      }
      runs.sort((a, b) => a.perTask - b.perTask);
      return runs[1] as ClientModeFigures;
    };
    return { sequential: await measure(chain, 1000), map: await measure(fanout, 10_000) };
  } finally {
    await shutdownRuntime();
  }
}

/** Run `fn` against `prefect-ts server start` in its own process on the database at `url`. */
async function withServerProcess<T>(url: string, fn: (api: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-bench-home-"));
  const server = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "server", "start", "--port", "0"],
    {
      env: {
        ...process.env,
        PREFECT_HOME: home,
        PREFECT_API_DATABASE_CONNECTION_URL: url,
        PREFECT_UI_ENABLED: "false",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const api = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /PREFECT_API_URL=(\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server.once("exit", (code) => reject(new Error(`server exited (${code}): ${out}`)));
    });
    return await fn(api);
  } finally {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
}

const results = [];
for (const d of dialects) results.push(await benchDialect(d));
const text = JSON.stringify(
  { node: process.version, when: new Date().toISOString(), results },
  null,
  2,
);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/server.json", `${text}\n`);
process.stdout.write(`${text}\n`);

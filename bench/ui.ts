/**
 * UI benchmark (JSON on stdout and bench/results/ui.json): with 10,000 flow runs and 200,000 task runs
 * in a scratch SQLite database, the time until the dashboard, the runs page and the page of a
 * 1,000-task flow run (graph + logs) are interactive in Debian's Chromium, and the gzipped size of
 * the JavaScript the first page load needs. Floors measured in the same run: a page load of a tiny
 * JSON document from the same server, and the API call each page waits on, timed from Node.
 * Usage: npm run bench:ui
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { uuid7 } from "../src/core/ids.ts";
import { defaultTaskRunPolicy, type LogRecord, type TaskRun } from "../src/core/runs.ts";
import { emptyStateDetails, type StateRecord } from "../src/core/state.ts";
import type { StateType } from "../src/core/state-types.ts";
import { createLogs } from "../src/resources/logs/queries.ts";
import { recordTaskRuns } from "../src/resources/task-runs/queries.ts";
import { createApp } from "../src/server/app.ts";
import { openDatabase } from "../src/storage/open-database.ts";
import { ensureUiBuilt, launchChromium, UI_DIST } from "../test/helpers/browser.ts";

const FLOW_RUNS = 10_000;
const TASK_RUNS = 200_000;
const BIG_FLOW_TASKS = 1_000;
const REPEATS = 3;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function stateRecord(type: StateType, at: string): StateRecord {
  const name = type.charAt(0) + type.slice(1).toLowerCase();
  return {
    id: uuid7(),
    type,
    name,
    timestamp: at,
    message: null,
    data: null,
    state_details: emptyStateDetails(),
  };
}

function taskRun(
  flowRunId: string,
  i: number,
  start: number,
  seconds: number,
  upstream: string | null,
): TaskRun {
  const type: StateType = i % 23 === 0 ? "FAILED" : "COMPLETED";
  const startIso = new Date(start).toISOString();
  const endIso = new Date(start + seconds * 1000).toISOString();
  const state = stateRecord(type, endIso);
  return {
    id: uuid7(),
    created: startIso,
    updated: endIso,
    name: `process-item-${i}`,
    flow_run_id: flowRunId,
    task_key: "process-item",
    dynamic_key: String(i),
    cache_key: null,
    cache_expiration: null,
    task_version: null,
    empirical_policy: defaultTaskRunPolicy(),
    tags: [],
    labels: {},
    task_inputs: upstream ? { item: [{ input_type: "task_run", id: upstream }] } : {},
    flow_run_run_count: 1,
    state_id: state.id,
    state_type: type,
    state_name: state.name,
    state_timestamp: endIso,
    run_count: 1,
    expected_start_time: startIso,
    next_scheduled_start_time: null,
    start_time: startIso,
    end_time: endIso,
    total_run_time: seconds,
    state,
  };
}

async function pool<T>(
  total: number,
  concurrency: number,
  work: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

/** Gzipped bytes of the scripts `index.html` loads up front (entry + modulepreloads). */
function initialJsGzipBytes(): { files: string[]; bytes: number } {
  const html = readFileSync(join(UI_DIST, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? "");
  const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(UI_DIST, f))).length, 0);
  return { files, bytes };
}

async function main() {
  ensureUiBuilt();
  // BENCH_UI_DB=path keeps the seeded database there and reuses it on the next run
  const kept = process.env.BENCH_UI_DB;
  const dir = mkdtempSync(join(tmpdir(), "prefect-ts-bench-ui-"));
  const dbPath = kept ?? join(dir, "prefect.db");
  const reuse = kept !== undefined && existsSync(`${kept}.json`);
  const database = await openDatabase({ url: dbPath });
  const app = await createApp({ database, ui: {} });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const api = `${base}/api`;
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(api + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const browser = await launchChromium();
  try {
    // seed: flow runs through the API, task runs and logs through the storage layer's bulk inserts
    async function seed(): Promise<string> {
      const flows = await Promise.all(
        ["etl-orders", "sync-customers", "train-model", "nightly-report"].map((name) =>
          post<{ id: string }>("/flows/", { name }),
        ),
      );
      const runIds = await pool(FLOW_RUNS, 16, async (i) => {
        const type: StateType = i % 17 === 0 ? "FAILED" : i % 251 === 0 ? "RUNNING" : "COMPLETED";
        const run = await post<{ id: string }>("/flow_runs/", {
          flow_id: flows[i % flows.length]?.id,
          state: { type },
          tags: i % 3 === 0 ? ["nightly"] : [],
        });
        return run.id;
      });
      const bigRun = runIds[0] ?? "";
      const t0 = Date.now() - 3_600_000;
      const big: TaskRun[] = [];
      for (let i = 0; i < BIG_FLOW_TASKS; i++) {
        big.push(
          taskRun(
            bigRun,
            i,
            t0 + i * 1500,
            1 + (i % 7),
            i > 0 && i % 4 !== 0 ? (big[i - 1]?.id ?? null) : null,
          ),
        );
      }
      await recordTaskRuns(
        database,
        big,
        big.map((r) => [r.id, r.state as StateRecord] as const),
        new Date().toISOString(),
      );
      const logs: LogRecord[] = big.flatMap((r, i) => [
        {
          name: "prefect.task_runs",
          level: 20,
          message: `Processing item ${i}`,
          timestamp: r.start_time ?? "",
          flow_run_id: bigRun,
          task_run_id: r.id,
        },
        {
          name: "prefect.task_runs",
          level: i % 23 === 0 ? 40 : 20,
          message: i % 23 === 0 ? `Item ${i} failed` : "Finished in state Completed()",
          timestamp: r.end_time ?? "",
          flow_run_id: bigRun,
          task_run_id: r.id,
        },
      ]);
      await createLogs(database, logs, new Date().toISOString());
      const rest = runIds.slice(1);
      const perRun = Math.ceil((TASK_RUNS - BIG_FLOW_TASKS) / rest.length);
      let made = BIG_FLOW_TASKS;
      for (let b = 0; b < rest.length; b += 500) {
        const batch: TaskRun[] = [];
        for (const id of rest.slice(b, b + 500)) {
          for (let i = 0; i < perRun && made < TASK_RUNS; i++, made++) {
            batch.push(
              taskRun(id, i, t0 + Math.random() * 3_600_000, 0.5 + Math.random() * 5, null),
            );
          }
        }
        await recordTaskRuns(
          database,
          batch,
          batch.map((r) => [r.id, r.state as StateRecord] as const),
          new Date().toISOString(),
        );
      }
      return bigRun;
    }
    const seed0 = performance.now();
    const bigRun = reuse
      ? (JSON.parse(readFileSync(`${kept}.json`, "utf8")) as { bigRun: string }).bigRun
      : await seed();
    if (kept !== undefined && !reuse) writeFileSync(`${kept}.json`, JSON.stringify({ bigRun }));
    const seedSeconds = (performance.now() - seed0) / 1000;

    // floors: a page load of a tiny JSON document, and each page's main API call from Node
    const timeApi = async (path: string, body: unknown) => {
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const s = performance.now();
        await post(path, body);
        times.push(performance.now() - s);
      }
      return round(median(times));
    };
    const blank: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const s = performance.now();
      await page.goto(`${api}/health`);
      blank.push(performance.now() - s);
      await context.close();
    }

    // time to interactive: navigation until the page's content is drawn
    const measure = async (path: string, ready: string[]) => {
      const times: number[] = [];
      const problems: string[] = [];
      const slowest = new Map<string, number>();
      for (let i = 0; i < REPEATS; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(m.text());
        });
        page.on("response", (r) => {
          if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
        });
        page.on("requestfinished", (r) => {
          const t = r.timing();
          const key = `${r.method()} ${new URL(r.url()).pathname}`;
          const ms = Math.max(t.responseEnd, 0);
          slowest.set(key, Math.max(slowest.get(key) ?? 0, round(ms)));
        });
        const s = performance.now();
        await page.goto(base + path);
        for (const selector of ready)
          await page.locator(selector).first().waitFor({ timeout: 60_000 });
        times.push(performance.now() - s);
        await context.close();
      }
      const top = [...slowest.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
      return {
        ms: round(median(times)),
        runs_ms: times.map((t) => round(t)),
        problems: problems.slice(0, 3),
        slowest_requests_ms: Object.fromEntries(top),
      };
    };
    const hourAgo = new Date(Date.now() - 86_400_000).toISOString();
    const dashboard = await measure("/dashboard", [".chart canvas", ".state-count"]);
    const runs = await measure("/runs", [".runs-table tbody tr", ".chart canvas"]);
    const flowRun = await measure(`/runs/flow-run/${bigRun}`, [
      ".run-graph canvas",
      "[data-testid=log-lines] .log-line",
    ]);
    const js = initialJsGzipBytes();
    const result = {
      database: "sqlite",
      flow_runs: FLOW_RUNS,
      task_runs: TASK_RUNS,
      seed_seconds: round(seedSeconds),
      dashboard_interactive_ms: dashboard.ms,
      dashboard_api_floor_ms: await timeApi("/flow_runs/history", {
        history_start: hourAgo,
        history_end: new Date().toISOString(),
        history_interval_seconds: 2400,
      }),
      runs_page_interactive_ms: runs.ms,
      runs_page_api_floor_ms: await timeApi("/flow_runs/paginate", {
        sort: "START_TIME_DESC",
        limit: 25,
        page: 1,
      }),
      flow_run_1000_tasks_interactive_ms: flowRun.ms,
      flow_run_graph_api_floor_ms: await (async () => {
        const times: number[] = [];
        for (let i = 0; i < REPEATS; i++) {
          const s = performance.now();
          await (await fetch(`${api}/flow_runs/${bigRun}/graph-v2`)).arrayBuffer();
          times.push(performance.now() - s);
        }
        return round(median(times));
      })(),
      blank_page_load_floor_ms: round(median(blank)),
      initial_js_gzip_kb: round(js.bytes / 1024),
      initial_js_files: js.files,
      samples_ms: { dashboard: dashboard.runs_ms, runs: runs.runs_ms, flow_run: flowRun.runs_ms },
      slowest_requests_ms: {
        dashboard: dashboard.slowest_requests_ms,
        runs: runs.slowest_requests_ms,
        flow_run: flowRun.slowest_requests_ms,
      },
      page_problems: [...dashboard.problems, ...runs.problems, ...flowRun.problems],
      targets: {
        dashboard_ms: 1500,
        runs_page_ms: 1500,
        flow_run_ms: 2000,
        initial_js_gzip_kb: 500,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync("bench/results", { recursive: true });
    writeFileSync("bench/results/ui.json", `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await app.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

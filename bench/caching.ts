/**
 * Results and caching benchmark (JSON on stdout, also written to bench/results/caching.json), on
 * SQLite: one flow of 1000 sequential tasks, in three variants measured in the same run —
 *  - plain: no persistence, no cache options (the floor: the engine's plain task path)
 *  - cold: `persistResult` with the INPUTS policy, every key new (hash, serialize, write a file)
 *  - cached: the same flow again, every task a cache hit (hash, read a record, end Cached), with
 *    the record in the store's memory, and "from disk" (a fresh store, as another process has)
 * ms per task for each, and the ratio cached / plain (target ≤ 2×).
 * Usage: npm run bench:caching
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedClient } from "../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../src/engine/process-runtime.ts";
import { flow, getRunContext, INPUTS, task } from "../src/index.ts";
import { loadSettings } from "../src/settings/settings.ts";
import { openDatabase } from "../src/storage/open-database.ts";

const N = 1000;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const dir = mkdtempSync(join(tmpdir(), "prefect-ts-bench-caching-"));
process.env.PREFECT_LOCAL_STORAGE_PATH = join(dir, "storage");

const plain = task({ name: "plain" }, async (x: number, salt: string) => x + salt.length);
const persisted = task(
  { name: "persisted", cachePolicy: INPUTS },
  async (x: number, salt: string) => x + salt.length,
);
const chain = (t: typeof plain) =>
  flow({ name: `bench-${t.name}` }, async (salt: string) => {
    let total = 0;
    for (let i = 0; i < N; i++) total += await t(i, salt);
    return { total, id: getRunContext()?.flowRun?.id ?? "" };
  });
const plainFlow = chain(plain);
const persistedFlow = chain(persisted);

async function perTaskMs(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / N;
}

const database = await openDatabase({ url: join(dir, "prefect.db") });
const client = new EmbeddedClient(database);
useClient(client, { ...loadSettings(), loggingLevel: "WARNING" });
try {
  await plainFlow("warm-up");
  await persistedFlow("warm-up");
  const plainMs: number[] = [];
  const coldMs: number[] = [];
  const cachedMs: number[] = [];
  const diskMs: number[] = [];
  let cachedRuns = 0;
  for (let rep = 0; rep < 5; rep++) {
    const salt = `rep-${rep}-${Date.now()}`;
    plainMs.push(await perTaskMs(() => plainFlow(salt)));
    coldMs.push(await perTaskMs(() => persistedFlow(salt)));
    let id = "";
    cachedMs.push(
      await perTaskMs(async () => {
        id = (await persistedFlow(salt)).id;
      }),
    );
    cachedRuns = await client.countTaskRuns({ flowRunIds: [id], stateNames: ["Cached"] });
    // a copy of the task has a fresh result store: every hit reads its record file
    diskMs.push(await perTaskMs(() => chain(persisted.withOptions({}))(salt)));
  }
  const p = median(plainMs);
  const cold = median(coldMs);
  const cached = median(cachedMs);
  const result = {
    bench: "caching",
    tasks_per_flow: N,
    dialect: "sqlite",
    plain_ms_per_task: round(p),
    persisted_cold_ms_per_task: round(cold),
    cached_ms_per_task: round(cached),
    cached_over_plain: round(cached / p, 2),
    cached_from_disk_ms_per_task: round(median(diskMs)),
    cached_from_disk_over_plain: round(median(diskMs) / p, 2),
    target_cached_over_plain: 2,
    cold_over_plain: round(cold / p, 2),
    cached_task_runs_in_last_cached_flow: cachedRuns,
    node: process.version,
  };
  const out = JSON.stringify(result, null, 2);
  process.stdout.write(`${out}\n`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/caching.json", `${out}\n`);
} finally {
  await shutdownRuntime();
  rmSync(dir, { recursive: true, force: true });
}

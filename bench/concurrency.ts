/**
 * Concurrency limits (JSON on stdout and bench/results/concurrency.json), the SDK in client mode
 * against `prefect-ts server start` in its own process, on SQLite and PostgreSQL, and embedded:
 *  - `concurrency(name, fn)` with a free limit: acquire + release, median and p95 ms over 300,
 *    next to the floor measured in the same run — one HTTP round trip to the same server
 *    (`GET /api/health` on a kept-alive connection);
 *  - a waiter woken by a release: ms from `release()` to the waiter's body (median over 50);
 *  - rate-limit accuracy: 60 `rateLimit()` calls on a limit of 1 with 20 slots/s decay,
 *    acquisitions per second next to the decay rate.
 * Usage: npm run bench:concurrency [-- --dialects sqlite,postgres]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpClient } from "../src/client/http-client.ts";
import type { PrefectClient } from "../src/client/prefect-client.ts";
import { EmbeddedClient } from "../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../src/engine/process-runtime.ts";
import { concurrency, rateLimit } from "../src/index.ts";
import { openDatabase } from "../src/storage/open-database.ts";
import { freshPostgres, startServer } from "./served.ts";

const arg = process.argv.indexOf("--dialects");
const dialects = (arg > 0 ? (process.argv[arg + 1] ?? "") : "sqlite,postgres").split(",");
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
};

/** One HTTP round trip to the server, on a kept-alive connection (ms). */
function healthRoundTrip(api: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    request(`${api}/health`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - t0));
    })
      .on("error", reject)
      .end();
  });
}

async function measure(client: PrefectClient, api: string | null) {
  useClient(client);
  await client.concurrencyLimits.create({ name: "bench-free", limit: 1000 });
  await client.concurrencyLimits.create({ name: "bench-one", limit: 1 });
  await client.concurrencyLimits.create({
    name: "bench-rate",
    limit: 1,
    slot_decay_per_second: 20,
  });
  for (let i = 0; i < 30; i++) await concurrency("bench-free", () => undefined);

  const cycle: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await concurrency("bench-free", () => undefined);
    cycle.push(performance.now() - t0);
  }
  const floor: number[] = [];
  if (api) {
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 30; i++) await healthRoundTrip(api, agent);
    for (let i = 0; i < 300; i++) floor.push(await healthRoundTrip(api, agent));
    agent.destroy();
  }

  const wake: number[] = [];
  for (let i = 0; i < 50; i++) {
    const held = await concurrency("bench-one");
    let releasedAt = 0;
    const waiter = concurrency("bench-one", () => performance.now() - releasedAt);
    // the waiter is waiting (its first answer was full) before the release
    await new Promise((resolve) => setTimeout(resolve, 30));
    releasedAt = performance.now();
    await held.release();
    wake.push(await waiter);
  }

  const calls = 60;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await rateLimit("bench-rate");
  const seconds = (performance.now() - t0) / 1000;
  await shutdownRuntime();
  return {
    acquire_release_ms: { median: round(quantile(cycle, 0.5)), p95: round(quantile(cycle, 0.95)) },
    floor_http_round_trip_ms: api
      ? { median: round(quantile(floor, 0.5)), p95: round(quantile(floor, 0.95)) }
      : null,
    waiter_woken_after_release_ms: {
      median: round(quantile(wake, 0.5)),
      p95: round(quantile(wake, 0.95)),
    },
    // the first slot is free at once: the other 59 come at the decay rate
    rate_limit: {
      decay_per_s: 20,
      acquisitions_per_s: round((calls - 1) / seconds, 2),
    },
  };
}

const results: Record<string, unknown> = {};
for (const dialect of dialects) {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-bench-concurrency-"));
  const url =
    dialect === "postgres"
      ? await freshPostgres("prefect_ts_bench_concurrency")
      : join(home, "prefect.db");
  const [server, api] = await startServer(home, url, false);
  try {
    results[`${dialect}_client_mode`] = await measure(new HttpClient(api), api);
  } finally {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
  }
  const embeddedUrl =
    dialect === "postgres"
      ? await freshPostgres("prefect_ts_bench_concurrency")
      : join(home, "embedded.db");
  const database = await openDatabase({ url: embeddedUrl });
  results[`${dialect}_embedded`] = await measure(new EmbeddedClient(database), null);
  rmSync(home, { recursive: true, force: true });
}
const report = { bench: "concurrency", results };
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/concurrency.json", JSON.stringify(report, null, 2));

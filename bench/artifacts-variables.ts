/**
 * Variables and artifacts (JSON on stdout and bench/results/artifacts-variables.json), embedded
 * and against `prefect-ts server start` in its own process, on SQLite and PostgreSQL:
 *  - `variables.get` and `Block.load` (a block with a secret field) in a hot loop: median ms per
 *    call, beside one bare HTTP round trip to the same server (`GET /api/health`, keep-alive)
 *    measured in the same run;
 *  - 10,000 artifacts in one flow (10 markdown artifacts in each of 1,000 sequential tasks): the
 *    body's time (the task path: it never waits for an artifact to be written) with and without
 *    them, and the whole flow's time (its final state waits for every artifact to be written),
 *    as ms per artifact.
 * Usage: npm run bench:artifacts [-- --dialects sqlite,postgres] [--modes embedded,server]
 *   [--artifacts 10000]
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { HttpClient } from "../src/client/http-client.ts";
import type { PrefectClient } from "../src/client/prefect-client.ts";
import { EmbeddedClient } from "../src/embedded/embedded-client.ts";
import { shutdownRuntime, useClient } from "../src/engine/process-runtime.ts";
import { Block, createMarkdownArtifact, flow, Secret, task, variables } from "../src/index.ts";
import { loadSettings } from "../src/settings/settings.ts";
import { openDatabase } from "../src/storage/open-database.ts";
import { freshPostgres, startServer } from "./served.ts";

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const dialects = option("dialects", "sqlite,postgres").split(",");
const modes = option("modes", "embedded,server").split(",");
const ARTIFACTS = Number(option("artifacts", "10000"));
const TASKS = 1000;
const PER_TASK = Math.max(1, Math.round(ARTIFACTS / TASKS));
const GETS = 2000;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Median ms of `fn` over `n` sequential calls. */
async function medianMs(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** A block of the kind users define: a plain field and a secret. */
class BenchWarehouse extends Block.define(
  "bench-warehouse",
  z.object({ host: z.string(), password: Secret.field() }),
) {}

const plainStep = task({ name: "plain-step" }, async (i: number) => i + 1);
const artifactStep = task({ name: "artifact-step" }, async (i: number) => {
  for (let j = 0; j < PER_TASK; j++) {
    await createMarkdownArtifact({ key: `bench-${j}`, markdown: `# task ${i}, artifact ${j}` });
  }
  return i + 1;
});

/** A flow of TASKS sequential tasks; resolves with its body's ms and the whole call's ms. */
function chain(step: typeof plainStep) {
  const body = flow({ name: `bench-${step.name}` }, async () => {
    const t0 = performance.now();
    let total = 0;
    for (let i = 0; i < TASKS; i++) total += await step(i);
    return { total, bodyMs: performance.now() - t0 };
  });
  return async () => {
    const t0 = performance.now();
    const { bodyMs } = await body();
    return { bodyMs, flowMs: performance.now() - t0 };
  };
}
const plainFlow = chain(plainStep);
const artifactFlow = chain(artifactStep);

async function measure(client: PrefectClient, roundTripMs: number | null) {
  useClient(client, { ...loadSettings(), loggingLevel: "WARNING" });
  try {
    await variables.set(
      "bench-threshold",
      { limit: 12, regions: ["eu", "us"] },
      { overwrite: true },
    );
    for (let i = 0; i < 100; i++) await variables.get("bench-threshold");
    const getMs = await medianMs(GETS, () => variables.get("bench-threshold", 10));
    await new BenchWarehouse({ host: "db", password: "s3cr3t" }).save("bench", { overwrite: true });
    for (let i = 0; i < 100; i++) await BenchWarehouse.load("bench");
    const loadMs = await medianMs(GETS, () => BenchWarehouse.load("bench"));
    await plainFlow();
    await artifactFlow();
    const plain: { bodyMs: number; flowMs: number }[] = [];
    const withArtifacts: { bodyMs: number; flowMs: number }[] = [];
    for (let rep = 0; rep < 3; rep++) {
      plain.push(await plainFlow());
      withArtifacts.push(await artifactFlow());
    }
    const pBody = median(plain.map((r) => r.bodyMs));
    const aBody = median(withArtifacts.map((r) => r.bodyMs));
    const pFlow = median(plain.map((r) => r.flowMs));
    const aFlow = median(withArtifacts.map((r) => r.flowMs));
    const made = await client.artifacts.count({ keyLike: "bench-" });
    return {
      variables_get_median_ms: round(getMs),
      block_load_median_ms: round(loadMs),
      http_round_trip_median_ms: roundTripMs === null ? null : round(roundTripMs),
      artifacts_per_flow: TASKS * PER_TASK,
      task_path_ms_without_artifacts: round(pBody, 1),
      task_path_ms_with_artifacts: round(aBody, 1),
      task_path_ms_per_task_without: round(pBody / TASKS),
      task_path_ms_per_task_with: round(aBody / TASKS),
      flow_ms_without_artifacts: round(pFlow, 1),
      flow_ms_with_artifacts: round(aFlow, 1),
      ms_per_artifact_on_the_task_path: round((aBody - pBody) / (TASKS * PER_TASK)),
      ms_per_artifact_written: round((aFlow - pFlow) / (TASKS * PER_TASK)),
      artifacts_stored: made,
    };
  } finally {
    await shutdownRuntime();
  }
}

const results: Record<string, unknown>[] = [];
for (const dialect of dialects) {
  for (const mode of modes) {
    const home = mkdtempSync(join(tmpdir(), "prefect-ts-bench-artifacts-"));
    const url =
      dialect === "postgres"
        ? await freshPostgres(`prefect_ts_bench_artifacts_${mode}`)
        : join(home, "prefect.db");
    let server: ChildProcess | null = null;
    try {
      if (mode === "server") {
        const [child, api] = await startServer(home, url, false);
        server = child;
        const roundTrip = await medianMs(GETS, async () => (await fetch(`${api}/health`)).text());
        results.push({ dialect, mode, ...(await measure(new HttpClient(api), roundTrip)) });
      } else {
        const client = new EmbeddedClient(await openDatabase({ url }));
        results.push({ dialect, mode, ...(await measure(client, null)) });
      }
    } finally {
      server?.kill("SIGTERM");
      rmSync(home, { recursive: true, force: true });
    }
  }
}
const out = JSON.stringify(
  { bench: "artifacts-variables", node: process.version, results },
  null,
  2,
);
process.stdout.write(`${out}\n`);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/artifacts-variables.json", `${out}\n`);

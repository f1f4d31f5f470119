// The TypeScript twins of Prefect's caching, results and transactions docs examples, each run as
// a user runs it (a process of its own, importing "prefect-ts"), with what it prints checked.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

async function runExample(name: string): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), "prefect-ts-example-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PREFECT_HOME: home };
  delete env.PREFECT_API_URL;
  delete env.PREFECT_API_DATABASE_CONNECTION_URL;
  delete env.PREFECT_LOCAL_STORAGE_PATH;
  const child = spawn(process.execPath, ["--import", "tsx", `examples/caching/${name}.ts`], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const [code] = await once(child, "exit");
  rmSync(home, { recursive: true, force: true });
  assert.equal(code, 0, err);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "null") as Record<string, unknown>;
}

describe("caching, results and transactions examples", () => {
  it("cache-workflow-steps: DEFAULT, INPUTS, INPUTS minus an argument, expiration, refresh", async () => {
    assert.deepEqual(await runExample("cache-workflow-steps"), {
      defaultPolicy: ["Completed", "Cached", "Completed"],
      ran: ["stateful 1", "stateful 2", "debug-task 10 false", "expiring 100", "expiring 100"],
      refreshed: true,
      cached: true,
    });
  });

  it("cache-policies: key storage, static keys, cache key functions, SERIALIZABLE", async () => {
    assert.deepEqual(await runExample("cache-policies"), {
      keyStorage: "Cached",
      objects: ["Completed", "Cached"],
      serializable: ["Completed", "Cached"],
      raced: [44, 44],
      ran: ["static 1", "my_task_version_1 running"],
    });
  });

  it("results: per-task persistence and storage, storage keys, serializers, flow results", async () => {
    assert.deepEqual(await runExample("results"), {
      persisted: true,
      unpersisted: true,
      otherStorage: true,
      bigRoundTrips: true,
      flowResultPersisted: true,
      keys: [true, true, true],
    });
  });

  it("transactions: rollback, commit hooks, idempotency, races, cached tasks in a transaction", async () => {
    assert.deepEqual(await runExample("transactions"), {
      failedFlow: "FAILED",
      rolledBackFileExists: false,
      goodFileExists: true,
      log: ["committing a record now using the task's cache key!"],
      idempotency: ["written", "Data file has already been written. Exiting early."],
      raced: ["already written", "wrote"],
      raceFileHasOneWinner: true,
      loadDataRuns: 2,
      processed: 9,
    });
  });
});

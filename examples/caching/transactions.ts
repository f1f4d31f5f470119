/**
 * Twin of Prefect's "How to write transactional workflows": rollback hooks undo a written file
 * when a later task fails, commit hooks, values shared through the transaction, idempotency with
 * a transaction key, SERIALIZABLE isolation against races, and cached tasks in one transaction.
 * Run: npx tsx examples/caching/transactions.ts
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FileSystemLockManager,
  flow,
  IsolationLevel,
  ResultStore,
  task,
  transaction,
} from "prefect-ts";

export async function main() {
  const dir = mkdtempSync(join(tmpdir(), "transactions-"));
  const log: string[] = [];

  // a file written by one task is deleted when the quality test after it fails
  const writeFile = task(
    {
      name: "write_file",
      onRollback: [(txn) => unlinkSync(txn.get<string>("filename"))],
      onCommit: [() => void log.push("committing a record now using the task's cache key!")],
    },
    async (filename: string, contents: string) => writeFileSync(filename, contents),
  );
  const qualityTest = task({ name: "quality_test" }, async (filename: string) => {
    const lines = readFileSync(filename, "utf8").split("\n");
    if (lines.length < 2) throw new Error("Not enough data!");
  });
  const pipeline = flow({ name: "pipeline" }, async (filename: string, contents: string) => {
    await transaction({}, async (txn) => {
      txn.set("filename", filename);
      await writeFile(filename, contents);
      await qualityTest(filename);
    });
  });
  const bad = join(dir, "side-effect.txt");
  const failed = await pipeline.callWithState(bad, "hello world");
  const good = join(dir, "good.txt");
  await pipeline(good, "hello\nworld");

  // idempotency: the second run finds the key committed and exits early
  const downloadData = task({ name: "download_data" }, async () => "some data");
  const writeData = task({ name: "write_data" }, async (data: string) =>
    writeFileSync(join(dir, "data.txt"), data),
  );
  const idempotent = flow({ name: "idempotent-pipeline" }, async (key: string) =>
    transaction({ key }, async (txn) => {
      if (txn.isCommitted()) return "Data file has already been written. Exiting early.";
      await writeData(await downloadData());
      return "written";
    }),
  );
  const key = `download-and-write-data-${randomUUID()}`;
  const idempotency = [await idempotent(key), await idempotent(key)];

  // SERIALIZABLE: two concurrent pipelines with one key; the second waits, then exits early
  const store = new ResultStore({ lockManager: new FileSystemLockManager(join(dir, "locks")) });
  const winner = join(dir, "race-condition.txt");
  const race = flow({ name: "race-pipeline" }, async (txnKey: string, who: string) =>
    transaction(
      { key: txnKey, isolationLevel: IsolationLevel.SERIALIZABLE, store },
      async (txn) => {
        if (txn.isCommitted()) return `${who}: already written`;
        writeFileSync(winner, `${who} is the winner!`);
        return `${who}: wrote`;
      },
    ),
  );
  const raceKey = `race-condition-${randomUUID()}`;
  const raced = await Promise.all([race(raceKey, "Run 1"), race(raceKey, "Run 2")]);

  // cached tasks in one transaction: a failure keeps the first task's record from committing
  const loads: number[] = [];
  const staticKey = randomUUID();
  const loadData = task({ name: "load_data", cacheKeyFn: () => `${staticKey}-1` }, async () => {
    loads.push(1);
    return "some-data";
  });
  const processData = task(
    { name: "process_data", cacheKeyFn: () => `${staticKey}-2` },
    async (data: string, fail: boolean) => {
      if (fail) throw new Error("Error! Abort!");
      return data.length;
    },
  );
  const multiTaskCache = flow({ name: "multi_task_cache" }, async (fail: boolean) =>
    transaction({}, async () => processData(await loadData(), fail)),
  );
  await multiTaskCache.callWithState(true);
  const processed = await multiTaskCache(false);

  return {
    failedFlow: failed.type,
    rolledBackFileExists: existsSync(bad),
    goodFileExists: existsSync(good),
    log,
    idempotency,
    raced: raced.map((r) => r.split(": ")[1]).sort(), // one wrote, the other found it committed
    raceFileHasOneWinner: /^Run [12] is the winner!$/.test(readFileSync(winner, "utf8")),
    loadDataRuns: loads.length,
    processed,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await main()));

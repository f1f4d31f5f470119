/**
 * Twin of Prefect's "How to persist workflow results": per-task persistence and storage, result
 * storage keys filled from parameters, results kept out of memory, and serializers.
 * Run: npx tsx examples/caching/results.ts
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultResultStorage, flow, LocalFileSystem, task } from "prefect-ts";

export async function main() {
  const otherStorage = new LocalFileSystem(mkdtempSync(join(tmpdir(), "other-results-")));
  const myTask = task({ name: "my_task", persistResult: true }, async () => 42);
  const unpersistedTask = myTask.withOptions({ persistResult: false });
  const otherStorageTask = myTask.withOptions({ resultStorage: otherStorage });

  const helloWorld = task(
    { name: "hello_world", resultStorageKey: "hello-{parameters[name]}.json" },
    async (name = "world") => `hello ${name}`,
  );
  const big = task(
    {
      name: "bar",
      persistResult: true,
      cacheResultInMemory: false,
      resultSerializer: "compressed/rich-json",
    },
    async () => ({ at: new Date(0), rows: new Map([["a", "pretend this is biiiig data"]]) }),
  );

  const myFlow = flow({ name: "my-flow", persistResult: true }, async () => {
    const persisted = await myTask.callWithState();
    const unpersisted = await unpersistedTask.callWithState();
    const other = await otherStorageTask.callWithState();
    await helloWorld("world"); // a default value is not a bound parameter in JS: pass it
    await helloWorld("foo");
    await helloWorld("bar");
    const b = await big();
    return {
      persisted: persisted.persisted !== null,
      unpersisted: unpersisted.persisted === null,
      otherStorage: other.persisted?.storage_key?.startsWith(otherStorage.basepath) ?? false,
      bigRoundTrips: b.rows instanceof Map && b.at instanceof Date,
    };
  });
  const state = await myFlow.callWithState();
  const base = defaultResultStorage().basepath;
  return {
    ...(await state.result()),
    flowResultPersisted: state.persisted !== null,
    keys: ["world", "foo", "bar"].map((n) => existsSync(join(base, `hello-${n}.json`))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await main()));

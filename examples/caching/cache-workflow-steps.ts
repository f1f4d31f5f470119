/**
 * Twin of Prefect's "How to cache workflow step outputs": persisted results, the DEFAULT policy,
 * INPUTS, INPUTS minus an argument, expiration and refresh.
 * Run: npx tsx examples/caching/cache-workflow-steps.ts
 */
import { flow, INPUTS, TASK_SOURCE, task } from "prefect-ts";

export async function main() {
  const ran: string[] = [];

  // persistResult turns on the DEFAULT policy: inputs + task source + flow run id
  const addOne = task({ name: "add_one", persistResult: true }, async (x: number) => x + 1);
  const myFlow = flow({ name: "my-flow" }, async () => {
    const states = [
      await addOne.callWithState(1), // will not be cached
      await addOne.callWithState(1), // will be cached
      await addOne.callWithState(2), // will not be cached
    ];
    return states.map((s) => s.name);
  });
  const defaultPolicy = await myFlow();

  // INPUTS: cached across flow runs, as long as the inputs are the same
  const stateful = task({ name: "my_stateful_task", cachePolicy: INPUTS }, async (x: number) => {
    ran.push(`stateful ${x}`);
    return x + 1;
  });
  // INPUTS minus 'debug': the debug flag does not change the key
  const withDebug = task(
    { name: "my_debug_task", cachePolicy: INPUTS.minus("debug") },
    async (x: number, debug = false) => {
      ran.push(`debug-task ${x} ${debug}`);
      return x + 1;
    },
  );
  // an expiration: the record lapses (here at once), so the task runs again
  const expiring = task(
    { name: "expiring_task", cachePolicy: INPUTS, cacheExpiration: 0 },
    async (x: number) => {
      ran.push(`expiring ${x}`);
      return x + 1;
    },
  );
  // refreshCache: always recompute, and overwrite the record
  const neverCaching = task(
    { name: "never_caching_task", cachePolicy: TASK_SOURCE, refreshCache: true },
    async () => Math.random(),
  );
  const caching = task(
    { name: "caching_task", cachePolicy: TASK_SOURCE, refreshCache: false },
    async () => Math.random(),
  );
  const stepsFlow = flow({ name: "cache-steps" }, async () => {
    await stateful(1); // runs
    await stateful(1); // cached
    await stateful(2); // runs
    // (INPUTS alone keys only on inputs: tasks sharing it share keys, so these use other inputs)
    await withDebug(10); // runs
    await withDebug(10, true); // cached
    await withDebug(10, false); // cached
    await expiring(100);
    await expiring(100); // expired: runs again
    const [fresh1, fresh2] = [await neverCaching(), await neverCaching()];
    const [same1, same2] = [await caching(), await caching()];
    return { refreshed: fresh1 !== fresh2, cached: same1 === same2 };
  });
  const flags = await stepsFlow();
  return { defaultPolicy, ran, ...flags };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await main()));

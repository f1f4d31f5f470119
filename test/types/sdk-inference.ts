/**
 * Compile-only checks of what TypeScript infers for flows, tasks and futures (run by
 * `npm run typecheck`; nothing here executes).
 */
import { z } from "zod";
import {
  flow,
  type PrefectClient,
  type PrefectFuture,
  type PrefectFutureList,
  type State,
  task,
  unmapped,
} from "../../src/index.ts";

const add = task(async (a: number, b: number) => a + b);
export async function checks(): Promise<void> {
  const n: number = await add(1, 2);
  // @ts-expect-error a string is not a number
  await add("1", 2);
  const fut: PrefectFuture<number> = add.submit(1, 2);
  await add(fut, 3); // futures stand in for their values
  const list: PrefectFutureList<number> = add.map([1, 2, 3], unmapped(10));
  const results: number[] = await list;
  const state: State<number> = await add.callWithState(1, 2);
  const viaOptions = add.withOptions({ retries: 2 });
  const m: number = await viaOptions(1, 1);

  const crawl = flow(
    { name: "crawl", params: z.object({ urls: z.array(z.string()) }) },
    async ({ urls }) => {
      const count: number = urls.length;
      return count;
    },
  );
  const c: number = await crawl({ urls: ["a"] });
  // @ts-expect-error urls must be strings
  await crawl({ urls: [1] });
  const plain = flow(async (x: number) => `${x}`);
  const s: string = await plain(1);
  void [n, results, state, m, c, s];
}

/** Listing sorts are Prefect's enums: one Prefect does not have for the resource does not compile. */
export async function sorts(client: PrefectClient): Promise<void> {
  await client.readFlowRuns({ sort: "START_TIME_DESC" });
  await client.readTaskRuns({ sort: "EXPECTED_START_TIME_ASC" });
  await client.readFlows({ sort: "CREATED_DESC" });
  await client.readLogs({ sort: "TIMESTAMP_DESC" });
  // @ts-expect-error task runs have no START_TIME_* sort in Prefect
  await client.readTaskRuns({ sort: "START_TIME_ASC" });
  // @ts-expect-error flow runs have no CREATED_DESC sort in Prefect
  await client.readFlowRuns({ sort: "CREATED_DESC" });
}

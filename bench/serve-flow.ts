/**
 * The serving process of bench/serve.ts: one deployment of a flow whose body's first line writes
 * `BODY <flow run id> <epoch ms>` to standard output, and does nothing else.
 */
import { writeSync } from "node:fs";
import { flow, getRunContext } from "../src/index.ts";

export const benchServed = flow({ name: "bench-served" }, async () => {
  writeSync(1, `BODY ${getRunContext()?.flowRun?.id} ${Date.now()}\n`);
});

await benchServed.serve({
  name: "bench",
  limit: Number(process.env.BENCH_LIMIT ?? 5),
  runsPerProcess: Number(process.env.BENCH_RUNS_PER_PROCESS ?? 100),
  pauseOnShutdown: false,
});

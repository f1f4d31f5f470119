/**
 * The flow of bench/workers.ts: ten tasks, its body's first line writing `BODY <flow run id>
 * <epoch ms>` to standard output. Run as a script (`floor <runs> <concurrency>`), it calls the flow
 * itself that many times in this process (client mode): the floor the workers are measured against.
 */
import { writeSync } from "node:fs";
import { flow, getRunContext, shutdownRuntime, task } from "../src/index.ts";

const inc = task({ name: "inc" }, async (x: number) => x + 1);

export const benchWorkerFlow = flow({ name: "bench-worker-flow" }, async () => {
  writeSync(1, `BODY ${getRunContext()?.flowRun?.id} ${Date.now()}\n`);
  let x = 0;
  for (let i = 0; i < 10; i++) x = await inc(x);
  return x;
});

if (process.argv[2] === "floor") {
  const runs = Number(process.argv[3] ?? 200);
  const concurrency = Number(process.argv[4] ?? 20);
  await benchWorkerFlow(); // warm
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        next++;
        await benchWorkerFlow();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await shutdownRuntime();
  writeSync(1, `FLOOR ${runs / seconds}\n`);
}

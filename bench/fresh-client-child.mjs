// One measurement in a fresh process, as a worker or a serving process starts one: the SDK as
// built (the package's export: the bundle in lib/), in client mode (PREFECT_API_URL set by the
// parent). Prints one JSON line: the milliseconds from the flow call to its return, and the flow
// run's id. The first call of a process pays for opening the client, its connections and
// creating the flow: that is the point.
import { flow, getRunContext, task } from "../lib/main/index.js";

const [kind = "one", n = "1"] = process.argv.slice(2);
const count = Number(n);
const step = task({ name: "step" }, async (i) => i);

const f = flow({ name: `fresh-${kind}` }, async () => {
  const id = getRunContext()?.flowRun?.id;
  if (kind === "map") {
    const futures = step.map(Array.from({ length: count }, (_, i) => i));
    await Promise.all(futures.map((future) => future.result()));
  } else {
    for (let i = 0; i < count; i++) await step(i);
  }
  return id;
});

if (kind === "floor") {
  // the floor: a fresh process's first request to the same server
  // (over node:http, as the client sends its requests)
  const { get } = await import("node:http");
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    get(`${process.env.PREFECT_API_URL}/health`, (res) => {
      res.resume();
      res.on("end", resolve);
    }).on("error", reject);
  });
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, id: null })}\n`);
} else {
  const t0 = performance.now();
  const id = await f();
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, id })}\n`);
}

/**
 * A first flow: tasks with retries, concurrent mapped tasks, a subflow and captured prints, all
 * recorded in the local database (~/.prefect-ts/prefect.db unless PREFECT_HOME says otherwise).
 * Run: npm run example
 */
import { createClient, flow, getRunLogger, task } from "prefect-ts";
import { z } from "zod";

const attempts = new Map<string, number>();
const fetchPage = task(
  { name: "fetch-page", retries: 2, retryDelaySeconds: 0.2 },
  async (url: string) => {
    const attempt = (attempts.get(url) ?? 0) + 1;
    attempts.set(url, attempt);
    if (url.endsWith("/flaky") && attempt < 3) {
      throw new Error(`temporary failure fetching ${url}`);
    }
    return { url, status: 200, bytes: url.length * 100 };
  },
);

const summarize = task({ name: "summarize" }, async (pages: { bytes: number }[]) =>
  pages.reduce((total, p) => total + p.bytes, 0),
);

const report = flow({ name: "report" }, async (total: number) => {
  getRunLogger().info(`writing a report of ${total} bytes`);
  return `report: ${total} bytes`;
});

export const crawl = flow(
  { name: "crawl", params: z.object({ urls: z.array(z.string().url()) }), logPrints: true },
  async ({ urls }) => {
    const pages = await fetchPage.map(urls); // one task run per url, run concurrently
    console.log(`got ${pages.length} pages`); // captured as a run log (logPrints)
    const total = await summarize(pages);
    return report(total); // a subflow: a child flow run linked through a task run
  },
);

const result = await crawl({
  urls: ["https://example.com/a", "https://example.com/b", "https://example.com/flaky"],
});
console.log(`\nflow returned: ${result}`);

// What was recorded, read back through the same client the CLI uses.
const client = await createClient();
const [run] = await client.readFlowRuns({
  flowNames: ["crawl"],
  limit: 1,
  sort: "START_TIME_DESC",
});
if (run) {
  const taskRuns = await client.readTaskRuns({
    flowRunIds: [run.id],
    sort: "EXPECTED_START_TIME_ASC",
  });
  const logs = await client.readLogs({ flowRunId: run.id });
  console.log(`recorded in ${client.location}:`);
  console.log(
    `  flow run ${run.name} (${run.id}): ${run.state_name}, ${run.total_run_time.toFixed(3)} s`,
  );
  for (const t of taskRuns)
    console.log(`    task run ${t.name}: ${t.state_name} after ${t.run_count} attempt(s)`);
  console.log(`  ${logs.length} log lines; try: npx prefect-ts flow-run logs ${run.id}`);
}
await client.close();

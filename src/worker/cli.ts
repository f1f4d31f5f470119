/**
 * `prefect-ts worker start --pool NAME`: a process worker serving a work pool (Prefect's
 * `prefect worker start`), until SIGTERM/SIGINT (or, with `--run-once`, until the runs due now
 * have ended).
 */
import { type Command, InvalidArgumentError } from "commander";
import { CliError, type CliIo, collect, positiveInt } from "../cli/support.ts";
import { isPrefectTsError } from "../core/errors.ts";

interface WorkerStartOptions {
  pool: string;
  workQueue: string[];
  name?: string;
  limit?: number;
  type?: string;
  prefetchSeconds?: number;
  runOnce?: boolean;
  warmProcesses?: number;
  runsPerProcess?: number;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("give a number ≥ 0.");
  return n;
}

export function registerWorker(program: Command, _io: CliIo): void {
  const group = program.command("worker").description("Start and interact with workers.");
  group
    .command("start")
    .description("Start a worker that runs the flow runs of a work pool.")
    .requiredOption("-p, --pool <name>", "The work pool to serve")
    .option("-q, --work-queue <name>", "Only this queue of the pool (repeatable)", collect, [])
    .option("-n, --name <name>", "The worker's name (default: a generated one)")
    .option("-l, --limit <n>", "Flow runs at once (default 10)", positiveInt)
    .option("-t, --type <type>", "The worker's type (prefect-ts has the 'process' worker)")
    .option(
      "--prefetch-seconds <seconds>",
      "Claim runs due within this many seconds ahead (default 10)",
      nonNegative,
    )
    .option("--run-once", "Run the flow runs due now, then stop")
    .option(
      "--warm-processes <n>",
      "Processes kept loaded, waiting for runs (default 4)",
      nonNegative,
    )
    .option(
      "--runs-per-process <n>",
      "Runs a process takes before it is replaced (default 100)",
      positiveInt,
    )
    .action(async (options: WorkerStartOptions) => {
      if (options.type && options.type !== "process")
        throw new CliError(
          `No worker of type '${options.type}' in prefect-ts: it has the 'process' worker (see docs/guides/workers.md to write one).`,
        );
      const { ProcessWorker } = await import("./process-worker.ts");
      const worker = new ProcessWorker({
        pool: options.pool,
        workQueues: options.workQueue.length ? options.workQueue : undefined,
        name: options.name,
        limit: options.limit,
        prefetchSeconds: options.prefetchSeconds,
        runOnce: options.runOnce,
        warmProcesses: options.warmProcesses,
        runsPerProcess: options.runsPerProcess,
      });
      try {
        await worker.start();
      } catch (error) {
        if (isPrefectTsError(error)) throw new CliError(error.message);
        throw error;
      }
    });
}

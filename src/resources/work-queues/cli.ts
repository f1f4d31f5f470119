/**
 * `prefect-ts work-queue`: create, list, inspect, pause, resume, set and clear the concurrency
 * limit, and delete work queues, with Prefect's messages. A queue is named by its name (in the pool
 * of `--pool`, else in Prefect's `default-agent-pool`) or by its id.
 */
import { type Command, InvalidArgumentError } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { renderTable } from "../../cli/output/table.ts";
import { CliError, type CliIo, isNotFound, wantsJson, withClient } from "../../cli/support.ts";
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { WorkQueueUpdateOptions } from "../../client/work-pools-api.ts";
import { isPrefectTsError } from "../../core/errors.ts";
import { isUuid } from "../../core/ids.ts";
import { compareIso } from "../../core/time.ts";
import { DEFAULT_AGENT_WORK_POOL_NAME, type WorkQueue } from "../../core/work-pools.ts";

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("must be a whole number, 0 or more.");
  }
  return n;
}

/** The queue a name or id names, or Prefect's message that there is none. */
async function findQueue(
  client: PrefectClient,
  nameOrId: string,
  pool: string | undefined,
): Promise<WorkQueue> {
  if (!nameOrId) throw new CliError("Provide a work queue name.");
  try {
    if (isUuid(nameOrId)) return await client.workPools.readQueueById(nameOrId);
    return await client.workPools.readQueue(pool ?? DEFAULT_AGENT_WORK_POOL_NAME, nameOrId);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new CliError(
      pool
        ? `No work queue named '${nameOrId}' found in work pool '${pool}'.`
        : `No work queue named '${nameOrId}' found.`,
    );
  }
}

function registerCreate(group: Command, io: CliIo): void {
  group
    .command("create")
    .description("Create a work queue.")
    .argument("<name>", "The unique name to assign this work queue")
    .option("-l, --limit <n>", "The concurrency limit to set on the queue.", wholeNumber)
    .option("-p, --pool <name>", "The name of the work pool to create the work queue in.")
    .option("-q, --priority <n>", "The associated priority for the created work queue", wholeNumber)
    .action(async (name: string, options: { limit?: number; pool?: string; priority?: number }) => {
      const queue = await withClient((client) =>
        client.workPools
          .createQueue(options.pool ?? null, {
            name,
            priority: options.priority,
            concurrencyLimit: options.limit,
          })
          .catch((error: unknown) => {
            if (isNotFound(error)) {
              throw new CliError(`Work pool with name: '${options.pool}' not found.`);
            }
            if (isPrefectTsError(error) && error.code === "ERR_CONFLICT") {
              throw new CliError(`Work queue with name: '${name}' already exists.`);
            }
            if (isPrefectTsError(error)) throw new CliError(error.message);
            throw error;
          }),
      );
      const pool = options.pool ?? DEFAULT_AGENT_WORK_POOL_NAME;
      io.out(
        [
          "Created work queue with properties:",
          `    name - '${name}'`,
          `    work pool - '${pool}'`,
          `    id - ${queue.id}`,
          `    concurrency limit - ${options.limit ?? "None"}`,
          "Start a worker to pick up flow runs from the work queue:",
          `    prefect-ts worker start -q '${queue.name}' -p '${pool}'`,
          "",
          "Inspect the work queue:",
          `    prefect-ts work-queue inspect '${queue.name}'${options.pool ? ` -p '${pool}'` : ""}`,
        ].join("\n"),
      );
    });
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("View all work queues.")
    .option("-v, --verbose", "Display more information.")
    .option("-p, --pool <name>", "The name of the work pool containing the work queues to list.")
    .option(
      "-m, --match <prefix>",
      "Will match work queues with names that start with the specified prefix string",
    )
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(
      async (options: { verbose?: boolean; pool?: string; match?: string; output?: string }) => {
        const json = wantsJson(options.output);
        const { queues, pools } = await withClient(async (client) => {
          const pools = options.pool
            ? [
                await client.workPools.read(options.pool).catch((error: unknown) => {
                  if (isNotFound(error))
                    throw new CliError(`No work pool found: '${options.pool}'`);
                  throw error;
                }),
              ]
            : await client.workPools.list();
          const queues = (
            await Promise.all(pools.map((p) => client.workPools.listQueues(p.name)))
          ).flat();
          return { queues, pools };
        });
        const matched = queues
          .filter((q) => !options.match || q.name.startsWith(options.match))
          .sort((a, b) => compareIso(b.created, a.created));
        if (json) return io.out(JSON.stringify(matched, null, 2));
        const poolName = new Map(pools.map((p) => [p.id, p.name]));
        const name = (q: WorkQueue) => (q.is_paused ? `${q.name} (**)` : q.name);
        const limit = (q: WorkQueue) =>
          q.concurrency_limit === null ? "None" : String(q.concurrency_limit);
        if (options.pool) {
          io.out(
            renderTable({
              title: `Work Queues in Work Pool '${options.pool}'`,
              columns: [
                { header: "Name" },
                { header: "Priority" },
                { header: "Concurrency Limit" },
                ...(options.verbose ? [{ header: "Description" }] : []),
              ],
              rows: matched.map((q) => [
                name(q),
                String(q.priority),
                limit(q),
                ...(options.verbose ? [q.description ?? ""] : []),
              ]),
            }),
          );
        } else {
          io.out(
            renderTable({
              title: "Work Queues",
              columns: [
                { header: "Name" },
                { header: "Pool" },
                { header: "ID", justify: "right" },
                { header: "Concurrency Limit" },
              ],
              rows: matched.map((q) => [
                name(q),
                poolName.get(q.work_pool_id ?? "") ?? "",
                q.id,
                limit(q),
              ]),
            }),
          );
        }
        io.out("(**) denotes a paused queue");
      },
    );
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("Inspect a work queue.")
    .argument("<name>", "The name or ID of the work queue to inspect")
    .option("-p, --pool <name>", "The name of the work pool that the work queue belongs to.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (nameOrId: string, options: { pool?: string; output?: string }) => {
      const json = wantsJson(options.output);
      const queue = await withClient((client) => findQueue(client, nameOrId, options.pool));
      if (json) return io.out(JSON.stringify(queue, null, 2));
      io.out(renderKeyValues({ ...queue }).join("\n"));
    });
}

/** A change of a queue, with Prefect's message when it is done. */
function registerChange(
  group: Command,
  io: CliIo,
  spec: {
    command: string;
    description: string;
    limitArgument?: boolean;
    change: (limit: number | undefined) => WorkQueueUpdateOptions;
    done: (name: string, pool: string | undefined, limit: number | undefined) => string;
  },
): void {
  const cmd = group
    .command(spec.command)
    .description(spec.description)
    .argument("<name>", "The name or ID of the work queue");
  if (spec.limitArgument) {
    cmd.argument("<limit>", "The concurrency limit to set on the queue.", wholeNumber);
  }
  cmd.option("-p, --pool <name>", "The name of the work pool that the work queue belongs to.");
  cmd.action(async (name: string, ...rest: unknown[]) => {
    const limit = spec.limitArgument ? (rest[0] as number) : undefined;
    const options = (spec.limitArgument ? rest[1] : rest[0]) as { pool?: string };
    await withClient(async (client) => {
      const queue = await findQueue(client, name, options.pool);
      await client.workPools.updateQueue(
        queue.work_pool_name ?? options.pool ?? DEFAULT_AGENT_WORK_POOL_NAME,
        queue.name,
        spec.change(limit),
      );
    });
    io.out(spec.done(name, options.pool, limit));
  });
}

function registerDelete(group: Command, io: CliIo): void {
  group
    .command("delete")
    .description("Delete a work queue.")
    .argument("<name>", "The name or ID of the work queue to delete")
    .option("-p, --pool <name>", "The name of the work pool containing the work queue to delete.")
    .action(async (name: string, options: { pool?: string }) => {
      await withClient(async (client) => {
        const queue = await findQueue(client, name, options.pool);
        await client.workPools
          .deleteQueue(queue.work_pool_name ?? DEFAULT_AGENT_WORK_POOL_NAME, queue.name)
          .catch((error: unknown) => {
            if (isPrefectTsError(error) && !isNotFound(error)) throw new CliError(error.message);
            throw error;
          });
      });
      io.out(
        options.pool
          ? `Successfully deleted work queue '${name}' in work pool '${options.pool}'`
          : `Successfully deleted work queue '${name}'`,
      );
    });
}

const inPool = (pool: string | undefined) => (pool ? ` in work pool '${pool}'` : "");

export function registerWorkQueue(program: Command, io: CliIo): void {
  const group = program
    .command("work-queue")
    .alias("work-queues")
    .description("Manage work queues.");
  registerCreate(group, io);
  registerLs(group, io);
  registerInspect(group, io);
  registerChange(group, io, {
    command: "pause",
    description: "Pause a work queue.",
    change: () => ({ paused: true }),
    done: (name, pool) => `Work queue '${name}'${inPool(pool)} paused`,
  });
  registerChange(group, io, {
    command: "resume",
    description: "Resume a paused work queue.",
    change: () => ({ paused: false }),
    done: (name, pool) => `Work queue '${name}'${inPool(pool)} resumed`,
  });
  registerChange(group, io, {
    command: "set-concurrency-limit",
    description: "Set a concurrency limit on a work queue.",
    limitArgument: true,
    change: (limit) => ({ concurrencyLimit: limit }),
    done: (name, pool, limit) =>
      `Concurrency limit of ${limit} set on work queue '${name}'${inPool(pool)}`,
  });
  registerChange(group, io, {
    command: "clear-concurrency-limit",
    description: "Clear any concurrency limits from a work queue.",
    change: () => ({ concurrencyLimit: null }),
    done: (name, pool) => `Concurrency limits removed on work queue '${name}'${inPool(pool)}`,
  });
  registerDelete(group, io);
}

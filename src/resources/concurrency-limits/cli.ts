/**
 * `prefect-ts global-concurrency-limit` (alias `gcl`): create, list, inspect, update, enable,
 * disable and delete global concurrency limits; `prefect-ts concurrency-limit`: tag limits on task
 * runs. Messages and tables as Prefect's CLI prints them.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { renderTable } from "../../cli/output/table.ts";
import { pythonDatetime } from "../../cli/output/time.ts";
import {
  CliError,
  type CliIo,
  isNotFound,
  positiveInt,
  wantsJson,
  withClient,
} from "../../cli/support.ts";
import type { ConcurrencyLimit } from "../../core/concurrency.ts";
import type { GlobalConcurrencyLimitUpdate } from "../../core/concurrency-requests.ts";
import { ConflictError } from "../../core/errors.ts";

/** A whole number, 0 or more. */
function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("must be a whole number, 0 or more.");
  }
  return n;
}

/** A number of slots per second, 0 or more. */
function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError("must be a number, 0 or more.");
  }
  return n;
}

function gclNotFound(name: string) {
  return (error: unknown): never => {
    if (isNotFound(error)) {
      throw new CliError(`Global concurrency limit '${name}' not found.`);
    }
    throw error;
  };
}

function renderLimit(limit: ConcurrencyLimit): string {
  return [`GlobalConcurrencyLimit`, ...renderKeyValues({ ...limit }, 1)].join("\n");
}

interface CreateOptions {
  limit: number;
  disable?: boolean;
  activeSlots?: number;
  slotDecayPerSecond?: number;
}

interface UpdateOptions {
  enable?: boolean;
  disable?: boolean;
  limit?: number;
  activeSlots?: number;
  slotDecayPerSecond?: number;
}

export function registerGlobalConcurrencyLimit(program: Command, io: CliIo): void {
  const gcl = program
    .command("global-concurrency-limit")
    .alias("gcl")
    .description("Manage global concurrency limits.");

  gcl
    .command("ls")
    .description("List all global concurrency limits.")
    .option("-o, --output <format>", "Output format: json")
    .action(async (options: { output?: string }) => {
      const json = wantsJson(options.output);
      const limits = await withClient((client) => client.concurrencyLimits.list());
      if (json) return io.out(JSON.stringify(limits, null, 2));
      if (limits.length === 0) return io.out("No global concurrency limits found.");
      io.out(
        renderTable({
          title: "Global Concurrency Limits",
          columns: [
            { header: "ID", justify: "right" },
            { header: "Name" },
            { header: "Active" },
            { header: "Limit" },
            { header: "Active Slots" },
            { header: "Slot Decay Per Second" },
            { header: "Created" },
            { header: "Updated" },
          ],
          rows: limits.map((l) => [
            l.id,
            l.name,
            String(l.active),
            String(l.limit),
            String(l.active_slots),
            String(l.slot_decay_per_second),
            l.created ? pythonDatetime(l.created) : "",
            l.updated ? pythonDatetime(l.updated) : "",
          ]),
        }),
      );
    });

  gcl
    .command("inspect")
    .description("Inspect a global concurrency limit.")
    .argument("<name>", "The name of the global concurrency limit to inspect.")
    .option("-o, --output <format>", "Output format: json")
    .action(async (name: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const limit = await withClient((client) =>
        client.concurrencyLimits.read(name).catch(gclNotFound(name)),
      );
      io.out(json ? JSON.stringify(limit, null, 2) : renderLimit(limit));
    });

  gcl
    .command("create")
    .description("Create a global concurrency limit.")
    .argument("<name>", "The name of the global concurrency limit to create.")
    .requiredOption("-l, --limit <n>", "The limit of the global concurrency limit.", nonNegativeInt)
    .option("--disable", "Create an inactive global concurrency limit.")
    .option("--active-slots <n>", "The number of active slots.", nonNegativeInt)
    .option("--slot-decay-per-second <n>", "The slot decay per second.", nonNegativeNumber)
    .action(async (name: string, options: CreateOptions) => {
      if (options.activeSlots !== undefined && options.activeSlots > options.limit) {
        throw new CliError(
          `Active slots (${options.activeSlots}) cannot be greater than the limit (${options.limit}).`,
        );
      }
      const created = await withClient(async (client) => {
        const existing = await client.concurrencyLimits.read(name).catch((error: unknown) => {
          if (isNotFound(error)) return null;
          throw error;
        });
        if (existing) throw new CliError(`Global concurrency limit '${name}' already exists.`);
        return client.concurrencyLimits
          .create({
            name,
            limit: options.limit,
            active: !options.disable,
            active_slots: options.activeSlots ?? 0,
            slot_decay_per_second: options.slotDecayPerSecond ?? 0,
          })
          .catch((error: unknown) => {
            if (error instanceof ConflictError) {
              throw new CliError(`Global concurrency limit '${name}' already exists.`);
            }
            throw error;
          });
      });
      io.out(
        `Created global concurrency limit with name '${name}' and ID '${created.id}'. Run \`prefect-ts gcl inspect ${name}\` to view details.`,
      );
    });

  gcl
    .command("update")
    .description("Update a global concurrency limit.")
    .argument("<name>", "The name of the global concurrency limit to update.")
    .addOption(new Option("--enable", "Enable the global concurrency limit.").conflicts("disable"))
    .option("--disable", "Disable the global concurrency limit.")
    .option("-l, --limit <n>", "The limit of the global concurrency limit.", nonNegativeInt)
    .option("--active-slots <n>", "The number of active slots.", nonNegativeInt)
    .option("--slot-decay-per-second <n>", "The slot decay per second.", nonNegativeNumber)
    .action(async (name: string, options: UpdateOptions) => {
      const update: GlobalConcurrencyLimitUpdate = {};
      if (options.enable) update.active = true;
      if (options.disable) update.active = false;
      if (options.limit !== undefined) update.limit = options.limit;
      if (options.activeSlots !== undefined) update.active_slots = options.activeSlots;
      if (options.slotDecayPerSecond !== undefined) {
        update.slot_decay_per_second = options.slotDecayPerSecond;
      }
      if (Object.keys(update).length === 0) {
        throw new CliError("No update arguments provided.");
      }
      await withClient((client) =>
        client.concurrencyLimits.update(name, update).catch(gclNotFound(name)),
      );
      io.out(`Updated global concurrency limit with name '${name}'.`);
    });

  for (const [verb, active] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    gcl
      .command(verb)
      .description(`${verb === "enable" ? "Enable" : "Disable"} a global concurrency limit.`)
      .argument("<name>", `The name of the global concurrency limit to ${verb}.`)
      .action(async (name: string) => {
        await withClient((client) =>
          client.concurrencyLimits.update(name, { active }).catch(gclNotFound(name)),
        );
        io.out(
          `${verb === "enable" ? "Enabled" : "Disabled"} global concurrency limit with name '${name}'.`,
        );
      });
  }

  gcl
    .command("delete")
    .description("Delete a global concurrency limit.")
    .argument("<name>", "The name of the global concurrency limit to delete.")
    .action(async (name: string) => {
      await withClient((client) => client.concurrencyLimits.delete(name).catch(gclNotFound(name)));
      io.out(`Deleted global concurrency limit with name '${name}'.`);
    });
}

function tagNotFound(tag: string) {
  return (error: unknown): never => {
    if (isNotFound(error)) throw new CliError(`No concurrency limit found for the tag: ${tag}`);
    throw error;
  };
}

export function registerConcurrencyLimit(program: Command, io: CliIo): void {
  const group = program
    .command("concurrency-limit")
    .description("Manage task-level concurrency limits.");

  group
    .command("create")
    .description("Create a concurrency limit against a tag.")
    .argument("<tag>", "The tag the limit applies to.")
    .argument("<limit>", "How many task runs with the tag may run at once.", nonNegativeInt)
    .action(async (tag: string, limit: number) => {
      await withClient((client) => client.concurrencyLimits.createTagLimit(tag, limit));
      io.out(
        [
          "Created concurrency limit with properties:",
          `    tag - '${tag}'`,
          `    concurrency_limit - ${limit}`,
          "",
          "Delete the concurrency limit:",
          `    prefect-ts concurrency-limit delete '${tag}'`,
          "",
          "Inspect the concurrency limit:",
          `    prefect-ts concurrency-limit inspect '${tag}'`,
        ].join("\n"),
      );
    });

  group
    .command("inspect")
    .description("View details about a concurrency limit.")
    .argument("<tag>", "The tag of the limit.")
    .option("-o, --output <format>", "Output format: json")
    .action(async (tag: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const limit = await withClient((client) =>
        client.concurrencyLimits.readTagLimit(tag).catch(tagNotFound(tag)),
      );
      if (json) return io.out(JSON.stringify(limit, null, 2));
      io.out(
        [
          `Concurrency limit for the tag: ${tag}`,
          ...renderKeyValues(
            {
              id: limit.id,
              concurrency_limit: limit.concurrency_limit,
              "active task run ids": limit.active_slots.join(", ") || "(none)",
              created: limit.created,
              updated: limit.updated,
            },
            1,
          ),
        ].join("\n"),
      );
    });

  group
    .command("ls")
    .description("View all concurrency limits.")
    .option("--limit <n>", "Maximum number of limits to list.", positiveInt, 200)
    .option("-o, --output <format>", "Output format: json")
    .action(async (options: { limit: number; output?: string }) => {
      const json = wantsJson(options.output);
      const limits = await withClient((client) =>
        client.concurrencyLimits.listTagLimits({ limit: options.limit }),
      );
      if (json) return io.out(JSON.stringify(limits, null, 2));
      if (limits.length === 0) return io.out("No concurrency limits found.");
      io.out(
        renderTable({
          title: "Concurrency Limits",
          columns: [
            { header: "Tag" },
            { header: "ID", justify: "right" },
            { header: "Concurrency Limit" },
            { header: "Active Task Run IDs" },
          ],
          rows: limits.map((l) => [
            l.tag,
            l.id,
            String(l.concurrency_limit),
            l.active_slots.join(", "),
          ]),
        }),
      );
    });

  group
    .command("reset")
    .description("Free every slot of a tag's concurrency limit.")
    .argument("<tag>", "The tag of the limit.")
    .action(async (tag: string) => {
      await withClient((client) =>
        client.concurrencyLimits.resetTagLimit(tag).catch(tagNotFound(tag)),
      );
      io.out(`Reset concurrency limit set on the tag: ${tag}`);
    });

  group
    .command("delete")
    .description("Delete the concurrency limit set on a tag.")
    .argument("<tag>", "The tag of the limit.")
    .action(async (tag: string) => {
      await withClient((client) =>
        client.concurrencyLimits.deleteTagLimit(tag).catch(tagNotFound(tag)),
      );
      io.out(`Deleted concurrency limit set on the tag: ${tag}`);
    });
}

/**
 * `prefect-ts work-pool`: create, list, inspect, update, pause, resume, delete, set and clear the
 * concurrency limit, print a worker type's default base job template, and preview the runs a
 * pool's workers would start — with Prefect's messages and `-o json` where Prefect has it.
 */
import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { renderTable } from "../../cli/output/table.ts";
import { pythonDatetime } from "../../cli/output/time.ts";
import { CliError, type CliIo, isNotFound, wantsJson, withClient } from "../../cli/support.ts";
import type { WorkPoolUpdateOptions } from "../../client/work-pools-api.ts";
import { defaultBaseJobTemplate } from "../../core/base-job-templates.ts";
import { isPrefectTsError } from "../../core/errors.ts";
import { addSeconds, compareIso, nowIso } from "../../core/time.ts";
import type { BaseJobTemplate } from "../../core/work-pools.ts";

/** The worker types this package has a default base job template for. */
const KNOWN_TYPES = ["process"];

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("must be a whole number, 0 or more.");
  }
  return n;
}

/** A base job template from a JSON file, or the CLI's error naming the file. */
function readTemplate(path: string): BaseJobTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CliError(
      `Could not read the base job template ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CliError(`The base job template ${path} must hold a JSON object.`);
  }
  return parsed as BaseJobTemplate;
}

/** A refusal of the API in its own words (`detail`), as Prefect's CLI prints it. */
function refusal(error: unknown): never {
  if (isPrefectTsError(error) && !isNotFound(error)) throw new CliError(error.message);
  throw error;
}

function registerCreate(group: Command, io: CliIo): void {
  group
    .command("create")
    .description("Create a new work pool or update an existing one.")
    .argument("<name>", "The name of the work pool.")
    .option("-t, --type <type>", "The type of work pool to create.")
    .option(
      "--base-job-template <path>",
      "The path to a JSON file containing the base job template to use. If unspecified, the default base job template for the given worker type is used.",
    )
    .option("--paused", "Whether or not to create the work pool in a paused state.")
    .option("--overwrite", "Whether or not to overwrite an existing work pool with the same name.")
    .action(
      async (
        name: string,
        options: { type?: string; baseJobTemplate?: string; paused?: boolean; overwrite?: boolean },
      ) => {
        if (!name.toLowerCase().replace(/^['" ]+|['" ]+$/g, "")) {
          throw new CliError("Work pool name cannot be empty.");
        }
        await withClient(async (client, settings) => {
          const existing = await client.workPools.read(name).catch((error: unknown) => {
            if (isNotFound(error)) return null;
            throw error;
          });
          if (existing && !options.overwrite) {
            throw new CliError(
              `Work pool named '${name}' already exists. Use --overwrite to update it.`,
            );
          }
          const type = options.type ?? existing?.type;
          if (!type) {
            throw new CliError(
              "When not using an interactive terminal, you must supply a `--type` value.",
            );
          }
          const template = options.baseJobTemplate
            ? readTemplate(options.baseJobTemplate)
            : defaultBaseJobTemplate(type);
          if (!template) {
            throw new CliError(
              `Unknown work pool type '${type}'. Please choose from ${KNOWN_TYPES.join(", ")}.`,
            );
          }
          let pool = existing;
          if (existing) {
            await client.workPools
              .update(name, { baseJobTemplate: template, paused: options.paused ?? false })
              .catch(refusal);
            pool = await client.workPools.read(name);
          } else {
            pool = await client.workPools
              .create({ name, type, baseJobTemplate: template, paused: options.paused ?? false })
              .catch(refusal);
          }
          io.out(`${existing ? "Updated" : "Created"} work pool '${pool.name}'!\n`);
          if (!pool.is_paused) {
            io.out("To start a worker for this work pool, run:\n");
            io.out(`\tprefect-ts worker start --pool ${pool.name}\n`);
          }
          const url = settings.uiUrl
            ? `${settings.uiUrl.replace(/\/+$/, "")}/work-pools/work-pool/${encodeURIComponent(pool.name)}`
            : "<no dashboard available>";
          io.out(
            [
              `└── UUID: ${pool.id}`,
              `└── Type: ${pool.type}`,
              `└── Description: ${pool.description ?? "None"}`,
              `└── Status: ${statusName(pool.status)}`,
              `└── URL: ${url}`,
            ].join("\n"),
          );
        });
      },
    );
}

/** Prefect's display names of pool statuses. */
function statusName(status: string | null): string {
  if (status === "READY") return "Ready";
  if (status === "NOT_READY") return "Not Ready";
  if (status === "PAUSED") return "Paused";
  return "None";
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("List work pools.")
    .option("-v, --verbose", "Show additional information about work pools.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: { verbose?: boolean; output?: string }) => {
      const json = wantsJson(options.output);
      const pools = await withClient((client) => client.workPools.list());
      // newest first, as Prefect sorts them
      pools.sort((a, b) => compareIso(b.created, a.created));
      if (json) return io.out(JSON.stringify(pools, null, 2));
      const columns = [
        { header: "Name" },
        { header: "Type" },
        { header: "ID", justify: "right" as const },
        { header: "Concurrency Limit" },
        ...(options.verbose ? [{ header: "Base Job Template" }] : []),
      ];
      const rows = pools.map((p) => [
        p.is_paused ? `${p.name} (**)` : p.name,
        p.type,
        p.id,
        p.concurrency_limit === null ? "None" : String(p.concurrency_limit),
        ...(options.verbose ? [JSON.stringify(p.base_job_template)] : []),
      ]);
      io.out(renderTable({ title: "Work Pools", columns, rows }));
      io.out("(**) denotes a paused pool");
    });
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("Inspect a work pool.")
    .argument("<name>", "The name of the work pool to inspect.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (name: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const pool = await withClient((client) =>
        client.workPools.read(name).catch((error: unknown) => {
          if (isNotFound(error)) throw new CliError(`Work pool '${name}' not found!`);
          throw error;
        }),
      );
      if (json) return io.out(JSON.stringify(pool, null, 2));
      io.out(renderKeyValues({ ...pool }).join("\n"));
    });
}

/** A change of a pool, with Prefect's messages for success and for a pool that does not exist. */
function registerChange(
  group: Command,
  io: CliIo,
  command: string,
  description: string,
  run: (pool: string, limit: number | undefined) => { change: WorkPoolUpdateOptions; done: string },
  limitArgument = false,
): void {
  const cmd = group
    .command(command)
    .description(description)
    .argument("<name>", "The name of the work pool.");
  if (limitArgument) {
    cmd.argument(
      "<concurrency_limit>",
      "The new concurrency limit for the work pool.",
      wholeNumber,
    );
  }
  cmd.action(async (name: string, limit?: number) => {
    const { change, done } = run(name, limit);
    await withClient((client) =>
      client.workPools.update(name, change).catch((error: unknown) => {
        if (isNotFound(error)) throw new CliError(`Work pool "${name}" not found.`);
        return refusal(error);
      }),
    );
    io.out(done);
  });
}

function registerUpdate(group: Command, io: CliIo): void {
  group
    .command("update")
    .description("Update a work pool.")
    .argument("<name>", "The name of the work pool to update.")
    .option("--base-job-template <path>", "The path to a JSON file with the base job template.")
    .option("--concurrency-limit <n>", "The concurrency limit for the work pool.", wholeNumber)
    .option("--description <text>", "The description for the work pool.")
    .action(
      async (
        name: string,
        options: { baseJobTemplate?: string; concurrencyLimit?: number; description?: string },
      ) => {
        const change = {
          baseJobTemplate: options.baseJobTemplate
            ? readTemplate(options.baseJobTemplate)
            : undefined,
          concurrencyLimit: options.concurrencyLimit || undefined,
          description: options.description || undefined,
        };
        await withClient((client) =>
          client.workPools.update(name, change).catch((error: unknown) => {
            if (isNotFound(error)) throw new CliError(`Work pool named '${name}' does not exist.`);
            return refusal(error);
          }),
        );
        io.out(`Updated work pool '${name}'`);
      },
    );
}

function registerDelete(group: Command, io: CliIo): void {
  group
    .command("delete")
    .description("Delete a work pool.")
    .argument("<name>", "The name of the work pool to delete.")
    .action(async (name: string) => {
      await withClient((client) =>
        client.workPools.delete(name).catch((error: unknown) => {
          if (isNotFound(error)) throw new CliError(`Work pool '${name}' does not exist.`);
          return refusal(error);
        }),
      );
      io.out(`Deleted work pool '${name}'`);
    });
}

function registerDefaultTemplate(group: Command, io: CliIo): void {
  group
    .command("get-default-base-job-template")
    .description("Get the default base job template for a given work pool type.")
    .option(
      "-t, --type <type>",
      "The type of work pool for which to get the default base job template.",
    )
    .option("-f, --file <path>", "If set, write the output to a file.")
    .action(async (options: { type?: string; file?: string }) => {
      const template = options.type ? defaultBaseJobTemplate(options.type) : null;
      if (!template) {
        throw new CliError(
          `Unknown work pool type '${options.type ?? "None"}'. Please choose from ${KNOWN_TYPES.join(", ")}.`,
        );
      }
      const text = JSON.stringify(template, null, 2);
      if (options.file) {
        const { writeFileSync } = await import("node:fs");
        writeFileSync(options.file, text);
      } else {
        io.out(text);
      }
    });
}

function registerPreview(group: Command, io: CliIo): void {
  group
    .command("preview")
    .description("Preview the work pool's scheduled work for all queues.")
    .argument("<name>", "The name of the work pool to preview")
    .option("-h, --hours <n>", "The number of hours to look ahead; defaults to 1 hour", wholeNumber)
    .action(async (name: string, options: { hours?: number }) => {
      const now = nowIso();
      const runs = await withClient((client) =>
        client.workPools
          .getScheduledFlowRuns(name, {
            scheduledBefore: addSeconds(now, (options.hours ?? 1) * 3600),
          })
          .catch((error: unknown) => {
            if (isNotFound(error)) throw new CliError(`Work pool "${name}" not found.`);
            throw error;
          }),
      );
      if (runs.length === 0) {
        io.out(
          "No runs found - try increasing how far into the future you preview with the --hours flag",
        );
        return;
      }
      const rows = runs
        .map((r) => r.flow_run)
        .sort((a, b) => compareIso(b.created, a.created))
        .map((run) => {
          const start = run.expected_start_time ? pythonDatetime(run.expected_start_time) : "None";
          const late = run.expected_start_time && compareIso(run.expected_start_time, now) < 0;
          return [late ? `${start} (**)` : start, run.id, run.name, run.deployment_id ?? "None"];
        });
      io.out(
        renderTable({
          columns: [
            { header: "Scheduled Start Time" },
            { header: "Run ID" },
            { header: "Name" },
            { header: "Deployment ID" },
          ],
          rows,
        }),
      );
      io.out("(**) denotes a late run");
    });
}

export function registerWorkPool(program: Command, io: CliIo): void {
  const group = program.command("work-pool").alias("work-pools").description("Manage work pools.");
  registerCreate(group, io);
  registerLs(group, io);
  registerInspect(group, io);
  registerUpdate(group, io);
  registerChange(group, io, "pause", "Pause a work pool.", (name) => ({
    change: { paused: true },
    done: `Paused work pool '${name}'`,
  }));
  registerChange(group, io, "resume", "Resume a work pool.", (name) => ({
    change: { paused: false },
    done: `Resumed work pool '${name}'`,
  }));
  registerDelete(group, io);
  registerChange(
    group,
    io,
    "set-concurrency-limit",
    "Set the concurrency limit for a work pool.",
    (name, limit) => ({
      change: { concurrencyLimit: limit },
      done: `Set concurrency limit for work pool '${name}' to ${limit}`,
    }),
    true,
  );
  registerChange(
    group,
    io,
    "clear-concurrency-limit",
    "Clear the concurrency limit for a work pool.",
    (name) => ({
      change: { concurrencyLimit: null },
      done: `Cleared concurrency limit for work pool '${name}'`,
    }),
  );
  registerDefaultTemplate(group, io);
  registerPreview(group, io);
}

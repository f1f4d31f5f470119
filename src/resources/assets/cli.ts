/**
 * `prefect-ts asset`: ls, inspect and delete the assets runs materialized and referenced (Prefect's
 * `prefect cloud asset ls | delete`, with its table, messages and `-o json`), over either
 * transport.
 */
import type { Command } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { renderTable } from "../../cli/output/table.ts";
import { humanizeDiff } from "../../cli/output/time.ts";
import {
  CliError,
  type CliIo,
  collect,
  isNotFound,
  wantsJson,
  withClient,
} from "../../cli/support.ts";
import { ASSETS_MAX_LIMIT } from "../../core/asset-records.ts";
import { assetKeyProblem } from "../../core/assets.ts";

function limitOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > ASSETS_MAX_LIMIT) {
    throw new CliError(`Limit must be between 1 and ${ASSETS_MAX_LIMIT}.`);
  }
  return n;
}

function checkKey(key: string): void {
  const problem = assetKeyProblem(key);
  if (problem) throw new CliError(`${problem}.`);
}

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("List assets.")
    .option("-p, --prefix <prefix>", "Filter assets by key prefix (repeatable)", collect)
    .option("-s, --search <text>", "Filter assets by key substring (repeatable)", collect)
    .option("-l, --limit <n>", "Maximum number of assets to return (default 50, max 200)", "50")
    .option("-o, --output <format>", "Output format. Supports: json")
    .action(
      async (options: { prefix?: string[]; search?: string[]; limit: string; output?: string }) => {
        const json = wantsJson(options.output);
        const limit = limitOf(options.limit);
        const page = await withClient((client) =>
          client.assets.list({ prefix: options.prefix, search: options.search, limit }),
        );
        if (json) return io.out(JSON.stringify(page.assets, null, 2));
        if (page.assets.length === 0) return io.out("No assets found.");
        const now = Date.now();
        io.out(
          renderTable({
            title: "Assets",
            columns: [{ header: "Key" }, { header: "Last Seen" }, { header: "Materialization" }],
            rows: page.assets.map((a) => [
              a.key,
              humanizeDiff(a.last_seen, now),
              a.last_materialization?.status ?? "-",
            ]),
          }),
        );
        io.out(`\nShowing ${page.assets.length} of ${page.total} asset(s)`);
      },
    );
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("View an asset: its properties, latest materialization and lineage.")
    .argument("<key>", "The key of the asset (e.g. 's3://bucket/data.csv')")
    .option("-o, --output <format>", "Output format. Supports: json")
    .action(async (key: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      checkKey(key);
      const [asset, edges] = await withClient(async (client) => {
        const found = await client.assets.read(key).catch((error: unknown) => {
          if (isNotFound(error)) throw new CliError(`Asset '${key}' not found.`);
          throw error;
        });
        return [found, await client.assets.latestDependencies([key])] as const;
      });
      const view = {
        ...asset,
        upstream: edges.filter((e) => e.downstream === key).map((e) => e.upstream),
        downstream: edges.filter((e) => e.upstream === key).map((e) => e.downstream),
      };
      if (json) return io.out(JSON.stringify(view, null, 2));
      io.out(renderKeyValues(view).join("\n"));
    });
}

function registerDelete(group: Command, io: CliIo): void {
  group
    .command("delete")
    .description("Delete an asset by its key (a later event about it records it again).")
    .argument("<key>", "The key of the asset to delete")
    .option("-f, --force", "Skip confirmation prompt (no prompt is asked)")
    .action(async (key: string) => {
      checkKey(key);
      await withClient((client) =>
        client.assets.delete(key).catch((error: unknown) => {
          if (isNotFound(error)) throw new CliError(`Asset '${key}' not found.`);
          throw error;
        }),
      );
      io.out(`Deleted asset '${key}'.`);
    });
}

export function registerAsset(program: Command, io: CliIo): void {
  const group = program.command("asset").alias("assets").description("Manage assets.");
  registerLs(group, io);
  registerInspect(group, io);
  registerDelete(group, io);
}

/**
 * `prefect-ts artifact`: list the latest version of each key (or every artifact), inspect the
 * versions of a key, delete by key or id — with Prefect's messages and `-o json`.
 */
import type { Command } from "commander";
import { renderTable } from "../../cli/output/table.ts";
import { humanizeDiff } from "../../cli/output/time.ts";
import {
  CliError,
  type CliIo,
  isNotFound,
  positiveInt,
  requireUuid,
  wantsJson,
  withClient,
} from "../../cli/support.ts";
import type { Artifact } from "../../core/artifacts.ts";

/** Prefect sorts by `f"{x.key}"`: an artifact without a key sorts as `None`. */
const sortKey = (a: { key: string | null }) => `${a.key ?? "None"}`;
const byKey = (a: { key: string | null }, b: { key: string | null }) =>
  sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0;

function registerLs(group: Command, io: CliIo): void {
  group
    .command("ls")
    .description("List artifacts: the latest version of each key (every artifact with --all).")
    .option("--limit <n>", "The maximum number of artifacts to return.", positiveInt, 100)
    .option("-a, --all", "List every artifact, not only the latest version of each key.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: { limit: number; all?: boolean; output?: string }) => {
      const json = wantsJson(options.output);
      const rows = await withClient(async (client) => {
        if (options.all) {
          const list = await client.artifacts.list({ sort: "KEY_ASC", limit: options.limit });
          return list.sort(byKey).map((a) => ({ shownId: a.id, record: a as object, a }));
        }
        const list = await client.artifacts.listLatest({ sort: "KEY_ASC", limit: options.limit });
        return list.sort(byKey).map((a) => ({ shownId: a.latest_id, record: a as object, a }));
      });
      if (json)
        return io.out(
          JSON.stringify(
            rows.map((r) => r.record),
            null,
            2,
          ),
        );
      const now = Date.now();
      io.out(
        renderTable({
          title: "Artifacts",
          columns: [
            { header: "ID", justify: "right" },
            { header: "Key" },
            { header: "Type" },
            { header: "Updated" },
          ],
          rows: rows.map(({ shownId, a }) => [
            shownId,
            a.key ?? "",
            a.type ?? "",
            a.updated ? humanizeDiff(a.updated, now) : "",
          ]),
        }),
      );
    });
}

function registerInspect(group: Command, io: CliIo): void {
  group
    .command("inspect")
    .description("View the versions of an artifact key, latest first.")
    .argument("<key>", "The key of the artifact to inspect")
    .option("--limit <n>", "The maximum number of artifacts to return.", positiveInt, 10)
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (key: string, options: { limit: number; output?: string }) => {
      wantsJson(options.output);
      const versions = await withClient((client) =>
        client.artifacts.list({ keys: [key], sort: "UPDATED_DESC", limit: options.limit }),
      );
      if (versions.length === 0) throw new CliError(`Artifact '${key}' not found.`);
      io.out(JSON.stringify(versions, null, 2));
    });
}

function registerDelete(group: Command, io: CliIo): void {
  group
    .command("delete")
    .description("Delete an artifact: every version of a key, or one artifact by --id.")
    .argument("[key]", "The key of the artifact to delete.")
    .option("--id <id>", "The ID of the artifact to delete.")
    .action(async (key: string | undefined, options: { id?: string }) => {
      if (key && options.id) {
        throw new CliError("Please provide either a key or an artifact_id but not both.");
      }
      if (options.id !== undefined) {
        const id = requireUuid(options.id, "--id");
        await withClient((client) =>
          client.artifacts.delete(id).catch((error: unknown) => {
            if (isNotFound(error)) throw new CliError(`Artifact with id '${id}' not found!`);
            throw error;
          }),
        );
        return io.out(`Deleted artifact with id '${id}'.`);
      }
      if (!key) throw new CliError("Please provide a key or an artifact_id.");
      const deleted = await withClient(async (client) => {
        let count = 0;
        for (;;) {
          const page: Artifact[] = await client.artifacts.list({ keys: [key], limit: 200 });
          if (page.length === 0) return count;
          for (const artifact of page) {
            await client.artifacts.delete(artifact.id).catch((error: unknown) => {
              // deleted meanwhile: it is gone either way
              if (!isNotFound(error)) throw error;
            });
            count++;
          }
        }
      });
      if (deleted === 0) {
        throw new CliError(
          `Artifact with key '${key}' not found. You can also specify an artifact id with the --id flag.`,
        );
      }
      io.out(`Deleted ${deleted} artifact(s) with key '${key}'.`);
    });
}

export function registerArtifact(program: Command, io: CliIo): void {
  const group = program
    .command("artifact")
    .description("Commands for starting and interacting with artifacts.");
  registerLs(group, io);
  registerInspect(group, io);
  registerDelete(group, io);
}

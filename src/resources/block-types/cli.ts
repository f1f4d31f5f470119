/**
 * `prefect-ts block type`: list, inspect and delete block types, with Prefect's messages.
 * Protected types (the system blocks) cannot be deleted.
 */
import type { Command } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { renderTable } from "../../cli/output/table.ts";
import { CliError, type CliIo, isNotFound, wantsJson, withClient } from "../../cli/support.ts";
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { BlockType } from "../../core/blocks.ts";

/** The UI page where a block of this type is created (`PREFECT_UI_URL`), or null. */
export function createLink(uiUrl: string | null, slug: string): string | null {
  return uiUrl ? `${uiUrl.replace(/\/+$/, "")}/blocks/catalog/${slug}/create` : null;
}

async function typeBySlug(client: PrefectClient, slug: string): Promise<BlockType> {
  try {
    return await client.blocks.readBlockTypeBySlug(slug);
  } catch (error) {
    if (isNotFound(error)) throw new CliError(`Block type ${JSON.stringify(slug)} not found!`);
    throw error;
  }
}

export function registerBlockType(block: Command, io: CliIo): void {
  const group = block.command("type").description("Inspect and delete block types.");

  group
    .command("ls")
    .description("List all block types.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: { output?: string }) => {
      const json = wantsJson(options.output);
      const { types, uiUrl } = await withClient(async (client, settings) => ({
        types: await client.blocks.listBlockTypes(),
        uiUrl: settings.uiUrl,
      }));
      if (json) return io.out(JSON.stringify(types, null, 2));
      io.out(
        renderTable({
          title: "Block Types",
          columns: [
            { header: "Block Type Slug" },
            { header: "Description" },
            { header: "Generate creation link" },
          ],
          rows: types.map((t) => [
            t.slug,
            (t.description ?? "").split("\n")[0] ?? "",
            createLink(uiUrl, t.slug) ? `prefect-ts block create ${t.slug}` : "",
          ]),
        }),
      );
    });

  group
    .command("inspect")
    .description("Display details about a block type, and its latest schema.")
    .argument("<slug>", "A block type slug")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (slug: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const { type, schema } = await withClient(async (client) => {
        const type = await typeBySlug(client, slug);
        const [schema] = await client.blocks.listBlockSchemas({
          block_schemas: { block_type_id: { any_: [type.id] } },
          limit: 1,
        });
        return { type, schema: schema ?? null };
      });
      if (json) return io.out(JSON.stringify({ ...type, block_schema: schema }, null, 2));
      io.out(
        renderKeyValues({
          "Block Type": type.name,
          Slug: type.slug,
          Description: type.description,
          Protected: type.is_protected,
          "Schema checksum": schema?.checksum ?? null,
          "Schema version": schema?.version ?? null,
          Capabilities: schema?.capabilities ?? [],
          "Secret fields": schema?.fields.secret_fields ?? [],
          Fields: Object.keys((schema?.fields.properties as object | undefined) ?? {}),
        }).join("\n"),
      );
    });

  group
    .command("delete")
    .description("Delete an unprotected block type, with its schemas and blocks.")
    .argument("<slug>", "A block type slug")
    .action(async (slug: string) => {
      await withClient(async (client) => {
        const type = await typeBySlug(client, slug);
        if (type.is_protected)
          throw new CliError(`Block type ${JSON.stringify(slug)} is a protected block!`);
        await client.blocks.deleteBlockType(type.id);
      });
      io.out(`Deleted Block Type ${JSON.stringify(slug)}.`);
    });
}

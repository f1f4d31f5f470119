/**
 * `prefect-ts block`: list, inspect and delete saved blocks (named `<type slug>/<name>`), the UI
 * link to create one, `register -f blocks.ts` (registers every block class the file exports) and
 * `block type …`, with Prefect's messages. Secret values are shown masked, as the API answers them.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { renderKeyValues } from "../../cli/output/key-values.ts";
import { renderTable } from "../../cli/output/table.ts";
import { CliError, type CliIo, isNotFound, wantsJson, withClient } from "../../cli/support.ts";
import type { PrefectClient } from "../../client/prefect-client.ts";
import type { BlockDocument } from "../../core/blocks.ts";
import { createLink, registerBlockType } from "../block-types/cli.ts";

/** `slug/name` → its parts, or Prefect's message. */
function splitSlug(slug: string): { type: string; name: string } {
  const at = slug.indexOf("/");
  if (at <= 0 || at === slug.length - 1) {
    throw new CliError(
      `${JSON.stringify(slug)} is not a block slug: give it as <block type slug>/<block name>.`,
    );
  }
  return { type: slug.slice(0, at), name: slug.slice(at + 1) };
}

async function documentBySlug(client: PrefectClient, slug: string): Promise<BlockDocument> {
  const { type, name } = splitSlug(slug);
  try {
    return await client.blocks.readBlockDocumentByName(type, name);
  } catch (error) {
    if (isNotFound(error)) throw new CliError(`Block ${JSON.stringify(slug)} not found!`);
    throw error;
  }
}

/** A block class as `register` finds it among a module's exports (whichever copy of the SDK made it). */
interface RegistrableBlock {
  readonly blockTypeSlug: string;
  registerType(client?: PrefectClient): Promise<unknown>;
}

function isRegistrable(value: unknown): value is RegistrableBlock {
  const v = value as (Partial<RegistrableBlock> & { spec?: unknown }) | null;
  return (
    typeof value === "function" &&
    typeof v?.blockTypeSlug === "string" &&
    v.blockTypeSlug !== "" &&
    typeof v.registerType === "function" &&
    v.spec !== null
  );
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    // a TypeScript file run by the compiled CLI: load it through tsx
    const { register } = await import("tsx/esm/api");
    register();
    return (await import(url)) as Record<string, unknown>;
  }
}

export function registerBlock(program: Command, io: CliIo): void {
  const block = program.command("block").description("Manage blocks.");

  block
    .command("ls")
    .description("View all configured blocks.")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (options: { output?: string }) => {
      const json = wantsJson(options.output);
      const documents = await withClient((client) => client.blocks.listBlockDocuments());
      if (json) return io.out(JSON.stringify(documents, null, 2));
      io.out(
        renderTable({
          title: "Blocks",
          columns: [{ header: "ID" }, { header: "Type" }, { header: "Name" }, { header: "Slug" }],
          rows: documents.map((d) => [
            d.id,
            d.block_type.name,
            d.name,
            `${d.block_type.slug}/${d.name}`,
          ]),
        }),
      );
    });

  block
    .command("inspect")
    .description("Display details about a configured block (secrets masked).")
    .argument("<slug>", "A block slug: <block type slug>/<block name>")
    .option("-o, --output <format>", "Specify an output format. Currently supports: json")
    .action(async (slug: string, options: { output?: string }) => {
      const json = wantsJson(options.output);
      const document = await withClient((client) => documentBySlug(client, slug));
      if (json) return io.out(JSON.stringify(document, null, 2));
      io.out(
        renderKeyValues({
          "Block Type": document.block_type.name,
          "Block id": document.id,
          Name: document.name,
          ...document.data,
        }).join("\n"),
      );
    });

  block
    .command("delete")
    .description("Delete a configured block.")
    .argument("[slug]", "A block slug: <block type slug>/<block name>")
    .option("--id <id>", "A block document id")
    .action(async (slug: string | undefined, options: { id?: string }) => {
      if (!slug && !options.id) throw new CliError("Either a block slug or --id must be provided.");
      await withClient(async (client) => {
        if (options.id) {
          try {
            await client.blocks.deleteBlockDocument(options.id);
          } catch (error) {
            if (isNotFound(error))
              throw new CliError(`Block ${JSON.stringify(options.id)} not found!`);
            throw error;
          }
          return;
        }
        const document = await documentBySlug(client, slug ?? "");
        await client.blocks.deleteBlockDocument(document.id);
      });
      io.out(`Deleted Block ${JSON.stringify(slug ?? options.id)}.`);
    });

  block
    .command("create")
    .description("Print the UI link where a block of a type is configured.")
    .argument("<block-type-slug>", "A block type slug (see `prefect-ts block type ls`)")
    .action(async (slug: string) => {
      const { link, name } = await withClient(async (client, settings) => {
        try {
          const type = await client.blocks.readBlockTypeBySlug(slug);
          return { link: createLink(settings.uiUrl, slug), name: type.name };
        } catch (error) {
          if (!isNotFound(error)) throw error;
          const slugs = (await client.blocks.listBlockTypes()).map((t) => t.slug);
          throw new CliError(
            `Block type ${JSON.stringify(slug)} not found! Block types: ${slugs.join(", ")}`,
          );
        }
      });
      if (!link) {
        throw new CliError(
          "There is no UI URL to link to: set PREFECT_UI_URL (or PREFECT_API_URL) to the server's.",
        );
      }
      io.out(`Create a ${name} block: ${link}`);
    });

  block
    .command("register")
    .description("Register the block types of the block classes a module exports.")
    .requiredOption("-f, --file <path>", "A file exporting Block.define classes")
    .action(async (options: { file: string }) => {
      const exports = await importModule(resolve(options.file));
      const classes = [...new Set(Object.values(exports).filter(isRegistrable))];
      if (classes.length === 0) {
        throw new CliError(
          `No blocks were registered from ${options.file}: it exports no Block.define class.`,
        );
      }
      await withClient(async (client) => {
        for (const cls of classes) await cls.registerType(client);
      });
      io.out(
        [
          `Successfully registered ${classes.length} block${classes.length === 1 ? "" : "s"}`,
          renderTable({
            title: "Registered Blocks",
            columns: [{ header: "Registered Blocks" }],
            rows: classes.map((c) => [c.blockTypeSlug]),
          }),
        ].join("\n"),
      );
    });

  registerBlockType(block, io);
}

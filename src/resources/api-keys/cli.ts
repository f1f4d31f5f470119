/**
 * `prefect-ts server api-key create|ls|revoke` (beyond Prefect OSS): manage the server's API keys
 * on its database (`PREFECT_API_DATABASE_CONNECTION_URL`), as the server's operator, on the
 * server's host. A key is printed once, at creation; only its SHA-256 is stored.
 */
import type { Command } from "commander";
import { renderTable } from "../../cli/output/table.ts";
import { pythonDatetime } from "../../cli/output/time.ts";
import { CliError, type CliIo, isNotFound, requireUuid } from "../../cli/support.ts";
import type { KeyContext } from "./model.ts";

/** Open the configured database, run `fn` on it, and close it. */
async function withKeys<T>(fn: (ctx: KeyContext, authOn: boolean) => Promise<T>): Promise<T> {
  const [{ loadSettings }, { openDatabase }, { systemClock }] = await Promise.all([
    import("../../settings/settings.ts"),
    import("../../storage/open-database.ts"),
    import("../../core/time.ts"),
  ]);
  const settings = loadSettings();
  const database = await openDatabase({ url: settings.databaseUrl });
  try {
    return await fn({ database, clock: systemClock }, settings.serverApiAuthString !== null);
  } finally {
    await database.close();
  }
}

export function registerApiKey(server: Command, io: CliIo): void {
  const group = server
    .command("api-key")
    .description("Manage API keys: sent as 'Authorization: Bearer <key>' (PREFECT_API_KEY).");

  group
    .command("create")
    .description("Create an API key and print it (it is shown only this once).")
    .option("--name <name>", "A name to tell the key apart.")
    .action(async (options: { name?: string }) => {
      const name = options.name?.trim() ?? "";
      if (name.length > 200) throw new CliError("The name is too long: at most 200 characters.");
      const { apiKey, key, authOn } = await withKeys(async (ctx, authOn) => {
        const { createApiKey } = await import("./model.ts");
        return { ...(await createApiKey(ctx, name)), authOn };
      });
      io.out(`Created API key ${apiKey.id}${name ? ` (${name})` : ""}:`);
      io.out(key);
      io.out("Store it now: it cannot be shown again. Clients use it as PREFECT_API_KEY.");
      if (!authOn) {
        io.err(
          "Note: PREFECT_SERVER_API_AUTH_STRING is not set here: a server started without it requires no authentication, and checks no key.",
        );
      }
    });

  group
    .command("ls")
    .description("List API keys (never the keys themselves).")
    .action(async () => {
      const keys = await withKeys(async (ctx) => (await import("./model.ts")).listApiKeys(ctx));
      io.out(
        renderTable({
          title: "API keys",
          columns: [
            { header: "ID", justify: "right" },
            { header: "Name" },
            { header: "Key" },
            { header: "Created" },
            { header: "Revoked" },
          ],
          rows: keys.map((k) => [
            k.id,
            k.name,
            `${k.key_prefix}…`,
            pythonDatetime(k.created),
            k.revoked ? pythonDatetime(k.revoked) : "",
          ]),
        }),
      );
    });

  group
    .command("revoke")
    .description("Revoke an API key: the server refuses it from then on.")
    .argument("<id>", "The key's ID (see 'api-key ls').")
    .action(async (idText: string) => {
      const id = requireUuid(idText);
      try {
        await withKeys(async (ctx) => (await import("./model.ts")).revokeApiKey(ctx, id));
      } catch (error) {
        if (isNotFound(error)) throw new CliError(`API key '${id}' not found.`);
        throw error;
      }
      io.out(`Revoked API key '${id}'.`);
    });
}

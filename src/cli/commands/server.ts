/**
 * `prefect-ts server start`: serve the REST API over the configured database, with the server's
 * services (or without its loop services: `--no-services`); `server services`; `server api-key`.
 */
import type { Command } from "commander";
import { registerApiKey } from "../../resources/api-keys/cli.ts";
import { CliError, type CliIo } from "../support.ts";
import { registerServerServices } from "./server-services.ts";

interface StartOptions {
  host?: string;
  port?: string;
  /** False with `--no-services`. */
  services: boolean;
}

export function registerServer(program: Command, io: CliIo): void {
  const group = program.command("server").description("Start a Prefect TS server instance.");
  group
    .command("start")
    .description("Start the API server on the configured database (embedded SQLite by default).")
    .option("--host <host>", "Host to bind to (PREFECT_SERVER_API_HOST, default 127.0.0.1)")
    .option("--port <port>", "Port to listen on (PREFECT_SERVER_API_PORT, default 4200)")
    .option(
      "--no-services",
      "Only run the API and UI: the loop services run in 'prefect-ts server services start'",
    )
    .action(async (options: StartOptions) => {
      const [{ loadSettings }, { openDatabase }, { createApp }] = await Promise.all([
        import("../../settings/settings.ts"),
        import("../../storage/open-database.ts"),
        import("../../server/app.ts"),
      ]);
      const settings = loadSettings();
      const host = options.host ?? settings.serverApiHost;
      const portText = options.port ?? String(settings.serverApiPort);
      const port = Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CliError(
          `'${portText}' is not a port number: use --port with a number from 0 to 65535.`,
        );
      }
      const database = await openDatabase({ url: settings.databaseUrl });
      const app = await createApp({
        database,
        settings,
        ui: settings.uiEnabled ? { apiUrl: settings.uiApiUrl } : false,
        webserverOnly: !options.services,
        // the app's request logger is off: retention reports on the console
        eventRetention: {
          retentionSeconds: settings.eventsRetentionSeconds,
          log: { info: (line) => io.out(line), error: (line) => io.err(line) },
        },
      });
      try {
        await app.listen({ host, port });
      } catch (error) {
        await app.close();
        await database.close();
        if ((error as { code?: string }).code === "EADDRINUSE") {
          throw new CliError(
            `Port ${port} is already in use: stop the process using it, or start on another port with --port.`,
          );
        }
        throw error;
      }
      const address = app.server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      const base = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
      io.out(`Prefect TS server running on ${database.dialect.name} (${database.location})`);
      if (!options.services) {
        io.out(
          "Services: none but this server's own (--no-services): run the loop services with 'prefect-ts server services start'",
        );
      }
      if (settings.uiEnabled) io.out(`UI:   ${base}`);
      io.out(`API:  ${base}/api`);
      io.out(`Docs: ${base}/api/openapi.json`);
      io.out(`Use it from the SDK and CLI with: export PREFECT_API_URL=${base}/api`);
      if (settings.serverApiAuthString !== null) {
        io.out(
          "Authentication is on: clients set PREFECT_API_AUTH_STRING (or PREFECT_API_KEY to a key from 'prefect-ts server api-key create').",
        );
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      io.out("Shutting down...");
      await app.close();
      await database.close();
    });
  registerServerServices(group, io);
  registerApiKey(group, io);
}

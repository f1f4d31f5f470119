/**
 * `prefect-ts server services ls | start`: the server's services (Prefect's `prefect server
 * services`). `ls` lists them with the setting that turns each on or off; `start` runs the
 * enabled loop services in the foreground over the configured database, without the API, until
 * SIGTERM or SIGINT — beside API servers started with `server start --no-services`.
 */
import type { Command } from "commander";
import type { AppLogger } from "../../services/context.ts";
import type { ServiceStatus } from "../../services/registry.ts";
import { renderTable } from "../output/table.ts";
import { CliError, type CliIo, wantsJson } from "../support.ts";

/** "every 60 s", "every 0.5 s", "every 15 min". */
function every(seconds: number | null): string {
  if (seconds === null) return "events as they arrive";
  if (seconds >= 60 && seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

/** Prefect's `Enabled?` cell: ✓ or x, and the setting; ours that cannot be turned off say so. */
function enabledCell(status: ServiceStatus): string {
  const mark = status.enabled ? "✓" : "x";
  return `${mark} ${status.setting ?? "always"}`;
}

const RUNS_IN: Record<ServiceStatus["runs_in"], string> = {
  services: "services",
  api: "each API server",
};

/** The services' info lines on stdout, warnings and errors on stderr. */
function consoleLogger(io: CliIo): AppLogger {
  const line = (level: string, details: object, message: string): string => {
    const { err, ...rest } = details as { err?: unknown };
    const reason = err instanceof Error ? `: ${err.message}` : "";
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    return `${new Date().toISOString()} ${level} ${message}${reason}${extra}`;
  };
  return {
    info: (details, message) => io.out(line("INFO", details, message)),
    warn: (details, message) => io.err(line("WARNING", details, message)),
    error: (details, message) => io.err(line("ERROR", details, message)),
  };
}

export function registerServerServices(server: Command, io: CliIo): void {
  const group = server.command("services").description("Interact with server loop services.");

  group
    .command("ls")
    .alias("list-services")
    .description("List all available services and their status.")
    .option("-o, --output <format>", "Output format: json")
    .action(async (options: { output?: string }) => {
      const json = wantsJson(options.output);
      const [{ loadSettings }, { serviceStatuses }] = await Promise.all([
        import("../../settings/settings.ts"),
        import("../../services/registry.ts"),
      ]);
      const statuses = serviceStatuses(loadSettings());
      if (json) return io.out(JSON.stringify(statuses, null, 2));
      io.out(
        renderTable({
          title: "Available Services",
          columns: [
            { header: "Name" },
            { header: "Enabled?" },
            { header: "Runs in" },
            { header: "Description" },
          ],
          rows: statuses.map((s) => [s.name, enabledCell(s), RUNS_IN[s.runs_in], s.description]),
        }),
      );
    });

  group
    .command("start")
    .alias("start-services")
    .description(
      "Start all enabled loop services in one process, without the API (stop with CTRL+C or SIGTERM).",
    )
    .action(async () => {
      const [{ loadSettings }, { openDatabase }, { createServicesCore }, { SERVER_SERVICES }] =
        await Promise.all([
          import("../../settings/settings.ts"),
          import("../../storage/open-database.ts"),
          import("../../services/composition.ts"),
          import("../../services/registry.ts"),
        ]);
      const settings = loadSettings();
      const log = consoleLogger(io);
      const database = await openDatabase({ url: settings.databaseUrl });
      const core = createServicesCore({
        database,
        settings,
        log,
        eventRetention: {
          retentionSeconds: settings.eventsRetentionSeconds,
          log: { info: (line) => log.info({}, line), error: (line) => log.error({}, line) },
        },
      });
      if (core.services.length === 0) {
        await core.close();
        await database.close();
        throw new CliError(
          "No services are enabled: every PREFECT_SERVER_SERVICES_*_ENABLED setting of 'prefect-ts server services ls' is off.",
        );
      }
      // the services' timers do not hold the process open: this does, until a signal
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const stopped = new Promise<string>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      io.out(`Starting services on ${database.dialect.name} (${database.location})...`);
      core.start();
      for (const service of core.services) {
        io.out(`Started ${service.name} (${every(service.loopSeconds)})`);
      }
      const withApi = SERVER_SERVICES.filter((d) => d.home === "api").map((d) => d.name);
      io.out(
        `Each API server runs ${withApi.join(", ")} itself ('prefect-ts server start --no-services').`,
      );
      io.out("Press CTRL+C to stop.");
      const signal = await stopped;
      io.out(`${signal}: stopping services...`);
      // the loops under way end, and the events the services emitted are written
      await core.close();
      await database.close();
      clearInterval(keepAlive);
      io.out("All services stopped.");
    });
}

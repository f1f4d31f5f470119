/** `prefect-ts version`: the version block of `prefect version`, for this implementation. */
import type { Command } from "commander";
import { API_VERSION } from "../../core/api-version.ts";
import { packageVersion } from "../../core/package-version.ts";
import { isPostgresUrl, redactUrl } from "../../storage/database-url.ts";
import type { CliIo } from "../support.ts";

export { packageVersion };

type Block = { [key: string]: string | Block };

/** Prefect's `_display`: `key:` padded to 21 columns, nested blocks indented by two. */
function display(block: Block, nesting = 0): string[] {
  const prefix = " ".repeat(nesting);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (typeof value === "string")
      lines.push(`${prefix}${`${key}:`.padEnd(21 - nesting)} ${value}`);
    else lines.push(`${prefix}${key}:`, ...display(value, nesting + 2));
  }
  return lines;
}

async function sqliteVersion(): Promise<string | null> {
  try {
    const { default: BetterSqlite3 } = await import("better-sqlite3");
    const db = new BetterSqlite3(":memory:");
    try {
      const row: unknown = db.prepare("select sqlite_version() as v").get();
      return typeof row === "object" && row !== null && "v" in row ? String(row.v) : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

async function versionBlock(): Promise<Block> {
  const { loadSettings } = await import("../../settings/settings.ts");
  const settings = loadSettings();
  const block: Block = {
    Version: packageVersion(),
    "API version": API_VERSION,
    "Node version": process.versions.node,
    "OS/Arch": `${process.platform}/${process.arch}`,
    "Server type": settings.apiUrl ? "server" : "embedded",
  };
  if (settings.apiUrl) {
    block.Server = { "API URL": settings.apiUrl };
    return block;
  }
  const url = settings.databaseUrl;
  if (isPostgresUrl(url)) {
    block.Server = { Database: "postgresql", Location: redactUrl(url) };
  } else {
    const server: Block = { Database: "sqlite", Location: url };
    const v = await sqliteVersion();
    if (v) server["SQLite version"] = v;
    block.Server = server;
  }
  return block;
}

export function registerVersion(program: Command, io: CliIo): void {
  program
    .command("version")
    .description("Get the current Prefect TS version and database information.")
    .action(async () => {
      io.out(display(await versionBlock()).join("\n"));
    });
}

/** What every command shares: the output sink, the user-facing error, id and option parsing. */
import { InvalidArgumentError } from "commander";
import type { PrefectClient } from "../client/prefect-client.ts";
import { ErrorCode, isPrefectTsError } from "../core/errors.ts";
import { isUuid } from "../core/ids.ts";
import type { Settings } from "../settings/settings.ts";

/** Where a command writes: stdout and stderr in the real CLI, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  },
  err: (text) => {
    process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  },
};

/** An error meant for the user: its message is printed as is (one line), exit code 1. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A UUID argument, rejected before any database is opened (like Prefect's typed `id: UUID`). */
export function requireUuid(value: string, label = "ID"): string {
  if (!isUuid(value)) {
    throw new CliError(`Invalid value for '${label}': '${value}' is not a valid UUID.`);
  }
  return value.toLowerCase();
}

/** Commander parser for a positive integer option (`--limit`, `--num-logs`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("must be a positive integer.");
  }
  return n;
}

/** Commander collector for repeatable options (`--state a --state b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `-o/--output`: only `json` is supported, as in Prefect. */
export function wantsJson(output: string | undefined): boolean {
  if (output === undefined) return false;
  if (output.toLowerCase() !== "json")
    throw new CliError("Only 'json' output format is supported.");
  return true;
}

/** Load settings, open the configured client, run `fn`, and always close the client. */
export async function withClient<T>(
  fn: (client: PrefectClient, settings: Settings) => Promise<T>,
): Promise<T> {
  const { loadSettings } = await import("../settings/settings.ts");
  const { createClient } = await import("../client/get-client.ts");
  const settings = loadSettings();
  const client = await createClient(settings);
  try {
    return await fn(client, settings);
  } finally {
    await client.close();
  }
}

/** True for the "not found" error a client throws for an unknown id. */
export function isNotFound(error: unknown): boolean {
  return isPrefectTsError(error) && error.code === ErrorCode.OBJECT_NOT_FOUND;
}

/** The UI link printed by `inspect` when `PREFECT_UI_URL` is set. */
export function uiLink(
  settings: Settings,
  kind: "flow-run" | "task-run",
  id: string,
): string | null {
  if (!settings.uiUrl) return null;
  return `View at ${settings.uiUrl.replace(/\/+$/, "")}/runs/${kind}/${id}`;
}

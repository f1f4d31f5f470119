import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import { loadSettings, type Settings } from "../settings/settings.ts";
import type { PrefectClient } from "./prefect-client.ts";

/**
 * The client for the current settings: the embedded client over
 * `PREFECT_API_DATABASE_CONNECTION_URL` (default `$PREFECT_HOME/prefect.db`), or — once client mode
 * lands with the REST API — HTTP when `PREFECT_API_URL` is set. The embedded implementation is
 * imported lazily so that client-mode code never loads SQLite.
 */
export async function createClient(settings: Settings = loadSettings()): Promise<PrefectClient> {
  if (settings.apiUrl) {
    throw new PrefectTsError(
      ErrorCode.SETTINGS,
      `PREFECT_API_URL is set (${settings.apiUrl}) but client mode is not available in this version yet; unset PREFECT_API_URL to record runs in the local database.`,
    );
  }
  const { EmbeddedClient } = await import("../embedded/embedded-client.ts");
  return EmbeddedClient.open(settings.databaseUrl);
}

import { join } from "node:path";
import { loadSettings, type Settings } from "../settings/settings.ts";
import type { PrefectClient } from "./prefect-client.ts";

/**
 * The client for the current settings: HTTP against `PREFECT_API_URL` when it is set, otherwise
 * the embedded client over `PREFECT_API_DATABASE_CONNECTION_URL` (default `$PREFECT_HOME/prefect.db`). The embedded implementation is
 * imported lazily so that client-mode code never loads SQLite.
 */
export async function createClient(settings: Settings = loadSettings()): Promise<PrefectClient> {
  if (settings.apiUrl) {
    const { HttpClient } = await import("./http-client.ts");
    return new HttpClient(settings.apiUrl, {
      apiKey: settings.apiKey ?? undefined,
      authString: settings.apiAuthString ?? undefined,
      csrfSupport: settings.clientCsrfSupportEnabled,
      retry: {
        maxRetries: settings.clientMaxRetries,
        extraCodes: settings.clientRetryExtraCodes,
      },
      spoolDir: join(settings.home, "spool"),
    });
  }
  const { EmbeddedClient } = await import("../embedded/embedded-client.ts");
  return EmbeddedClient.open(settings.databaseUrl, settings);
}

/** `createClient` under the name of Prefect's `get_client()`. */
export const getClient = createClient;

/** The Prefect REST API version this implementation speaks (Prefect 3's `SERVER_API_VERSION`). */
export const API_VERSION = "0.8.4";

/** The Prefect server version reported to clients (they check compatibility against it). */
export const PREFECT_SERVER_VERSION = "3.8.4";

/**
 * What `GET /admin/version` answers: the Prefect version this server speaks, with this package's
 * version as a PEP 440 local label (`3.8.4+prefect-ts.0.1.0`). Prefect's Python client parses it
 * with `packaging.version` and requires the major version of its own (3), warning when the server
 * is older than the client: the local label keeps both true for the Prefect release spoken.
 */
export function serverVersion(ownVersion: string): string {
  const label = ownVersion.replace(/[^A-Za-z0-9]+/g, ".").replace(/^\.|\.$/g, "");
  return `${PREFECT_SERVER_VERSION}+prefect-ts${label ? `.${label}` : ""}`;
}

/**
 * How a process serving deployments on the local database (no API server) learns that another
 * process changed it — created a run with `deployment run`, say — within milliseconds:
 *
 * - PostgreSQL: `LISTEN prefect_ts_scheduled_flow_run`, on which the database announces every run
 *   of a deployment that enters a Scheduled state (migration 0008), with the deployment's id.
 * - SQLite: the connection's change counter (`PRAGMA data_version`), read every few milliseconds,
 *   moves when another connection commits; reading it costs microseconds and no I/O.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import type { Database } from "../storage/database.ts";
import { EmbeddedClient } from "./embedded-client.ts";

export interface LocalChanges {
  close(): Promise<void>;
}

/** How often the SQLite change counter is read. */
const DATA_VERSION_MS = 5;

/**
 * What a serving process on the local database runs besides its runs: the scheduler and late-runs
 * services (no server makes its deployments' scheduled runs), and the watch of the database for
 * runs other processes create. Null when `client` is not an embedded client.
 */
export async function serveLocally(
  client: PrefectClient,
  databaseUrl: string,
  onChange: (deploymentId: string | null) => void,
): Promise<LocalChanges | null> {
  if (!(client instanceof EmbeddedClient)) return null;
  const changes = await watchLocalChanges(client.database, databaseUrl, onChange);
  await client.runSchedulerServices();
  return changes;
}

export async function watchLocalChanges(
  database: Database,
  databaseUrl: string,
  onChange: (deploymentId: string | null) => void,
): Promise<LocalChanges> {
  const native = database.native;
  if (native) {
    const read = () => native.pragma("data_version", { simple: true }) as number;
    let last = read();
    const timer = setInterval(() => {
      let now: number;
      try {
        now = read();
      } catch {
        return;
      }
      if (now !== last) {
        last = now;
        onChange(null);
      }
    }, DATA_VERSION_MS);
    return {
      close: async () => clearInterval(timer),
    };
  }
  const { default: pg } = await import("pg");
  let client: InstanceType<typeof pg.Client> | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: databaseUrl.replace(/^postgres(ql)?\+\w+:/, "postgresql:"),
    });
    next.on("notification", (n) => onChange(n.payload ?? null));
    next.on("error", () => {
      // the connection is lost: listen again, and look for what was missed meanwhile
      void next.end().catch(() => undefined);
      if (client === next) client = null;
      if (!closed && !retry)
        retry = setTimeout(() => {
          retry = null;
          void connect()
            .then(() => onChange(null))
            .catch(() => undefined);
        }, 1000);
    });
    await next.connect();
    await next.query("LISTEN prefect_ts_scheduled_flow_run");
    if (closed) {
      await next.end();
      return;
    }
    client = next;
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}

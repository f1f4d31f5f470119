/**
 * The set-up the deployment CLI tests share: a database of the dialect with a flow `etl` and its
 * deployment `nightly` (a parameter schema, a default parameter, a cron schedule in
 * Europe/Berlin), and `cli(...)` running the real CLI over it in a subprocess.
 */
import type { Deployment } from "../../src/core/deployments.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";
import { type CliResult, runCli } from "./helpers.ts";

export const SCHEMA = {
  type: "object",
  properties: { day: { type: "string" }, full: { type: "boolean", default: false } },
  required: ["day"],
};

export interface DeploymentCli {
  t: TestDatabase;
  env: Record<string, string>;
  client: EmbeddedClient;
  deployment: Deployment;
  cli(...args: string[]): Promise<CliResult>;
}

/** Create the database and the deployment (in a `before`); `dispose` in an `after`. */
export async function deploymentCli(
  dialect: DialectName,
): Promise<DeploymentCli & { dispose(): Promise<void> }> {
  const t = await createTestDatabase(dialect);
  const env = {
    PREFECT_HOME: t.home,
    PREFECT_API_DATABASE_CONNECTION_URL: t.url,
    PREFECT_SERVER_SERVICES_ZOMBIE_FLOW_RUNS_ENABLED: "false",
  };
  const client = new EmbeddedClient(t.database, {
    ownsDatabase: false,
    settings: loadSettings({ PREFECT_HOME: t.home }),
  });
  const flow = await client.createFlow({ name: "etl" });
  // a deployment names an existing work pool (an unknown one is Prefect's 404)
  await client.workPools.create({ name: "pool", type: "process" });
  const deployment = await client.deployments.create({
    name: "nightly",
    flowId: flow.id,
    parameterOpenapiSchema: SCHEMA,
    parameters: { full: true },
    schedules: [{ schedule: { cron: "0 3 * * *", timezone: "Europe/Berlin" } }],
    workPoolName: "pool",
  });
  return {
    t,
    env,
    client,
    deployment,
    cli: (...args: string[]) => runCli(args, env),
    dispose: async () => {
      await client.close();
      await t.dispose();
    },
  };
}

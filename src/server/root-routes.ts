/** Root routes: health, hello, versions, readiness, admin settings (the CSRF token: `resources/csrf-tokens`). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { z } from "zod";
import { API_VERSION, serverVersion } from "../core/api-version.ts";
import { packageVersion } from "../core/package-version.ts";
import { adminSettings } from "./admin-settings.ts";
import type { RouteDeps } from "./route-deps.ts";
import { json as jsonObject, responses } from "./schemas/responses.ts";

/** Prefect answers these routes with JSON strings (`"0.8.4"`), not plain text. */
const json = (value: string) => JSON.stringify(value);

// Responses

/** `/ready`: the database answered, or not (503). */
export const ReadyResponse = z.object({ message: z.string() });

/** `/admin/settings`: Prefect's `Settings`, every section (see `admin-settings.ts`). */
export const ServerSettings = z
  .object({
    home: z.string(),
    profiles_path: z.string().nullable(),
    debug_mode: z.boolean(),
    api: jsonObject,
    cli: jsonObject,
    client: jsonObject,
    cloud: jsonObject,
    deployments: jsonObject,
    events: jsonObject,
    experiments: jsonObject,
    flows: jsonObject,
    internal: jsonObject,
    logging: jsonObject,
    plugins: jsonObject,
    results: jsonObject,
    runner: jsonObject,
    server: jsonObject,
    tasks: jsonObject,
    telemetry: jsonObject,
    testing: jsonObject,
    worker: jsonObject,
    ui_url: z.string().nullable(),
    silence_api_url_misconfiguration: z.boolean(),
  })
  .meta({ id: "Settings" });

/** `/admin/storage`. */
export const StorageSettings = z.object({ default_result_storage_block_id: z.uuid().nullable() });

export const rootRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  const { database } = ctx;
  const text = responses({ 200: z.string() });
  app.get("/health", { schema: { response: responses({ 200: z.boolean() }) } }, async () => true);
  // the Prefect REST API version spoken, in the body and (on both version routes) a header
  app.get("/version", { schema: { response: text } }, async (_req, reply) =>
    reply
      .type("application/json")
      .header("x-prefect-api-version", API_VERSION)
      .send(json(API_VERSION)),
  );
  app.get("/hello", { schema: { response: text } }, async (_req, reply) =>
    reply.type("application/json").send(json("👋")),
  );
  const ready = responses({ 200: ReadyResponse, 503: ReadyResponse });
  app.get("/ready", { schema: { response: ready } }, async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(database.db);
      return { message: "OK" };
    } catch {
      return reply.code(503).send({ message: "Database is not reachable" });
    }
  });
  const version = json(serverVersion(packageVersion()));
  app.get("/admin/version", { schema: { response: text } }, async (_req, reply) =>
    reply.type("application/json").header("x-prefect-api-version", API_VERSION).send(version),
  );
  const settings = responses({ 200: ServerSettings });
  app.get("/admin/settings", { schema: { response: settings } }, async (req) => {
    const address = req.server.server.address();
    const serving =
      address && typeof address === "object"
        ? { host: address.address, port: address.port }
        : {
            host: ctx.settings.serverApiHost,
            port: ctx.settings.serverApiPort,
          };
    return adminSettings(ctx.settings, serving, database.dialect.name);
  });
  app.get(
    "/admin/storage",
    { schema: { response: responses({ 200: StorageSettings }) } },
    async () => ({ default_result_storage_block_id: null }),
  );
};

/** Root routes: health, hello, versions, readiness, admin settings, CSRF token. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { z } from "zod";
import { API_VERSION, PREFECT_SERVER_VERSION } from "../core/api-version.ts";
import { loadSettings } from "../settings/settings.ts";
import { adminSettings } from "./admin-settings.ts";
import type { RouteDeps } from "./route-deps.ts";

/** Prefect answers these routes with JSON strings (`"0.8.4"`), not plain text. */
const json = (value: string) => JSON.stringify(value);

export const rootRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { database }) => {
  app.get("/health", async () => true);
  app.get("/version", async (_req, reply) =>
    reply.type("application/json").send(json(API_VERSION)),
  );
  app.get("/hello", async (_req, reply) => reply.type("application/json").send(json("👋")));
  app.get("/ready", async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(database.db);
      return { message: "OK" };
    } catch {
      return reply.code(503).send({ message: "Database is not reachable" });
    }
  });
  app.get("/admin/version", async (_req, reply) =>
    reply.type("application/json").send(json(PREFECT_SERVER_VERSION)),
  );
  app.get("/admin/settings", async (req) => {
    const address = req.server.server.address();
    const serving =
      address && typeof address === "object"
        ? { host: address.address, port: address.port }
        : {
            host: process.env.PREFECT_SERVER_API_HOST ?? "127.0.0.1",
            port: Number(process.env.PREFECT_SERVER_API_PORT ?? 4200),
          };
    return adminSettings(loadSettings(), serving, database.dialect.name);
  });
  app.get("/admin/storage", async () => ({ default_result_storage_block_id: null }));
  app.get(
    "/csrf-token",
    { schema: { querystring: z.object({ client: z.string().optional() }) } },
    async (_req, reply) => reply.code(422).send({ detail: "CSRF protection is disabled." }),
  );
};

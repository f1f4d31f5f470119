/**
 * The REST API server: a Fastify app serving Prefect 3's API under `/api` over one database.
 * Request bodies, params and queries are validated by zod schemas, which also generate
 * `/api/openapi.json`.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import { jsonSchemaTransform, validatorCompiler } from "fastify-type-provider-zod";
import { EventPipeline } from "../resources/events/pipeline.ts";
import { eventRoutes } from "../resources/events/routes.ts";
import { flowRunRoutes } from "../resources/flow-runs/routes.ts";
import { flowRoutes } from "../resources/flows/routes.ts";
import { historyRoutes } from "../resources/history/routes.ts";
import { logRoutes } from "../resources/logs/routes.ts";
import { stateRoutes } from "../resources/states/routes.ts";
import { taskRunRoutes } from "../resources/task-runs/routes.ts";
import { uiRoutes } from "../resources/ui/routes.ts";
import { EventRetention, type EventRetentionOptions } from "../services/event-retention.ts";
import type { Database } from "../storage/database.ts";
import { installErrorHandlers } from "./http-errors.ts";
import { rootRoutes } from "./root-routes.ts";
import {
  attachResponseSchemas,
  documentTransformObject,
  jsonSerializerCompiler,
} from "./schemas/responses.ts";
import { type UiOptions, uiApp } from "./ui-app.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** Write the received events that are still buffered (task runs and the event store). */
    flushEvents(): Promise<void>;
  }
}

export interface AppOptions {
  database: Database;
  /** Log requests (pino, through Fastify). */
  logger?: boolean;
  /** Serve the web UI at `/` (and `GET /ui-settings`); off unless given. */
  ui?: UiOptions | false;
  /**
   * Delete events older than `retentionSeconds` once the app is ready and every 15 minutes, until
   * it closes (Prefect's event retention); off unless given. Logs through the app's logger unless
   * `log` is given.
   */
  eventRetention?: EventRetentionOptions | false;
}

/** Prefect limits request bodies of most endpoints well below this; logs batches are the largest. */
const BODY_LIMIT = 8 * 1024 * 1024;

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT });
  app.setValidatorCompiler(validatorCompiler);
  // response schemas document the routes; responses are not validated against them
  app.setSerializerCompiler(jsonSerializerCompiler);
  app.addHook("onRoute", attachResponseSchemas);
  // Old Prefect clients send bodies without a content type: treat them as JSON.
  app.addHook("onRequest", async (request) => {
    const length = Number(request.headers["content-length"] ?? 0);
    if (!request.headers["content-type"] && (length > 0 || request.headers["transfer-encoding"])) {
      request.headers["content-type"] = "application/json";
    }
  });
  // An empty body under a JSON content type is no body, as FastAPI reads it: a route without one
  // (a DELETE) is served, a route whose body is optional (a filter) uses its defaults
  const parseJsonBody = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") done(null, undefined);
    else void parseJsonBody(request, String(body), done);
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, body === "" ? undefined : JSON.parse(body as string));
    } catch (error) {
      const err = error as Error & { statusCode?: number; code?: string };
      err.code = "FST_ERR_CTP_INVALID_JSON_BODY";
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  installErrorHandlers(app);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Prefect REST API",
        version: "v3",
        description: "Prefect TS, wire-compatible with Prefect 3",
      },
    },
    transform: jsonSchemaTransform,
    transformObject: documentTransformObject,
  });
  // Swagger UI over the same document, at `/docs` as in Prefect
  await app.register(swaggerUi, { routePrefix: "/docs" });
  // WebSocket routes (`/api/events/in`); frames may carry an event of up to 1.5 MB
  await app.register(websocket, { options: { maxPayload: 16 * 1024 * 1024 } });
  // received and emitted events wait here briefly to be written in bulk, and feed `/events/out`
  const events = new EventPipeline(options.database, { log: app.log });
  const deps = { database: options.database, events };
  app.decorate("flushEvents", () => events.flush());
  app.addHook("onClose", () => events.flush());
  if (options.eventRetention) {
    const retention = new EventRetention(options.database, {
      ...options.eventRetention,
      log: options.eventRetention.log ?? app.log,
    });
    // the first trim runs in the background: the server does not wait for it to listen
    app.addHook("onReady", async () => {
      void retention.start();
    });
    app.addHook("onClose", () => retention.stop());
  }
  await app.register(
    async (api) => {
      await api.register(rootRoutes, deps);
      await api.register(flowRoutes, deps);
      await api.register(flowRunRoutes, deps);
      await api.register(taskRunRoutes, deps);
      await api.register(stateRoutes, deps);
      await api.register(logRoutes, deps);
      await api.register(eventRoutes, deps);
      await api.register(historyRoutes, deps);
      await api.register(uiRoutes, deps);
      api.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
      // Prefect's docs point at `/docs` under the API URL as well as on the server's root
      api.get("/docs", { schema: { hide: true } }, (_req, reply) => reply.redirect("/docs"));
    },
    { prefix: "/api" },
  );
  if (options.ui) await app.register(uiApp, options.ui);
  return app;
}

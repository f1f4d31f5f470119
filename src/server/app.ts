/**
 * The REST API server: a Fastify app serving Prefect 3's API under `/api` over one database.
 * Request bodies, params and queries are validated by zod schemas, which also generate
 * `/api/openapi.json`.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, validatorCompiler } from "fastify-type-provider-zod";
import type { Clock } from "../core/time.ts";
import { apiKeyRoutes } from "../resources/api-keys/routes.ts";
import { artifactRoutes } from "../resources/artifacts/routes.ts";
import { assetRoutes } from "../resources/assets/routes.ts";
import { blockCapabilityRoutes } from "../resources/block-capabilities/routes.ts";
import { blockDocumentRoutes } from "../resources/block-documents/routes.ts";
import { blockSchemaRoutes } from "../resources/block-schemas/routes.ts";
import { blockTypeRoutes } from "../resources/block-types/routes.ts";
import { concurrencyLimitRoutes } from "../resources/concurrency-limits/routes.ts";
import { holderSocketRoutes } from "../resources/concurrency-limits/sockets.ts";
import { tagConcurrencyLimitRoutes } from "../resources/concurrency-limits/v1-routes.ts";
import { csrfTokenRoutes } from "../resources/csrf-tokens/routes.ts";
import { deploymentRoutes } from "../resources/deployments/routes.ts";
import { eventRoutes } from "../resources/events/routes.ts";
import { flowRunRoutes } from "../resources/flow-runs/routes.ts";
import { flowRoutes } from "../resources/flows/routes.ts";
import { historyRoutes } from "../resources/history/routes.ts";
import { logRoutes } from "../resources/logs/routes.ts";
import { stateRoutes } from "../resources/states/routes.ts";
import { taskRunRoutes } from "../resources/task-runs/routes.ts";
import { uiRoutes } from "../resources/ui/routes.ts";
import { variableRoutes } from "../resources/variables/routes.ts";
import { workPoolRoutes } from "../resources/work-pools/routes.ts";
import { workQueueRoutes } from "../resources/work-queues/routes.ts";
import { type Core, createServerCore } from "../services/composition.ts";
import { stderrLogger } from "../services/context.ts";
import type { EventRetentionOptions } from "../services/event-retention.ts";
import type { Settings } from "../settings/settings.ts";
import type { Database } from "../storage/database.ts";
import { registerAuth } from "./auth.ts";
import { registerCsrfProtection } from "./csrf.ts";
import { answerFrameworkError, installErrorHandlers } from "./http-errors.ts";
import { MAX_PATH_PARAM_LENGTH, registerJsonBody } from "./json-body.ts";
import { rootRoutes } from "./root-routes.ts";
import { documentTransformObject, jsonSerializerCompiler } from "./schemas/responses.ts";
import { type UiOptions, uiApp } from "./ui-app.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** Write the received events that are still buffered (task runs and the event store). */
    flushEvents(): Promise<void>;
    /** The server's core: the application context its routes call the models with. */
    core: Core;
    /** Each route's documented responses by `METHOD path` (as registered) and status. */
    responseSchemas: Map<string, Readonly<Record<number, unknown>>>;
  }
}

export interface AppOptions {
  database: Database;
  /** The app clock: every timestamp the server writes or compares (default: the system clock). */
  clock?: Clock;
  /** Settings (default: read from the environment). */
  settings?: Settings;
  /** Log requests (pino, through Fastify). */
  logger?: boolean;
  /** Serve the web UI at `/` (and `GET /ui-settings`); off unless given. */
  ui?: UiOptions | false;
  /**
   * Delete events older than `retentionSeconds` once the app is ready and every 15 minutes, until
   * it closes (Prefect's event retention); off unless given. Logs through the app's logger unless
   * `log` is given.
   */
  eventRetention?: Omit<EventRetentionOptions, "clock"> | false;
  /**
   * Run only what each API server runs itself (the task-run recorder, the repossessor), not the
   * loop services (`server start --no-services`: a `server services start` process runs them).
   */
  webserverOnly?: boolean;
}

/** Prefect limits request bodies of most endpoints well below this; logs batches are the largest. */
const BODY_LIMIT = 8 * 1024 * 1024;

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]
>;

/**
 * The routes' compilers: the zod provider's validator, and plain JSON for responses (response
 * schemas document the routes; responses are not validated against them). Given as Fastify's
 * compilers factory, so that Fastify does not load its own (ajv, fast-json-stringify) only to
 * have them replaced; its types name those, Fastify itself only calls what the factory returns.
 */
const ZOD_COMPILERS: CompilersFactory = {
  buildValidator: (() => validatorCompiler) as unknown as CompilersFactory["buildValidator"],
  buildSerializer: (() => jsonSerializerCompiler) as unknown as CompilersFactory["buildSerializer"],
};

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // a path parameter may be a name (`/flows/name/{name}`): as long as a stored name can be
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // a malformed URL or one Fastify cannot route, in Prefect's error shape
    frameworkErrors: answerFrameworkError,
    schemaController: { compilersFactory: ZOD_COMPILERS },
  });
  // bodies as JSON (`application/json` or no content type; 415 otherwise), and no text the
  // database cannot hold in the body, path or query
  registerJsonBody(app);
  // without a request log (the default), unexpected errors and failures the server handles in the
  // background still reach standard error
  const log = options.logger ? app.log : stderrLogger;
  installErrorHandlers(app, log);
  // every route's responses, as declared beside it (the test app checks each response against them)
  const responseSchemas = new Map<string, Readonly<Record<number, unknown>>>();
  app.decorate("responseSchemas", responseSchemas);
  app.addHook("onRoute", (route) => {
    const response = (route.schema as { response?: Record<number, unknown> } | undefined)?.response;
    if (!response) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) responseSchemas.set(`${method} ${route.url}`, response);
  });
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
  // pings are answered by the routes (`/events/in` once what came before is recorded)
  await app.register(websocket, { options: { maxPayload: 16 * 1024 * 1024, autoPong: false } });
  // the models, the event bus (received events wait there briefly to be written in bulk, and feed
  // `/events/out`), its consumers and the loop services, wired by the composition root
  const core = createServerCore({
    database: options.database,
    clock: options.clock,
    settings: options.settings,
    log,
    webserverOnly: options.webserverOnly,
    eventRetention: options.eventRetention
      ? {
          ...options.eventRetention,
          log: options.eventRetention.log ?? {
            info: (message) => app.log.info(message),
            error: (message) => app.log.error(message),
          },
        }
      : false,
  });
  const deps = { ctx: core.ctx, bus: core.bus };
  app.decorate("core", core);
  // CSRF tokens (when on), then authentication (when an auth string is set): see csrf.ts, auth.ts
  registerCsrfProtection(app, core.ctx);
  registerAuth(app, core.ctx);
  app.decorate("flushEvents", () => core.bus.flush());
  // the services' first loops run in the background: the server does not wait for them to listen
  app.addHook("onReady", async () => {
    core.start();
  });
  app.addHook("onClose", () => core.close());
  await app.register(
    async (api) => {
      await api.register(rootRoutes, deps);
      await api.register(flowRoutes, deps);
      await api.register(flowRunRoutes, deps);
      await api.register(deploymentRoutes, deps);
      await api.register(taskRunRoutes, deps);
      await api.register(stateRoutes, deps);
      await api.register(logRoutes, deps);
      await api.register(eventRoutes, deps);
      await api.register(historyRoutes, deps);
      await api.register(uiRoutes, deps);
      await api.register(csrfTokenRoutes, deps);
      await api.register(apiKeyRoutes, deps);
      await api.register(concurrencyLimitRoutes, deps);
      await api.register(tagConcurrencyLimitRoutes, deps);
      await api.register(holderSocketRoutes, deps);
      await api.register(workPoolRoutes, deps);
      await api.register(workQueueRoutes, deps);
      await api.register(blockTypeRoutes, deps);
      await api.register(blockSchemaRoutes, deps);
      await api.register(blockDocumentRoutes, deps);
      await api.register(blockCapabilityRoutes, deps);
      await api.register(variableRoutes, deps);
      await api.register(artifactRoutes, deps);
      await api.register(assetRoutes, deps);
      api.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
      // Prefect's docs point at `/docs` under the API URL as well as on the server's root
      api.get("/docs", { schema: { hide: true } }, (_req, reply) => reply.redirect("/docs"));
    },
    { prefix: "/api" },
  );
  if (options.ui) await app.register(uiApp, options.ui);
  return app;
}

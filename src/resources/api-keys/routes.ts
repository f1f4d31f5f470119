/**
 * `/api_keys` (beyond Prefect OSS): create, list and revoke API keys over HTTP. Only the holder of
 * the server's auth string may (a caller authenticated by an API key is refused with 403), and
 * only while authentication is on: without it, keys would guard nothing.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestAuthentication } from "../../server/auth.ts";
import type { RouteDeps } from "../../server/route-deps.ts";
import { noContent, responses } from "../../server/schemas/responses.ts";
import * as apiKeys from "./model.ts";
import { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyId } from "./schema.ts";

const Refused = z.object({ detail: z.string() });

export const apiKeyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  // the auth string's holder only
  app.addHook("preHandler", async (req, reply) => {
    const by = requestAuthentication(req);
    if (by === "auth-string") return;
    return reply.code(403).send({
      detail:
        by === "api-key"
          ? "API keys cannot manage API keys: authenticate with the server's auth string."
          : "API keys need authentication on: set PREFECT_SERVER_API_AUTH_STRING on the server.",
    });
  });

  app.post(
    "/api_keys/",
    {
      schema: {
        body: ApiKeyCreate,
        response: responses({ 201: ApiKeyCreated, 403: Refused }),
      },
    },
    async (req, reply) => {
      const { apiKey, key } = await apiKeys.createApiKey(ctx, req.body.name ?? null);
      return reply.code(201).send({ ...apiKey, key });
    },
  );

  app.get(
    "/api_keys/",
    { schema: { response: responses({ 200: z.array(ApiKey), 403: Refused }) } },
    async () => apiKeys.listApiKeys(ctx),
  );

  app.delete(
    "/api_keys/:id",
    { schema: { params: ApiKeyId, response: responses({ 204: noContent, 403: Refused }) } },
    async (req, reply) => {
      await apiKeys.revokeApiKey(ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );
};

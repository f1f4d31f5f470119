/**
 * `GET /csrf-token?client=…` (Prefect's `create_csrf_token`): a new token for the client while
 * CSRF protection is on (`PREFECT_SERVER_CSRF_PROTECTION_ENABLED`), else 422 "CSRF protection is
 * disabled." — which tells clients not to send tokens. The check itself is `server/csrf.ts`.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { RouteDeps } from "../../server/route-deps.ts";
import { responses } from "../../server/schemas/responses.ts";
import * as csrf from "./model.ts";
import { CsrfDisabled, CsrfToken, CsrfTokenQuery } from "./schema.ts";

export const csrfTokenRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { ctx }) => {
  app.get(
    "/csrf-token",
    {
      schema: {
        querystring: CsrfTokenQuery,
        response: responses({ 200: CsrfToken, 422: CsrfDisabled }),
      },
    },
    async (req, reply) => {
      if (!ctx.settings.serverCsrfProtectionEnabled) {
        return reply.code(422).send({ detail: "CSRF protection is disabled." });
      }
      return csrf.createOrUpdateToken(ctx, req.query.client);
    },
  );
};

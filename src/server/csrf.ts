/**
 * CSRF protection as Prefect's `CsrfMiddleware`: with `PREFECT_SERVER_CSRF_PROTECTION_ENABLED`,
 * every POST, PUT, PATCH and DELETE must carry `Prefect-Csrf-Token` and `Prefect-Csrf-Client`
 * headers naming a valid token issued to that client by `GET /api/csrf-token?client=…`;
 * otherwise 403 with Prefect's messages. Off by default, as in Prefect.
 */
import type { FastifyInstance } from "fastify";
import { isValidToken } from "../resources/csrf-tokens/model.ts";
import type { AppContext } from "../services/context.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Install CSRF protection on `app` when the settings turn it on. */
export function registerCsrfProtection(app: FastifyInstance, ctx: AppContext): void {
  if (!ctx.settings.serverCsrfProtectionEnabled) return;
  app.addHook("onRequest", async (req, reply) => {
    if (!STATE_CHANGING.has(req.method)) return;
    const token = header(req.headers["prefect-csrf-token"]);
    const client = header(req.headers["prefect-csrf-client"]);
    if (token === undefined) return reply.code(403).send({ detail: "Missing CSRF token." });
    if (client === undefined) {
      return reply.code(403).send({ detail: "Missing client identifier." });
    }
    if (!(await isValidToken(ctx, client, token))) {
      return reply
        .code(403)
        .header("access-control-allow-origin", "*")
        .send({ detail: "Invalid CSRF token or client identifier." });
    }
  });
}

/**
 * Authentication as Prefect's server has it, plus API keys. With `PREFECT_SERVER_API_AUTH_STRING`
 * (`user:password`) set, every request under `/api` must carry `Authorization: Basic
 * base64(user:password)` — or `Authorization: Bearer <API key>` (beyond Prefect OSS) — except
 * `GET /api/health` and `GET /api/ready` (probes), as Prefect leaves them open; anything else
 * answers 401 `{"exception_message": "Unauthorized"}`. The web UI's files and `/ui-settings` stay
 * open (the UI asks for the password itself).
 *
 * The events WebSockets (`/api/events/in`, `/api/events/out`) are authenticated by their first
 * frame, `{"type":"auth","token":…}`, whose token must be the auth string or an API key (Prefect
 * closes the socket with 1008 otherwise); their upgrade request needs no header, as Prefect's
 * client sends none. Whether auth is on or not, an upgrade sent by a browser page of another
 * origin (an `Origin` header naming neither this server nor `PREFECT_UI_URL`/`PREFECT_UI_API_URL`)
 * is refused with 403: no web page a user visits can read their events or send some in their name.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticateApiKey } from "../resources/api-keys/model.ts";
import type { AppContext } from "../services/context.ts";
import type { Settings } from "../settings/settings.ts";

/** How a request proved who sent it; null when authentication is off (or the route is open). */
export type AuthenticatedBy = "auth-string" | "api-key" | null;

/** The token of an events socket's auth frame is accepted (true), or the reason to close it. */
export type SocketTokenCheck = (token: unknown) => Promise<true | string>;

declare module "fastify" {
  interface FastifyInstance {
    /** Check the token of an events WebSocket's auth frame (always true with auth off). */
    checkSocketToken: SocketTokenCheck;
  }
}

const authenticated = new WeakMap<FastifyRequest, AuthenticatedBy>();

/** How `req` was authenticated (see `AuthenticatedBy`). */
export function requestAuthentication(req: FastifyRequest): AuthenticatedBy {
  return authenticated.get(req) ?? null;
}

const UNAUTHORIZED = { exception_message: "Unauthorized" };

/** Paths Prefect leaves open under auth (probes), for GET and HEAD. */
const OPEN_PATHS = new Set(["/api/health", "/api/ready"]);
/** WebSockets authenticated by their first frame rather than a header. */
const FRAME_AUTHENTICATED = new Set(["/api/events/in", "/api/events/out"]);

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** `a === b` in a time that tells nothing about where they differ (nor their lengths). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function isWebSocketUpgrade(req: FastifyRequest): boolean {
  return String(req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

function pathOf(req: FastifyRequest): string {
  const url = req.url;
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** Whether a request falls under the API (by the route it matched, or by its path). */
function underApi(req: FastifyRequest, path: string): boolean {
  const route = req.routeOptions.url ?? "";
  return (
    route === "/api" || route.startsWith("/api/") || path === "/api" || path.startsWith("/api/")
  );
}

/** The origins a browser page may open the events sockets from, besides the server's own. */
function configuredOrigins(settings: Settings): Set<string> {
  const origins = new Set<string>();
  for (const url of [settings.uiUrl, settings.uiApiUrl]) {
    if (!url) continue;
    try {
      origins.add(new URL(url).origin);
    } catch {
      // not a URL: names no origin
    }
  }
  return origins;
}

/** A browser's `Origin` is this server (as the request reached it) or a configured UI origin. */
function originAllowed(origin: string, host: string | undefined, allowed: Set<string>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, files) and anything else that is not an origin
  }
  if (host !== undefined && parsed.host === host.toLowerCase()) return true;
  return allowed.has(parsed.origin);
}

/** Install authentication on `app` (hooks run before any route is matched to a handler). */
export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  const authString = ctx.settings.serverApiAuthString;
  const allowedOrigins = configuredOrigins(ctx.settings);

  const checkSocketToken: SocketTokenCheck = async (token) => {
    if (authString === null) return true;
    if (typeof token !== "string" || token === "") return "Auth required but no token provided";
    if (constantTimeEqual(token, authString)) return true;
    if (await authenticateApiKey(ctx, token)) return true;
    return "Invalid token";
  };
  app.decorate("checkSocketToken", checkSocketToken);

  app.addHook("onRequest", async (req, reply) => {
    const upgrade = isWebSocketUpgrade(req);
    if (upgrade) {
      const origin = req.headers.origin;
      if (origin !== undefined && !originAllowed(origin, req.headers.host, allowedOrigins)) {
        return reply
          .code(403)
          .send({ detail: `WebSocket connections from origin ${origin} are not allowed.` });
      }
    }
    if (authString === null) return;
    const path = pathOf(req);
    if (upgrade && FRAME_AUTHENTICATED.has(path)) return;
    if (!underApi(req, path)) return;
    if ((req.method === "GET" || req.method === "HEAD") && OPEN_PATHS.has(path)) return;
    const by = await authenticate(req.headers.authorization);
    if (by === null) return reply.code(401).send(UNAUTHORIZED);
    authenticated.set(req, by);
  });

  async function authenticate(header: string | undefined): Promise<AuthenticatedBy> {
    if (header === undefined || authString === null) return null;
    const parts = header.trim().split(/\s+/);
    if (parts.length !== 2) return null;
    const [scheme = "", credentials = ""] = parts;
    switch (scheme.toLowerCase()) {
      case "basic": {
        const decoded = Buffer.from(credentials, "base64").toString("utf8");
        return constantTimeEqual(decoded, authString) ? "auth-string" : null;
      }
      case "bearer":
        return (await authenticateApiKey(ctx, credentials)) ? "api-key" : null;
      default:
        return null;
    }
  }
}

/**
 * The server as tests use it, with every JSON response it sends checked against the schema
 * `/api/openapi.json` documents for its route and status (no undocumented fields either). The
 * app itself does not validate what it sends (see `src/server/schemas/responses.ts`): this is
 * where the documented contract is held to, for every request any API test makes.
 */
import { isDeepStrictEqual } from "node:util";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { createApp } from "../../src/server/app.ts";

type AppOptions = Parameters<typeof createApp>[0];

/** The schema `app` documents for a route's response of this status, if any. */
export function responseSchema(
  app: FastifyInstance,
  route: string,
  status: number,
): z.ZodType | undefined {
  return app.responseSchemas.get(route)?.[status] as z.ZodType | undefined;
}

/** How a response breaks its documented schema, or null when it keeps to it (or has none). */
export function responseViolation(
  app: FastifyInstance,
  route: string,
  status: number,
  body: unknown,
): string | null {
  const schema = responseSchema(app, route, status);
  if (!schema) return null;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return `${route} → ${status} does not match its schema:\n${z.prettifyError(parsed.error)}`;
  }
  // zod drops keys its schema does not list: what was sent must survive parsing unchanged
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.data)), body)) {
    return `${route} → ${status} sends fields its schema does not list`;
  }
  return null;
}

/**
 * `createApp(options)`, with its responses checked: closing it fails, naming them, if any
 * response broke its documented schema.
 */
export async function createCheckedApp(options: AppOptions): Promise<FastifyInstance> {
  const app = await createApp(options);
  const violations: string[] = [];
  app.addHook("onSend", async (request, reply, payload) => {
    const type = String(reply.getHeader("content-type") ?? "");
    if (!type.startsWith("application/json") || typeof payload !== "string") return payload;
    const route = `${request.method} ${request.routeOptions.url}`;
    const violation = responseViolation(app, route, reply.statusCode, JSON.parse(payload));
    if (violation) violations.push(violation);
    return payload;
  });
  app.addHook("onClose", async () => {
    if (violations.length > 0) {
      throw new Error(`responses broke their documented schema:\n${violations.join("\n")}`);
    }
  });
  return app;
}

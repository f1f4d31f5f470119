import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { responseSchema, responseViolation } from "./checked-app.ts";

/**
 * Assert that a response body matches the schema `/api/openapi.json` documents for its route and
 * status, with no undocumented fields. Every response of a `createCheckedApp` server is checked
 * this way as it is sent; this is for a body that must have a documented schema.
 *
 * @param route `METHOD path` as registered, e.g. `GET /api/flow_runs/:id/graph-v2`.
 */
export function assertDocumentedResponse(
  app: FastifyInstance,
  route: string,
  status: number,
  body: unknown,
): void {
  assert.ok(
    responseSchema(app, route, status),
    `no response schema documented for ${route} → ${status}`,
  );
  const violation = responseViolation(app, route, status, body);
  if (violation) assert.fail(violation);
}

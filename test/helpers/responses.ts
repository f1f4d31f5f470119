import assert from "node:assert/strict";
import { z } from "zod";
import { RESPONSE_SCHEMAS } from "../../src/server/schemas/responses.ts";

/**
 * Assert that a response body matches the schema `/api/openapi.json` documents for its route and
 * status, with no undocumented fields (zod drops unknown keys, so the parsed body must equal the
 * body). Responses are not validated when sent; this is where the documented contract is checked.
 *
 * @param route `METHOD path` as registered, e.g. `GET /api/flow_runs/:id/graph-v2`.
 */
export function assertDocumentedResponse(route: string, status: number, body: unknown): void {
  const schema = RESPONSE_SCHEMAS[route]?.[status];
  assert.ok(schema, `no response schema documented for ${route} → ${status}`);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    assert.fail(
      `${route} → ${status} does not match its schema:\n${z.prettifyError(parsed.error)}`,
    );
  }
  assert.deepEqual(parsed.data, body, `${route} → ${status} sends fields its schema does not list`);
}

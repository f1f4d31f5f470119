/** CSRF tokens at the HTTP edge: Prefect's `CsrfToken` and the query of `GET /csrf-token`. */
import { z } from "zod";
import { time } from "../../server/schemas/responses.ts";

export const CsrfTokenQuery = z.object({
  client: z.string().describe("The client to create a CSRF token for"),
});

export const CsrfToken = z
  .object({
    id: z.uuid(),
    created: time.nullable(),
    updated: time.nullable(),
    token: z.string().describe("The CSRF token"),
    client: z.string().describe("The client id associated with the CSRF token"),
    expiration: time.describe("The expiration time of the CSRF token"),
  })
  .meta({ id: "CsrfToken" });

/**
 * 422: `{"detail": "CSRF protection is disabled."}` while protection is off (as on Prefect's default
 * server), or Prefect's validation error when `client` is missing.
 */
export const CsrfDisabled = z.union([
  z.object({ detail: z.string() }),
  z.object({
    exception_message: z.string(),
    exception_detail: z.array(z.record(z.string(), z.unknown())),
    request_body: z.unknown(),
  }),
]);

/**
 * CSRF tokens as Prefect's server issues them (`models/csrf_token.py`): `GET /csrf-token?client=…`
 * gives the client a new random token, valid for `PREFECT_SERVER_CSRF_TOKEN_EXPIRATION`; while
 * protection is on, a state-changing request must carry a client's valid token.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { addSeconds } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import * as tokens from "./queries.ts";

export type { CsrfTokenRecord } from "./queries.ts";

/** Issue (or replace) the client's token, and drop expired ones. */
export async function createOrUpdateToken(
  ctx: AppContext,
  client: string,
): Promise<tokens.CsrfTokenRecord> {
  const now = ctx.clock.nowIso();
  const expiration = addSeconds(now, ctx.settings.serverCsrfTokenExpirationSeconds);
  const token = await tokens.upsertToken(
    ctx.database,
    client,
    randomBytes(32).toString("hex"),
    expiration,
    now,
  );
  await tokens.deleteExpiredTokens(ctx.database, now);
  return token;
}

/** True when `token` is the client's token and has not expired. */
export async function isValidToken(
  ctx: AppContext,
  client: string,
  token: string,
): Promise<boolean> {
  const stored = await tokens.readValidToken(ctx.database, client, ctx.clock.nowIso());
  if (!stored) return false;
  const a = Buffer.from(stored.token);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

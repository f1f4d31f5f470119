/**
 * API keys (beyond Prefect OSS): random 32-byte keys with a recognisable prefix (`pfts_`), sent as
 * `Authorization: Bearer <key>` to a server that has authentication on. Only the SHA-256 of a key
 * is stored: the key is shown once, when it is created.
 */
import { createHash, randomBytes } from "node:crypto";
import { ObjectNotFoundError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import * as keys from "./queries.ts";

export type { ApiKeyRecord } from "./queries.ts";

/** Every key starts with this, so that a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = "pfts_";

/** What the key functions use of the application context (the CLI has no full one). */
export type KeyContext = Pick<AppContext, "database" | "clock">;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Create a key: its record and the key itself, which is not stored and cannot be read again. */
export async function createApiKey(
  ctx: KeyContext,
  name: string | null = null,
): Promise<{ apiKey: keys.ApiKeyRecord; key: string }> {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const apiKey: keys.ApiKeyRecord = {
    id: uuid4(),
    created: ctx.clock.nowIso(),
    name: name ?? "",
    key_prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    revoked: null,
  };
  await keys.insertApiKey(ctx.database, { ...apiKey, key_hash: hashApiKey(key) });
  return { apiKey, key };
}

/** Every key, oldest first, revoked ones included. */
export function listApiKeys(ctx: KeyContext): Promise<keys.ApiKeyRecord[]> {
  return keys.listApiKeys(ctx.database);
}

/** Revoke a key: it is refused from then on. Revoking a revoked key changes nothing. */
export async function revokeApiKey(ctx: KeyContext, id: string): Promise<keys.ApiKeyRecord> {
  await keys.revokeApiKey(ctx.database, id, ctx.clock.nowIso());
  const apiKey = await keys.readApiKey(ctx.database, id);
  if (!apiKey) throw new ObjectNotFoundError("API key not found");
  return apiKey;
}

/** The valid key a bearer token is, or null (unknown, malformed or revoked). */
export async function authenticateApiKey(
  ctx: KeyContext,
  token: string,
): Promise<keys.ApiKeyRecord | null> {
  if (!token.startsWith(API_KEY_PREFIX) || token.length > 200) return null;
  return keys.findValidKeyByHash(ctx.database, hashApiKey(token));
}

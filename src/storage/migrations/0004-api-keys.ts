import type { Migration } from "./column-types.ts";

/**
 * Authentication state kept by the server: API keys (beyond Prefect OSS; only the SHA-256 of each
 * key is kept, with its first characters to tell keys apart) and CSRF tokens (Prefect's
 * `csrf_token` table: one token per client, replaced when the client asks again).
 */
export const apiKeysMigration: Migration = {
  id: 4,
  name: "api-keys",
  statements: (t) => [
    `CREATE TABLE api_key (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      name ${t.text} NOT NULL,
      key_prefix ${t.text} NOT NULL,
      key_hash ${t.text} NOT NULL UNIQUE,
      revoked ${t.ts}
    )`,
    `CREATE TABLE csrf_token (
      id ${t.uuid} PRIMARY KEY,
      created ${t.ts} NOT NULL,
      updated ${t.ts} NOT NULL,
      token ${t.text} NOT NULL,
      client ${t.text} NOT NULL UNIQUE,
      expiration ${t.ts} NOT NULL
    )`,
    "CREATE INDEX ix_csrf_token__expiration ON csrf_token (expiration)",
  ],
};

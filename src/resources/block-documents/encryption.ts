/**
 * Block document data encrypted at rest as Prefect encrypts it (`prefect.server.utilities.encryption`):
 * a Fernet token (AES-128-CBC and HMAC-SHA256) of the data's JSON, with the key of
 * `PREFECT_SERVER_ENCRYPTION_KEY` when it is set, else the key kept in the database's
 * `configuration` table (`ENCRYPTION_KEY`, made on first use). A key kept beside the data protects
 * it from a casual look at the rows, not from whoever can read the database; see docs/security.md.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { ValidationError } from "../../core/errors.ts";
import { uuid4 } from "../../core/ids.ts";
import type { AppContext } from "../../services/context.ts";
import type { Database } from "../../storage/database.ts";
import { insertConfiguration, readConfiguration } from "./configuration-queries.ts";

const CONFIGURATION_KEY = "ENCRYPTION_KEY";

/** A Fernet key: 32 random bytes, URL-safe base64 (Python's `Fernet.generate_key()`). */
export function generateFernetKey(): string {
  return randomBytes(32).toString("base64url").padEnd(44, "=");
}

function keyParts(key: string): { signing: Buffer; encryption: Buffer } {
  const raw = Buffer.from(key.trim(), "base64url");
  if (raw.length !== 32) {
    throw new ValidationError(
      "PREFECT_SERVER_ENCRYPTION_KEY must be a Fernet key: 32 bytes in URL-safe base64 (44 characters).",
    );
  }
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16) };
}

/** `Fernet(key).encrypt(plaintext)`. */
export function fernetEncrypt(
  key: string,
  plaintext: string,
  nowSeconds = Date.now() / 1000,
): string {
  const { signing, encryption } = keyParts(key);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-128-cbc", encryption, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(Math.floor(nowSeconds)));
  const token = Buffer.concat([Buffer.from([0x80]), time, iv, body]);
  const mac = createHmac("sha256", signing).update(token).digest();
  return Buffer.concat([token, mac])
    .toString("base64url")
    .padEnd(Math.ceil((token.length + 32) / 3) * 4, "=");
}

/** `Fernet(key).decrypt(token)`; throws when the token was not made with this key. */
export function fernetDecrypt(key: string, token: string): string {
  const { signing, encryption } = keyParts(key);
  const raw = Buffer.from(token, "base64url");
  const body = raw.subarray(0, raw.length - 32);
  const mac = raw.subarray(raw.length - 32);
  const expected = createHmac("sha256", signing).update(body).digest();
  if (raw.length < 57 || raw[0] !== 0x80 || !timingSafeEqual(mac, expected)) {
    throw new Error(
      "Block document data could not be decrypted with the configured encryption key.",
    );
  }
  const decipher = createDecipheriv("aes-128-cbc", encryption, body.subarray(9, 25));
  return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]).toString("utf8");
}

const keys = new WeakMap<Database, Promise<string>>();

async function storedKey(ctx: AppContext): Promise<string> {
  const read = async () =>
    (await readConfiguration<{ fernet_key?: string }>(ctx.database, CONFIGURATION_KEY))?.fernet_key;
  const found = await read();
  if (found) return found;
  await insertConfiguration(ctx.database, {
    id: uuid4(),
    key: CONFIGURATION_KEY,
    value: { fernet_key: generateFernetKey() },
    now: ctx.clock.nowIso(),
  });
  const made = await read();
  if (!made) throw new Error("The block encryption key could not be stored.");
  return made;
}

/** The key block data is encrypted with (read or made once per database). */
export function encryptionKey(ctx: AppContext): Promise<string> {
  const fromEnvironment = process.env.PREFECT_SERVER_ENCRYPTION_KEY;
  if (fromEnvironment) return Promise.resolve(fromEnvironment);
  let key = keys.get(ctx.database);
  if (!key) {
    key = storedKey(ctx);
    key.catch(() => keys.delete(ctx.database));
    keys.set(ctx.database, key);
  }
  return key;
}

export async function encryptData(ctx: AppContext, data: Record<string, unknown>): Promise<string> {
  return fernetEncrypt(await encryptionKey(ctx), JSON.stringify(data));
}

export async function decryptData(
  ctx: AppContext,
  token: string,
): Promise<Record<string, unknown>> {
  return JSON.parse(fernetDecrypt(await encryptionKey(ctx), token)) as Record<string, unknown>;
}

/** API keys at the HTTP edge: what `/api/api_keys/` takes and answers. */
import { z } from "zod";

export const ApiKeyCreate = z.object({ name: z.string().max(200).nullish() }).strict();

export const ApiKey = z
  .object({
    id: z.uuid(),
    created: z.string(),
    name: z.string(),
    key_prefix: z.string(),
    revoked: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });

/** A new key: the record and, this once, the key. */
export const ApiKeyCreated = ApiKey.extend({ key: z.string() }).meta({ id: "ApiKeyCreated" });

export const ApiKeyId = z.object({ id: z.uuid() });

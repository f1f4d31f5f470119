/**
 * The built-in blocks, with Prefect's slugs, schemas and checksums (`core/system-blocks.ts`): a
 * block saved here loads in Prefect's Python client and the reverse. `Secret` (with `get()`, and
 * `Secret.field()` for secret fields of your own blocks), `JSONBlock`, `StringBlock`,
 * `DateTimeBlock`, `LocalFileSystem` (also a result storage: `resultStorage: await
 * LocalFileSystem.load("results")`), `Webhook` (`call()`), `SlackWebhook` (`notify()`) and
 * `CustomWebhookNotificationBlock`.
 */
import type { z } from "zod";
import type { PrefectClient } from "../../client/prefect-client.ts";
import { systemBlock } from "../../core/system-blocks.ts";
import { LocalFileSystem as FileStorage } from "../../results/local-file-storage.ts";
import { defaultResultStorage } from "../../results/result-store.ts";
import { type BlockSpec, defineBlock, secretField } from "./block.ts";
import { SecretValue } from "./secret-value.ts";
import { zod } from "./zod.ts";

/** A built-in block's spec; its zod schema is made (and zod loaded) when first needed. */
function builtinSpec(slug: string, makeSchema: (z: typeof import("zod")) => z.ZodType): BlockSpec {
  const block = systemBlock(slug);
  if (!block) throw new Error(`no system block ${slug}`);
  let schema: z.ZodType | null = null;
  return {
    slug,
    get schema() {
      schema ??= makeSchema(zod());
      return schema;
    },
    options: { capabilities: block.capabilities, version: block.version },
    fields: block.fields,
    type: block.type,
  };
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
let jsonSchema: z.ZodType<Json> | null = null;
/** Any JSON value. */
function jsonOf(z: typeof import("zod")): z.ZodType<Json> {
  if (jsonSchema) return jsonSchema;
  const json: z.ZodType<Json> = z.lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(json),
      z.record(z.string(), json),
    ]),
  );
  jsonSchema = json;
  return json;
}

const SecretBase = defineBlock<
  { value: string | Json | SecretValue<Json> },
  { value: SecretValue<Json> }
>(
  builtinSpec("secret", (z) =>
    z.object({
      value: z
        .union([jsonOf(z), z.instanceof(SecretValue)])
        .transform((v) =>
          v instanceof SecretValue ? (v as SecretValue<Json>) : new SecretValue(v as Json),
        ),
    }),
  ),
);

/** A secret value (Prefect's `Secret` block): masked in the API and the UI, read with `get()`. */
export class Secret extends SecretBase {
  /** The secret itself. */
  get(): Json {
    return this.value.get();
  }
  /** A field of a block of your own that holds a secret: `password: Secret.field()`. */
  static field = secretField;
}

/** `Secret.field()` under its own name. */
export { secretField };

export class JSONBlock extends defineBlock<{ value: Json }, { value: Json }>(
  builtinSpec("json", (z) => z.object({ value: jsonOf(z) })),
) {}

export class StringBlock extends defineBlock<{ value: string }, { value: string }>(
  builtinSpec("string", (z) => z.object({ value: z.string() })),
) {}

export class DateTimeBlock extends defineBlock<{ value: string | Date }, { value: Date }>(
  builtinSpec("date-time", (z) => z.object({ value: z.coerce.date() })),
) {}

const LocalFileSystemData = defineBlock<{ basepath?: string | null }, { basepath?: string | null }>(
  builtinSpec("local-file-system", (z) => z.object({ basepath: z.string().nullish() })),
);

/**
 * Files under a base directory (Prefect's `LocalFileSystem` block), usable as `resultStorage`:
 * `new LocalFileSystem("/data/results")` or `new LocalFileSystem({ basepath })`, saved and loaded
 * as a `local-file-system` block document (the loaded one carries its document id).
 */
export class LocalFileSystem extends FileStorage {
  static readonly blockTypeSlug = "local-file-system";

  constructor(init?: string | { basepath?: string | null }, blockId: string | null = null) {
    const basepath = typeof init === "string" ? init : init?.basepath;
    super(basepath ?? defaultResultStorage().basepath, blockId);
  }

  /** Save as a `local-file-system` block document; resolves with its id. */
  save(name: string, options: { overwrite?: boolean } = {}): Promise<string> {
    return new LocalFileSystemData({ basepath: this.basepath }).save(name, options);
  }

  static async load(name: string): Promise<LocalFileSystem> {
    const data = await LocalFileSystemData.load(name);
    return new LocalFileSystem({ basepath: data.basepath }, data.blockDocumentId);
  }

  static delete(name: string): Promise<void> {
    return LocalFileSystemData.delete(name);
  }

  static registerType(client?: PrefectClient) {
    return LocalFileSystemData.registerType(client);
  }
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export class Webhook extends defineBlock<
  {
    url: string | SecretValue;
    method?: (typeof METHODS)[number];
    headers?: Record<string, string>;
    allow_private_urls?: boolean;
    verify?: boolean;
  },
  {
    url: SecretValue;
    method: (typeof METHODS)[number];
    headers: SecretValue<Record<string, string>>;
    allow_private_urls: boolean;
    verify: boolean;
  }
>(
  builtinSpec("webhook", (z) =>
    z.object({
      method: z.enum(METHODS).default("POST"),
      url: secretField(),
      headers: z
        .union([z.record(z.string(), z.string()), z.instanceof(SecretValue)])
        .default({})
        .transform((v) =>
          v instanceof SecretValue
            ? (v as SecretValue<Record<string, string>>)
            : new SecretValue(v as Record<string, string>),
        ),
      allow_private_urls: z.boolean().default(true),
      verify: z.boolean().default(true),
    }),
  ),
) {
  /** Call the webhook with a JSON payload (or a text body). */
  async call(payload?: unknown): Promise<Response> {
    const text = typeof payload === "string";
    return fetch(this.url.get(), {
      method: this.method,
      headers: {
        ...(payload === undefined
          ? {}
          : { "content-type": text ? "text/plain" : "application/json" }),
        ...this.headers.get(),
      },
      body: payload === undefined ? undefined : text ? payload : JSON.stringify(payload),
    });
  }
}

const NOTIFY_TYPES = ["prefect_default", "info", "success", "warning", "failure"] as const;

export class SlackWebhook extends defineBlock<
  {
    url: string | SecretValue;
    notify_type?: (typeof NOTIFY_TYPES)[number];
    allow_private_urls?: boolean;
  },
  { url: SecretValue; notify_type: (typeof NOTIFY_TYPES)[number]; allow_private_urls: boolean }
>(
  builtinSpec("slack-webhook", (z) =>
    z.object({
      notify_type: z.enum(NOTIFY_TYPES).default("prefect_default"),
      url: secretField(),
      allow_private_urls: z.boolean().default(true),
    }),
  ),
) {
  /** Post a message to the Slack incoming webhook. */
  async notify(body: string, subject?: string): Promise<void> {
    const res = await fetch(this.url.get(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: subject ? `*${subject}*\n${body}` : body }),
    });
    if (!res.ok) throw new Error(`Slack answered ${res.status} to the notification`);
  }
}

export class CustomWebhookNotificationBlock extends defineBlock<
  {
    name: string;
    url: string;
    method?: (typeof METHODS)[number];
    params?: Record<string, string> | null;
    json_data?: Record<string, unknown> | null;
    form_data?: Record<string, string> | null;
    headers?: Record<string, string> | null;
    cookies?: Record<string, string> | null;
    timeout?: number;
    secrets?: Record<string, string> | SecretValue<Record<string, string>>;
  },
  {
    name: string;
    url: string;
    method: (typeof METHODS)[number];
    params?: Record<string, string> | null;
    json_data?: Record<string, unknown> | null;
    form_data?: Record<string, string> | null;
    headers?: Record<string, string> | null;
    cookies?: Record<string, string> | null;
    timeout: number;
    secrets: SecretValue<Record<string, string>>;
  }
>(
  builtinSpec("custom-webhook", (z) =>
    z.object({
      name: z.string(),
      url: z.string(),
      method: z.enum(METHODS).default("POST"),
      params: z.record(z.string(), z.string()).nullish(),
      json_data: z.record(z.string(), z.unknown()).nullish(),
      form_data: z.record(z.string(), z.string()).nullish(),
      headers: z.record(z.string(), z.string()).nullish(),
      cookies: z.record(z.string(), z.string()).nullish(),
      timeout: z.number().default(10),
      secrets: z
        .union([z.record(z.string(), z.string()), z.instanceof(SecretValue)])
        .default({})
        .transform((v) =>
          v instanceof SecretValue
            ? (v as SecretValue<Record<string, string>>)
            : new SecretValue(v as Record<string, string>),
        ),
    }),
  ),
) {}

/**
 * The block types a server registers at start, protected (Prefect's `_install_protected_system_blocks`
 * plus the notification blocks automations use), with the schemas Prefect 3's classes generate:
 * `secret` (as captured from Prefect 3.8.4, checksum included), `json`, `string`, `date-time`
 * (Prefect 3's last shapes of them), `local-file-system`, `webhook`, `slack-webhook` and
 * `custom-webhook`. Each property carries its `position`, as Prefect's schemas do. The SDK's
 * built-in classes register with these same fields, so both sides share one checksum.
 */
import { PREFECT_SERVER_VERSION } from "./api-version.ts";
import type { BlockSchemaFields, BlockTypeCreate } from "./blocks.ts";

export interface SystemBlock {
  type: Required<BlockTypeCreate>;
  fields: BlockSchemaFields;
  capabilities: string[];
  version: string;
}

const CDN = "https://cdn.sanity.io/images/3ugk85nk/production";
const NOTIFICATIONS_DOCS =
  "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations";

/** `properties` with each one's `position` (its place in the class). */
function positioned(properties: Record<string, Record<string, unknown>>) {
  return Object.fromEntries(
    Object.entries(properties).map(([name, p], position) => [name, { ...p, position }]),
  );
}

function fields(
  title: string,
  slug: string,
  description: string,
  properties: Record<string, Record<string, unknown>>,
  required: string[],
  secretFields: string[],
): BlockSchemaFields {
  return {
    block_type_slug: slug,
    description,
    properties: positioned(properties),
    ...(required.length > 0 ? { required } : {}),
    secret_fields: secretFields,
    title,
    type: "object",
    block_schema_references: {},
  };
}

const codeExample = (module: string, cls: string, slug: string, intro = "") =>
  `${intro}\`\`\`python\nfrom ${module} import ${cls}\n\n${slug.replace(/-/g, "_")}_block = ${cls}.load("BLOCK_NAME")\n\`\`\``;

const SECRET_DESCRIPTION =
  "A block that represents a secret value. The value stored in this block will be obfuscated when this block is viewed or edited in the UI.";

const secret: SystemBlock = {
  type: {
    name: "Secret",
    slug: "secret",
    logo_url: `${CDN}/c6f20e556dd16effda9df16551feecfb5822092b-48x48.png`,
    documentation_url: "https://docs.prefect.io/latest/develop/blocks",
    description: SECRET_DESCRIPTION,
    code_example:
      '```python\nfrom prefect.blocks.system import Secret\n\nSecret(value="sk-1234567890").save("BLOCK_NAME", overwrite=True)\n\nsecret_block = Secret.load("BLOCK_NAME")\n\n# Access the stored secret\nsecret_block.get()\n```',
  },
  fields: fields(
    "Secret",
    "secret",
    SECRET_DESCRIPTION,
    {
      value: {
        anyOf: [
          { format: "password", type: "string", writeOnly: true },
          { title: "string", type: "string" },
          { $ref: "#/definitions/JsonValue", title: "JSON" },
        ],
        description: "A value that should be kept secret.",
        examples: ["sk-1234567890", { password: "s3cr3t", username: "johndoe" }],
        format: "password",
        title: "Value",
        writeOnly: true,
      },
    },
    ["value"],
    ["value", "value"],
  ),
  capabilities: [],
  version: PREFECT_SERVER_VERSION,
};

function valueBlock(
  name: string,
  slug: string,
  cls: string,
  what: string,
  logo: string,
  value: Record<string, unknown>,
): SystemBlock {
  const description = `A block that represents ${what}. Deprecated, please use Variables to store ${what.replace(/^an? /, "")} data instead.`;
  return {
    type: {
      name,
      slug,
      logo_url: `${CDN}/${logo}`,
      documentation_url: "https://docs.prefect.io/latest/develop/blocks",
      description,
      code_example: codeExample(
        "prefect.blocks.system",
        cls,
        slug,
        `Load a stored ${what.replace(/^an? /, "")} value:\n`,
      ),
    },
    fields: fields(cls, slug, description, { value: { ...value, title: "Value" } }, ["value"], []),
    capabilities: [],
    version: PREFECT_SERVER_VERSION,
  };
}

const localFileSystem: SystemBlock = {
  type: {
    name: "Local File System",
    slug: "local-file-system",
    logo_url: `${CDN}/ad39089fa66d273b943394a68f003f7a19aa850e-48x48.png`,
    documentation_url:
      "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
    description: "Store data as a file on a local file system.",
    code_example: codeExample(
      "prefect.filesystems",
      "LocalFileSystem",
      "local-file-system",
      "Load stored local file system config:\n",
    ),
  },
  fields: fields(
    "LocalFileSystem",
    "local-file-system",
    "Store data as a file on a local file system.",
    {
      basepath: {
        anyOf: [{ type: "string" }, { type: "null" }],
        default: null,
        description: "Default local path for this block to write to.",
        title: "Basepath",
      },
    },
    [],
    [],
  ),
  capabilities: ["get-directory", "put-directory", "read-path", "write-path"],
  version: PREFECT_SERVER_VERSION,
};

const METHOD = {
  default: "POST",
  description: "The webhook request method. Defaults to `POST`.",
  enum: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  title: "Method",
  type: "string",
};
const ALLOW_PRIVATE_URLS = {
  default: true,
  description: "Whether to allow notifications to private URLs. Defaults to True.",
  title: "Allow Private Urls",
  type: "boolean",
};

const webhook: SystemBlock = {
  type: {
    name: "Webhook",
    slug: "webhook",
    logo_url: `${CDN}/c7247cb359eb6cf276734d4b1fbf00fb8930e89e-250x250.png`,
    documentation_url: "https://docs.prefect.io/latest/automate/events/webhook-triggers",
    description: "Block that enables calling webhooks.",
    code_example: codeExample("prefect.blocks.webhook", "Webhook", "webhook"),
  },
  fields: fields(
    "Webhook",
    "webhook",
    "Block that enables calling webhooks.",
    {
      method: METHOD,
      url: {
        description: "The webhook URL.",
        examples: ["https://hooks.slack.com/XXX"],
        format: "password",
        title: "Webhook URL",
        type: "string",
        writeOnly: true,
      },
      headers: {
        description: "A dictionary of headers to send with the webhook request.",
        title: "Webhook Headers",
        type: "object",
      },
      allow_private_urls: ALLOW_PRIVATE_URLS,
      verify: {
        default: true,
        description: "Whether or not to enforce a secure connection to the webhook.",
        title: "Verify",
        type: "boolean",
      },
    },
    ["url"],
    ["url", "headers.*"],
  ),
  capabilities: [],
  version: PREFECT_SERVER_VERSION,
};

const slackWebhook: SystemBlock = {
  type: {
    name: "Slack Webhook",
    slug: "slack-webhook",
    logo_url: `${CDN}/c1965ecbf8704ee1ea20d77786de9a41ce1087d1-500x500.png`,
    documentation_url: NOTIFICATIONS_DOCS,
    description: "Enables sending notifications via a provided Slack webhook.",
    code_example:
      'Load a saved Slack webhook and send a message:\n```python\nfrom prefect.blocks.notifications import SlackWebhook\n\nslack_webhook_block = SlackWebhook.load("BLOCK_NAME")\nslack_webhook_block.notify("Hello from Prefect!")\n```',
  },
  fields: fields(
    "SlackWebhook",
    "slack-webhook",
    "Enables sending notifications via a provided Slack webhook.",
    {
      notify_type: {
        default: "prefect_default",
        description:
          "The type of notification being performed; the prefect_default is a plain notification that does not attach an image.",
        enum: ["prefect_default", "info", "success", "warning", "failure"],
        title: "Notify Type",
        type: "string",
      },
      url: {
        description: "Slack incoming webhook URL used to send notifications.",
        examples: ["https://hooks.slack.com/XXX"],
        format: "password",
        title: "Webhook URL",
        type: "string",
        writeOnly: true,
      },
      allow_private_urls: ALLOW_PRIVATE_URLS,
    },
    ["url"],
    ["url"],
  ),
  capabilities: ["notify"],
  version: PREFECT_SERVER_VERSION,
};

const CUSTOM_WEBHOOK_DESCRIPTION =
  "Enables sending notifications via any custom webhook.\n\nAll nested string param contains `{{key}}` will be substituted with value from context/secrets.\n\nContext values include: `subject`, `body` and `name`.";
const PAYLOAD_EXAMPLE =
  '{"text": "{{subject}}\\n{{body}}", "title": "{{name}}", "token": "{{tokenFromSecrets}}"}';
const optionalObject = (
  title: string,
  description: string,
  extra: Record<string, unknown> = {},
) => ({
  anyOf: [{ type: "object" }, { type: "null" }],
  default: null,
  description,
  ...extra,
  title,
});

const customWebhook: SystemBlock = {
  type: {
    name: "Custom Webhook",
    slug: "custom-webhook",
    logo_url: `${CDN}/c7247cb359eb6cf276734d4b1fbf00fb8930e89e-250x250.png`,
    documentation_url: NOTIFICATIONS_DOCS,
    description: CUSTOM_WEBHOOK_DESCRIPTION,
    code_example:
      'Load a saved custom webhook and send a message:\n```python\nfrom prefect.blocks.notifications import CustomWebhookNotificationBlock\n\ncustom_webhook_block = CustomWebhookNotificationBlock.load("BLOCK_NAME")\n\ncustom_webhook_block.notify("Hello from Prefect!")\n```',
  },
  fields: fields(
    "CustomWebhookNotificationBlock",
    "custom-webhook",
    CUSTOM_WEBHOOK_DESCRIPTION,
    {
      name: { description: "Name of the webhook.", title: "Name", type: "string" },
      url: {
        description: "The webhook URL.",
        examples: ["https://hooks.slack.com/XXX"],
        title: "Webhook URL",
        type: "string",
      },
      method: METHOD,
      params: optionalObject("Query Params", "Custom query params."),
      json_data: optionalObject("JSON Data", "Send json data as payload.", {
        examples: [PAYLOAD_EXAMPLE],
      }),
      form_data: optionalObject(
        "Form Data",
        "Send form data as payload. Should not be used together with _JSON Data_.",
        { examples: [PAYLOAD_EXAMPLE] },
      ),
      headers: optionalObject("Headers", "Custom headers."),
      cookies: optionalObject("Cookies", "Custom cookies."),
      timeout: {
        default: 10,
        description: "Request timeout in seconds. Defaults to 10.",
        title: "Timeout",
        type: "number",
      },
      secrets: {
        description: "A dictionary of secret values to be substituted in other configs.",
        examples: ['{"tokenFromSecrets":"SomeSecretToken"}'],
        title: "Custom Secret Values",
        type: "object",
      },
    },
    ["name", "url"],
    ["secrets.*"],
  ),
  capabilities: ["notify"],
  version: PREFECT_SERVER_VERSION,
};

/** Every block type the server registers at start, in registration order. */
export const SYSTEM_BLOCKS: readonly SystemBlock[] = [
  webhook,
  valueBlock("JSON", "json", "JSON", "JSON", "4fcef2294b6eeb423b1332d1ece5156bf296ff96-48x48.png", {
    description: "A JSON-compatible value.",
  }),
  valueBlock(
    "String",
    "string",
    "String",
    "a string",
    "c262ea2c80a2c043564e8763f3370c3db5a6b3e6-48x48.png",
    {
      description: "A string value.",
      type: "string",
    },
  ),
  valueBlock(
    "Date Time",
    "date-time",
    "DateTime",
    "a datetime",
    "8b3da9a6621e92108b8e6a75b82e15374e170ff7-48x48.png",
    { description: "An ISO 8601-compatible datetime value.", format: "date-time", type: "string" },
  ),
  secret,
  localFileSystem,
  slackWebhook,
  customWebhook,
];

/** The system block of this slug. */
export function systemBlock(slug: string): SystemBlock | undefined {
  return SYSTEM_BLOCKS.find((b) => b.type.slug === slug);
}

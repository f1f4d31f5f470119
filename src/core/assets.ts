/**
 * Assets as Prefect 3 defines them (`prefect.assets.core`): an asset is its key — a URI with a
 * lowercase scheme (`s3://bucket/data.csv`, `postgres://db/table`) — and optional properties (a
 * name, a description, owners, a URL). Keys are held to Prefect's rules (`ValidAssetKey`): at
 * most 512 characters, none of the restricted characters, and `<scheme>://` first.
 *
 * The events (`prefect.context.AssetContext.emit_events`): a materializing task run that ends
 * Completed or Failed (not Cached) emits `prefect.asset.referenced` for each upstream asset and
 * `prefect.asset.materialization.succeeded|failed` for each asset it materializes. The resource
 * is the asset: `prefect.resource.id` is the key itself, with its properties as labels; a
 * materialization's related resources are its upstream assets (role `asset`) and the tool that
 * materialized it (role `asset-materialized-by`), then the run's.
 */
import { ValidationError } from "./errors.ts";

/** Prefect's `MAX_ASSET_KEY_LENGTH`. */
export const MAX_ASSET_KEY_LENGTH = 512;

/** Prefect's `RESTRICTED_ASSET_CHARACTERS`. */
export const RESTRICTED_ASSET_CHARACTERS: readonly string[] = [
  "\n",
  "\r",
  "\t",
  "\0",
  " ",
  "#",
  "?",
  "&",
  "%",
  '"',
  "'",
  "<",
  ">",
  "[",
  "]",
  "{",
  "}",
  "|",
  "\\",
  "^",
  "`",
];

const URI = /^[a-z0-9]+:\/\//;

/** Why `key` is not a valid asset key, in Prefect's words, or null when it is one. */
export function assetKeyProblem(key: unknown): string | null {
  if (typeof key !== "string") return "Asset key must be a string";
  for (const char of RESTRICTED_ASSET_CHARACTERS) {
    if (key.includes(char)) return `Asset key cannot contain '${printable(char)}'`;
  }
  if (key.length > MAX_ASSET_KEY_LENGTH) {
    return `Asset key cannot exceed ${MAX_ASSET_KEY_LENGTH} characters`;
  }
  if (!URI.test(key)) return "Key must be a valid URI, e.g. storage://bucket/folder/asset.csv";
  return null;
}

function printable(char: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0" };
  return named[char] ?? char;
}

/** `key` when it is a valid asset key; a `ValidationError` naming the rule it breaks otherwise. */
export function validateAssetKey(key: unknown): string {
  const problem = assetKeyProblem(key);
  if (problem) throw new ValidationError(`${problem}: ${JSON.stringify(key)}`);
  return key as string;
}

/** Prefect's `AssetProperties`: what the UI shows of an asset. Every field is optional. */
export interface AssetProperties {
  /** Human readable name of the asset. */
  name?: string;
  /** Description of the asset (Markdown). */
  description?: string;
  /** Owners of the asset (emails, user or team handles). */
  owners?: string[];
  /** A URL where the asset can be viewed. */
  url?: string;
}

function checkProperties(key: string, properties: unknown): AssetProperties {
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) {
    throw new ValidationError(`Asset ${key}: properties must be an object`);
  }
  const p = properties as Record<string, unknown>;
  const out: AssetProperties = {};
  for (const field of ["name", "description", "url"] as const) {
    const value = p[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw new ValidationError(`Asset ${key}: properties.${field} must be a string`);
    }
    out[field] = value;
  }
  if (p.owners !== undefined && p.owners !== null) {
    if (!Array.isArray(p.owners) || !p.owners.every((o) => typeof o === "string")) {
      throw new ValidationError(`Asset ${key}: properties.owners must be a list of strings`);
    }
    out.owners = [...p.owners];
  }
  for (const field of Object.keys(p)) {
    if (!["name", "description", "url", "owners"].includes(field)) {
      throw new ValidationError(`Asset ${key}: unknown property '${field}'`);
    }
  }
  return Object.freeze(out);
}

/**
 * An asset (Prefect's `Asset`): its key and, optionally, its properties. Properties given here
 * replace all the asset's properties wherever a run materializes or references it.
 *
 * @example
 * const raw = new Asset("s3://lake/raw.parquet");
 * const cleaned = new Asset({ key: "s3://lake/cleaned.parquet", properties: { name: "Cleaned" } });
 */
export class Asset {
  readonly key: string;
  readonly properties: Readonly<AssetProperties> | null;

  constructor(key: string, properties?: AssetProperties);
  constructor(init: { key: string; properties?: AssetProperties | null });
  constructor(
    keyOrInit: string | { key: string; properties?: AssetProperties | null },
    properties?: AssetProperties,
  ) {
    const init = typeof keyOrInit === "string" ? { key: keyOrInit, properties } : keyOrInit;
    if (init === null || typeof init !== "object") {
      throw new ValidationError("An asset needs a key: new Asset('s3://bucket/data.csv')");
    }
    this.key = validateAssetKey(init.key);
    this.properties =
      init.properties === undefined || init.properties === null
        ? null
        : checkProperties(this.key, init.properties);
    Object.freeze(this);
  }

  toString(): string {
    return `Asset(key=${JSON.stringify(this.key)})`;
  }
}

/** An asset given by key or as an `Asset`. */
export type AssetLike = string | Asset;

/** `value` as an `Asset` (a key is validated). */
export function toAsset(value: AssetLike): Asset {
  if (value instanceof Asset) return value;
  if (typeof value === "string") return new Asset(value);
  throw new ValidationError(
    `An asset is a key (a URI such as 's3://bucket/data.csv') or an Asset, not ${JSON.stringify(value)}`,
  );
}

/** One or many assets, as `Asset`s, the first of each key kept. */
export function toAssets(value: AssetLike | readonly AssetLike[] | null | undefined): Asset[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? (value as readonly AssetLike[]) : [value as AssetLike];
  return uniqueAssets(list.map(toAsset));
}

/** The assets with the first of each key kept, in order. */
export function uniqueAssets(assets: Iterable<Asset>): Asset[] {
  const seen = new Set<string>();
  const out: Asset[] = [];
  for (const asset of assets) {
    if (seen.has(asset.key)) continue;
    seen.add(asset.key);
    out.push(asset);
  }
  return out;
}

/** The event names Prefect emits for assets. */
export const AssetEvent = {
  REFERENCED: "prefect.asset.referenced",
  MATERIALIZATION_SUCCEEDED: "prefect.asset.materialization.succeeded",
  MATERIALIZATION_FAILED: "prefect.asset.materialization.failed",
} as const;

/** The role of an upstream asset among a materialization's related resources. */
export const ASSET_ROLE = "asset";
/** The role of the tool that materialized an asset (`materialize(..., { by: "dbt" })`). */
export const MATERIALIZED_BY_ROLE = "asset-materialized-by";

/** Resource labels of an asset's properties (Prefect's `asset_as_resource`). */
export const AssetLabel = {
  NAME: "prefect.resource.name",
  DESCRIPTION: "prefect.asset.description",
  URL: "prefect.asset.url",
  OWNERS: "prefect.asset.owners",
} as const;

/**
 * A JSON text as Python's `json.dumps` writes it with its defaults (`", "` and `": "` between
 * items, non-ASCII escaped as `\uXXXX`): how Prefect writes `prefect.asset.owners`.
 */
export function pythonJsonDumps(value: readonly string[]): string {
  const item = (s: string) =>
    JSON.stringify(s).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  return `[${value.map(item).join(", ")}]`;
}

/**
 * Assets through a client: what the server recorded of the assets runs materialize and reference
 * (`resources/assets/`). `HttpAssets` speaks the `/assets` API; the embedded client calls the
 * same models over the local database (`embedded/embedded-assets.ts`). Reads through HTTP first
 * wait for the server to have read every event this client sent, asset events among them.
 */
import type {
  AssetDependency,
  AssetPage,
  AssetRecord,
  AssetsListing,
} from "../core/asset-records.ts";
import type { HttpTransport } from "./http-transport.ts";

export interface AssetListOptions {
  /** Keys starting with this (or any of these). */
  prefix?: string | string[];
  /** Keys containing this (or any of these), in any case. */
  search?: string | string[];
  /** At most 200; default 50. */
  limit?: number;
  offset?: number;
}

export interface AssetsApi {
  /** A page of assets by key, and how many match in all. */
  list(options?: AssetListOptions): Promise<AssetPage>;
  /** `ObjectNotFoundError("Asset not found.")` when there is none. */
  read(key: string): Promise<AssetRecord>;
  /** Delete an asset and its lineage edges (`ObjectNotFoundError` when there is none). */
  delete(key: string): Promise<void>;
  /**
   * The lineage edges (upstream → downstream) of each asset's latest materialization: all, or
   * those one step up or down from `keys`.
   */
  latestDependencies(keys?: readonly string[]): Promise<AssetDependency[]>;
}

const many = (v: string | string[] | undefined) =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/** The listing (the `POST /assets/filter` body) the options select. */
export function assetsListing(o: AssetListOptions = {}): AssetsListing {
  const prefix = many(o.prefix);
  const search = many(o.search);
  return {
    ...(prefix || search
      ? { filter: { key: { ...(prefix ? { prefix } : {}), ...(search ? { search } : {}) } } }
      : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
  };
}

export class HttpAssets implements AssetsApi {
  readonly #http: HttpTransport;
  readonly #reported: () => Promise<void>;

  constructor(http: HttpTransport, reported: () => Promise<void>) {
    this.#http = http;
    this.#reported = reported;
  }

  async list(options?: AssetListOptions): Promise<AssetPage> {
    await this.#reported();
    return this.#http.request("POST", "/assets/filter", assetsListing(options));
  }
  async read(key: string): Promise<AssetRecord> {
    await this.#reported();
    return this.#http.request("GET", `/assets/key?key=${encodeURIComponent(key)}`);
  }
  async delete(key: string): Promise<void> {
    await this.#reported();
    await this.#http.request("DELETE", `/assets/key?key=${encodeURIComponent(key)}`);
  }
  async latestDependencies(keys?: readonly string[]): Promise<AssetDependency[]> {
    await this.#reported();
    return this.#http.request("POST", "/assets/latest-dependencies", keys ? { keys } : {});
  }
}

/** Assets on the local database, for the embedded client: the same models as the server's routes. */
import { type AssetListOptions, type AssetsApi, assetsListing } from "../client/assets-api.ts";
import type { AssetDependency, AssetPage, AssetRecord } from "../core/asset-records.ts";
import * as model from "../resources/assets/model.ts";
import type { AppContext } from "../services/context.ts";

export class EmbeddedAssets implements AssetsApi {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  list(options?: AssetListOptions): Promise<AssetPage> {
    return model.filterAssets(this.#ctx, assetsListing(options));
  }
  read(key: string): Promise<AssetRecord> {
    return model.readAsset(this.#ctx, key);
  }
  delete(key: string): Promise<void> {
    return model.deleteAsset(this.#ctx, key);
  }
  latestDependencies(keys?: readonly string[]): Promise<AssetDependency[]> {
    return model.latestDependencies(this.#ctx, keys);
  }
}

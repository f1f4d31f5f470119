/**
 * `addAssetMetadata(asset, metadata)`: attach runtime information (row counts, timings, quality
 * scores) to the materialization event of an asset the current run materializes (Prefect's
 * `add_asset_metadata` and `Asset.add_metadata`). Calls merge, later keys winning. An asset the
 * run does not materialize is a `ValidationError`; outside a materializing run nothing happens,
 * as in Prefect.
 */
import { type AssetLike, toAsset } from "../../core/assets.ts";
import { assetRunOf } from "../../engine/assets.ts";
import { runScope } from "../../engine/context.ts";

export function addAssetMetadata(asset: AssetLike, metadata: Record<string, unknown>): void {
  const { key } = toAsset(asset);
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError("addAssetMetadata(asset, metadata): metadata must be an object");
  }
  const run = runScope.getStore()?.task?.taskRun;
  if (!run) return;
  assetRunOf(run)?.addMetadata(key, metadata);
}

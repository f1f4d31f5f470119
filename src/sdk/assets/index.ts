/** Assets: `Asset`, `materialize()`, `addAssetMetadata()` (Prefect's `prefect.assets`). */
export {
  Asset,
  type AssetLike,
  type AssetProperties,
  validateAssetKey,
} from "../../core/assets.ts";
export { addAssetMetadata } from "./add-asset-metadata.ts";
export { type MaterializeOptions, type MaterializingTask, materialize } from "./materialize.ts";
export type { TaskAssetOptions } from "./task-assets.ts";

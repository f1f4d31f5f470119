/**
 * The asset options of a task (Prefect's `asset_deps`) and of a materializing task (its assets,
 * `by`), resolved once when the task is made: keys are validated there, so a bad key fails at
 * definition, not in a run.
 */
import { type Asset, type AssetLike, toAssets } from "../../core/assets.ts";

/** The asset options every task takes. */
export interface TaskAssetOptions {
  /**
   * Upstream assets its runs depend on (Prefect's `asset_deps`), by key or as `Asset`s: referenced
   * by each materialization, and carried on to the tasks its results feed.
   */
  assetDeps?: readonly AssetLike[];
}

/** The options of `materialize()`: a task's, plus the assets and who materializes them. */
export interface MaterializeAssetOptions extends TaskAssetOptions {
  /** The assets its runs materialize (set by `materialize(assets, …)`; `withOptions` may change them). */
  assets?: AssetLike | readonly AssetLike[];
  /** The same as `assetDeps` (both may be given). */
  dependsOn?: readonly AssetLike[];
  /** The tool ultimately responsible for materializing the assets, e.g. `"dbt"` or `"spark"`. */
  by?: string;
}

/** The `TaskSpec` fields of these options; none for a task without assets. */
export function taskAssetFields(options: MaterializeAssetOptions): {
  assets?: readonly Asset[];
  assetDeps?: readonly Asset[];
  materializedBy?: string | null;
} {
  if (
    options.assets === undefined &&
    options.assetDeps === undefined &&
    options.dependsOn === undefined &&
    options.by === undefined
  ) {
    return {};
  }
  const deps = [...(options.assetDeps ?? []), ...(options.dependsOn ?? [])];
  if (options.by !== undefined && typeof options.by !== "string") {
    throw new TypeError("materialize(): `by` names a tool, as a string");
  }
  return {
    assets: Object.freeze(toAssets(options.assets)),
    assetDeps: Object.freeze(toAssets(deps)),
    materializedBy: options.by ?? null,
  };
}

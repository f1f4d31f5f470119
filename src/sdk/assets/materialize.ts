/**
 * `materialize(assets, options?, fn)`: a task whose runs materialize assets (Prefect's
 * `@materialize`). It takes every option `task()` takes, plus `assetDeps` (or `dependsOn`) for
 * upstream assets and `by` for the tool that materializes them. A run that ends Completed emits
 * `prefect.asset.materialization.succeeded` for each asset; one that ends Failed,
 * `….failed`; both with `prefect.asset.referenced` for each upstream asset — the ones named here
 * and the ones its inputs carry from other materializations.
 *
 * @example
 * const cleaned = materialize("s3://lake/cleaned.parquet", { dependsOn: ["s3://lake/raw.parquet"] },
 *   async () => { … });
 */
import type { Asset, AssetLike } from "../../core/assets.ts";
import { type Task, type TaskOptions, task } from "../task.ts";
import type { MaterializeAssetOptions } from "./task-assets.ts";

/** The options of `materialize()`: `task()`'s, with `assetDeps`/`dependsOn` and `by`. */
export interface MaterializeOptions<A extends readonly unknown[] = unknown[], R = unknown>
  extends TaskOptions<A, R>,
    MaterializeAssetOptions {}

/** A task whose runs materialize `assets` (Prefect's `MaterializingTask`). */
export interface MaterializingTask<A extends readonly unknown[] = unknown[], R = unknown>
  extends Task<A, R> {
  /** The assets each run materializes. */
  readonly assets: readonly Asset[];
  /** Upstream assets named in the options (inputs may carry more). */
  readonly assetDeps: readonly Asset[];
  readonly materializedBy: string | null;
  /** A copy with some options changed, `assets` and `assetDeps` among them. */
  withOptions(options: MaterializeOptions<A, R>): MaterializingTask<A, R>;
  waitFor(futures: readonly unknown[]): MaterializingTask<A, R>;
  readonly options: Readonly<MaterializeOptions<A, R>>;
}

type Fn<A extends readonly unknown[], R> = (...args: A) => R | Promise<R>;

/** Make a task that materializes `assets` (one key or `Asset`, or a list of them). */
export function materialize<A extends readonly unknown[], R>(
  assets: AssetLike | readonly AssetLike[],
  fn: Fn<A, R>,
): MaterializingTask<A, Awaited<R>>;
export function materialize<A extends readonly unknown[], R>(
  assets: AssetLike | readonly AssetLike[],
  options: MaterializeOptions<A, Awaited<R>>,
  fn: Fn<A, R>,
): MaterializingTask<A, Awaited<R>>;
export function materialize<A extends readonly unknown[], R>(
  assets: AssetLike | readonly AssetLike[],
  b: MaterializeOptions<A, Awaited<R>> | Fn<A, R>,
  c?: Fn<A, R>,
): MaterializingTask<A, Awaited<R>> {
  const fn = typeof b === "function" ? b : c;
  const options = typeof b === "function" ? {} : b;
  if (typeof fn !== "function") {
    throw new TypeError("materialize(assets, options, fn) needs a function as its last argument");
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError("materialize(assets, options, fn): options must be an object");
  }
  const made = task<A, R>({ ...options, assets } as TaskOptions<A, Awaited<R>>, fn);
  return made as unknown as MaterializingTask<A, Awaited<R>>;
}

/**
 * The HTTP edge of `/assets`. Prefect 3's open-source server has no assets API; these bodies and
 * answers follow what Prefect's own client sends to and reads from Prefect Cloud's
 * (`prefect cloud asset ls | delete`: `POST /assets/filter` with `{limit, filter: {key: {prefix,
 * search}}}` answered `{assets, total}`, `DELETE /assets/key?key=…`), and Prefect's `Asset` and
 * `AssetProperties` for what an asset holds. Keys are held to Prefect's asset key rules.
 */
import { z } from "zod";
import {
  ASSETS_DEFAULT_LIMIT,
  ASSETS_MAX_LIMIT,
  type AssetsListing,
} from "../../core/asset-records.ts";
import { assetKeyProblem, MAX_ASSET_KEY_LENGTH } from "../../core/assets.ts";
import { type Agrees, LikePattern, orDefault } from "../../server/schemas/common.ts";
import { id, json, time } from "../../server/schemas/responses.ts";

/** A key held to Prefect's rules (`ValidAssetKey`). */
export const AssetKeySchema = z
  .string()
  .max(MAX_ASSET_KEY_LENGTH)
  .superRefine((key, ctx) => {
    const problem = assetKeyProblem(key);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: key });
  });

export const AssetKeyQuery = z.object({ key: AssetKeySchema });

const strings = z.array(LikePattern).max(200).nullish();

export const AssetsFilterBodySchema = z.strictObject({
  filter: z
    .strictObject({ key: z.strictObject({ prefix: strings, search: strings }).nullish() })
    .nullish(),
  limit: orDefault(z.number().int().min(1).max(ASSETS_MAX_LIMIT), () => ASSETS_DEFAULT_LIMIT),
  offset: orDefault(z.number().int().min(0), () => 0),
});

export const LatestDependenciesBodySchema = z.strictObject({
  keys: z.array(AssetKeySchema).max(ASSETS_MAX_LIMIT).nullish(),
});

export const AssetPropertiesResponse = z
  .object({
    name: z.string().nullable(),
    description: z.string().nullable(),
    url: z.string().nullable(),
    owners: z.array(z.string()).nullable(),
  })
  .meta({ id: "AssetProperties" });

export const AssetMaterializationResponse = z
  .object({
    status: z.enum(["succeeded", "failed"]),
    occurred: time,
    event_id: id,
    flow_run_id: id.nullable(),
    materialized_by: z.string().nullable(),
    metadata: json,
  })
  .meta({ id: "AssetMaterialization" });

export const AssetResponse = z
  .object({
    id,
    created: time,
    updated: time,
    key: z.string(),
    properties: AssetPropertiesResponse,
    last_seen: time,
    last_materialization: AssetMaterializationResponse.nullable(),
  })
  .meta({ id: "Asset" });

export const AssetPageResponse = z
  .object({ assets: z.array(AssetResponse), total: z.number().int() })
  .meta({ id: "AssetPage" });

export const AssetDependencyResponse = z
  .object({
    upstream: z.string(),
    downstream: z.string(),
    updated: time,
    flow_run_id: id.nullable(),
  })
  .meta({ id: "AssetDependency" });

const agreement: [Agrees<typeof AssetsFilterBodySchema, AssetsListing>] = [true];
void agreement;

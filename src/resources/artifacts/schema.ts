/**
 * The HTTP edge of `/artifacts`: Prefect's `ArtifactCreate` and `ArtifactUpdate`, the filter and
 * count bodies of artifacts and of latest versions (`ArtifactFilter`, `ArtifactCollectionFilter`,
 * `ArtifactSort`, with the flow-run, task-run, flow and deployment filters beside them), and
 * `Artifact` and `ArtifactCollection` as answered.
 */
import { z } from "zod";
import type * as core from "../../core/artifacts.ts";
import {
  type Artifact,
  type ArtifactCollection,
  artifactKeyProblem,
} from "../../core/artifacts.ts";
import {
  type Agrees,
  indexedText,
  JsonValue,
  LikePattern,
  orDefault,
  Uuid,
} from "../../server/schemas/common.ts";
import {
  DeploymentFilterSchema,
  FlowFilterSchema,
  FlowRunFilterSchema,
  LimitSchema,
  OperatorSchema,
  TaskRunFilterSchema,
} from "../../server/schemas/filters.ts";
import { id, nullableTime } from "../../server/schemas/responses.ts";

/** Prefect's `ArtifactKey`: lowercase letters, digits and dashes (indexed: at most 2,000 bytes). */
export const ArtifactKeySchema = indexedText().refine((key) => artifactKeyProblem(key) === null, {
  message: "Artifact key must only contain lowercase letters, numbers, and dashes.",
});

const Metadata = z.record(z.string(), z.string());

export const ArtifactCreateSchema = z
  .strictObject({
    key: ArtifactKeySchema.nullish(),
    type: z.string().nullish(),
    description: z.string().nullish(),
    data: JsonValue.optional(),
    metadata_: Metadata.nullish(),
    flow_run_id: Uuid.nullish(),
    task_run_id: Uuid.nullish(),
  })
  .meta({ id: "ArtifactCreate" });

/** A field left out keeps its value; `null` clears it. */
export const ArtifactUpdateSchema = z
  .strictObject({
    data: JsonValue.optional(),
    description: z.string().nullable().optional(),
    metadata_: Metadata.nullable().optional(),
  })
  .meta({ id: "ArtifactUpdate" });

/**
 * Ours: the id the artifact is to have (Prefect's clients never send it; a Prefect server ignores
 * it). The SDK names its artifacts so that a run need not wait for them to be written.
 */
export const ARTIFACT_ID_HEADER = "prefect-ts-artifact-id";
export const ArtifactCreateHeadersSchema = z.object({ [ARTIFACT_ID_HEADER]: Uuid.optional() });

/** Ours: the most artifacts one `POST /artifacts/bulk` takes. */
export const MAX_BULK_ARTIFACTS = 10_000;

/**
 * Ours (`POST /artifacts/bulk`, not in Prefect's API): Prefect's `ArtifactCreate` bodies, each with
 * the id it is to have (what the SDK's write queue ships in one request instead of one each).
 */
export const ArtifactBulkCreateSchema = z
  .array(ArtifactCreateSchema.extend({ id: Uuid }))
  .max(MAX_BULK_ARTIFACTS);

/** What `POST /artifacts/bulk` wrote: how many were new, and how many existed already. */
export const ArtifactBulkCreatedResponse = z.object({
  created: z.number().int(),
  existing: z.number().int(),
});

const operator = orDefault(OperatorSchema, () => "and_" as const);
const ids = z.strictObject({ any_: z.array(Uuid).nullish() });
const strings = z.array(z.string()).nullish();
const key = z.strictObject({
  any_: strings,
  like_: LikePattern.nullish(),
  exists_: z.boolean().nullish(),
});
const type = z.strictObject({ any_: strings, not_any_: strings });

export const ArtifactFilterSchema = z.strictObject({
  operator,
  id: ids.nullish(),
  key: key.nullish(),
  flow_run_id: ids.nullish(),
  task_run_id: ids.nullish(),
  type: type.nullish(),
});

export const ArtifactCollectionFilterSchema = z.strictObject({
  operator,
  latest_id: ids.nullish(),
  key: key.nullish(),
  flow_run_id: ids.nullish(),
  task_run_id: ids.nullish(),
  type: type.nullish(),
});

export const ArtifactSortSchema = z.enum([
  "CREATED_DESC",
  "UPDATED_DESC",
  "ID_DESC",
  "KEY_DESC",
  "KEY_ASC",
]);

const runCriteria = {
  flow_runs: FlowRunFilterSchema.nullish(),
  task_runs: TaskRunFilterSchema.nullish(),
  flows: FlowFilterSchema.nullish(),
  deployments: DeploymentFilterSchema.nullish(),
};
const page = {
  sort: orDefault(ArtifactSortSchema, () => "ID_DESC" as const),
  limit: LimitSchema,
  offset: orDefault(z.number().int().min(0), () => 0),
};

export const ArtifactsCountBodySchema = z.object({
  artifacts: ArtifactFilterSchema.nullish(),
  ...runCriteria,
});
export const ArtifactsFilterBodySchema = ArtifactsCountBodySchema.extend(page);
export const ArtifactCollectionsCountBodySchema = z.object({
  artifacts: ArtifactCollectionFilterSchema.nullish(),
  ...runCriteria,
});
export const ArtifactCollectionsFilterBodySchema = ArtifactCollectionsCountBodySchema.extend(page);

export const KeyParams = z.object({ key: z.string() });

const artifactFields = {
  id,
  created: nullableTime,
  updated: nullableTime,
  key: z.string().nullable(),
  type: z.string().nullable(),
  description: z.string().nullable(),
  data: z.unknown(),
  metadata_: Metadata.nullable(),
  flow_run_id: id.nullable(),
  task_run_id: id.nullable(),
};

export const ArtifactResponse = z.object(artifactFields).meta({ id: "Artifact" });

export const ArtifactCollectionResponse = z
  .object({ ...artifactFields, key: z.string(), latest_id: id })
  .meta({ id: "ArtifactCollection" });

/**
 * A key's latest version as `GET /artifacts/{key}/latest` answers it: its collection row in
 * `Artifact`'s shape (Prefect's route answers the row through that model: the collection's own id,
 * no `latest_id`).
 */
export function toLatestArtifactResponse(collection: ArtifactCollection): Artifact {
  const { latest_id: _latest, ...artifact } = collection;
  return artifact;
}

const agreement: [
  Agrees<typeof ArtifactFilterSchema, core.ArtifactFilter>,
  Agrees<typeof ArtifactCollectionFilterSchema, core.ArtifactCollectionFilter>,
  Agrees<typeof ArtifactSortSchema, core.ArtifactSort>,
  Agrees<typeof ArtifactsCountBodySchema, core.ArtifactsQuery>,
  Agrees<typeof ArtifactCollectionsCountBodySchema, core.ArtifactCollectionsQuery>,
  Agrees<typeof ArtifactsFilterBodySchema, core.ArtifactsListing>,
] = [true, true, true, true, true, true];
void agreement;

/**
 * Artifacts as the domain sees them (Prefect's `Artifact`, `ArtifactCollection`, `ArtifactCreate`,
 * `ArtifactUpdate`, their filters and sorts) and Prefect's rules for them: a key made of
 * lowercase letters, digits and dashes; metadata values cut at 500 characters. An artifact with a
 * key is a version of that key; the key's collection row (`ArtifactCollection`) mirrors its latest
 * version, with `latest_id` naming it.
 */
import type {
  DeploymentFilter,
  FlowFilter,
  FlowRunFilter,
  Operator,
  TaskRunFilter,
} from "./filters.ts";

type Maybe<T> = T | null | undefined;

/** The types the SDK creates (`type` is free text on the wire). */
export const ArtifactType = {
  MARKDOWN: "markdown",
  TABLE: "table",
  PROGRESS: "progress",
  IMAGE: "image",
  RESULT: "result",
} as const;
export type ArtifactType = (typeof ArtifactType)[keyof typeof ArtifactType];

export interface Artifact {
  id: string;
  created: string;
  updated: string;
  key: string | null;
  type: string | null;
  description: string | null;
  data: unknown;
  metadata_: Record<string, string> | null;
  flow_run_id: string | null;
  task_run_id: string | null;
}

/** The latest version of a key (Prefect's `ArtifactCollection`: its own id, `latest_id` the version's). */
export interface ArtifactCollection extends Omit<Artifact, "key"> {
  key: string;
  latest_id: string;
}

export interface ArtifactCreate {
  key?: string | null;
  type?: string | null;
  description?: string | null;
  data?: unknown;
  metadata_?: Record<string, string> | null;
  flow_run_id?: string | null;
  task_run_id?: string | null;
}

/** The fields of an artifact to change; one left out keeps its value. */
export interface ArtifactUpdate {
  data?: unknown;
  description?: string | null;
  metadata_?: Record<string, string> | null;
}

const KEY = /^[a-z0-9-]*$/;

/** Why `key` is not an artifact key (Prefect's message), or null when it is one. */
export function artifactKeyProblem(key: string): string | null {
  return KEY.test(key)
    ? null
    : "Artifact key must only contain lowercase letters, numbers, and dashes.";
}

/** Prefect's bound on a metadata value: longer ones are cut to it and end with `...`. */
export const MAX_METADATA_VALUE_LENGTH = 500;

/** Metadata as Prefect stores it: each value longer than 500 characters cut, with `...`. */
export function truncatedMetadata(
  metadata: Record<string, string> | null | undefined,
): Record<string, string> | null {
  if (metadata == null) return null;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    out[key] =
      value.length > MAX_METADATA_VALUE_LENGTH
        ? `${value.slice(0, MAX_METADATA_VALUE_LENGTH)}...`
        : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Filters and sorts
// ---------------------------------------------------------------------------------------------

export const ArtifactSort = {
  CREATED_DESC: "CREATED_DESC",
  UPDATED_DESC: "UPDATED_DESC",
  ID_DESC: "ID_DESC",
  KEY_DESC: "KEY_DESC",
  KEY_ASC: "KEY_ASC",
} as const;
export type ArtifactSort = (typeof ArtifactSort)[keyof typeof ArtifactSort];
/** Prefect's `ArtifactCollectionSort` has the same values. */
export const ArtifactCollectionSort = ArtifactSort;
export type ArtifactCollectionSort = ArtifactSort;

interface KeyCriteria {
  any_?: Maybe<string[]>;
  like_?: Maybe<string>;
  /** true: only artifacts with a key; false: only those without one. */
  exists_?: Maybe<boolean>;
}
interface TypeCriteria {
  any_?: Maybe<string[]>;
  not_any_?: Maybe<string[]>;
}

export interface ArtifactFilter {
  operator?: Operator;
  id?: Maybe<{ any_?: Maybe<string[]> }>;
  key?: Maybe<KeyCriteria>;
  flow_run_id?: Maybe<{ any_?: Maybe<string[]> }>;
  task_run_id?: Maybe<{ any_?: Maybe<string[]> }>;
  type?: Maybe<TypeCriteria>;
}

export interface ArtifactCollectionFilter {
  operator?: Operator;
  latest_id?: Maybe<{ any_?: Maybe<string[]> }>;
  key?: Maybe<KeyCriteria>;
  flow_run_id?: Maybe<{ any_?: Maybe<string[]> }>;
  task_run_id?: Maybe<{ any_?: Maybe<string[]> }>;
  type?: Maybe<TypeCriteria>;
}

/** The runs an artifact belongs to, as criteria (an `EXISTS` on its flow run / task run). */
export interface ArtifactRunCriteria {
  flow_runs?: Maybe<FlowRunFilter>;
  task_runs?: Maybe<TaskRunFilter>;
  flows?: Maybe<FlowFilter>;
  deployments?: Maybe<DeploymentFilter>;
}

/** What selects artifacts (`POST /artifacts/count`). */
export interface ArtifactsQuery extends ArtifactRunCriteria {
  artifacts?: Maybe<ArtifactFilter>;
}
/** What selects latest versions (`POST /artifacts/latest/count`). */
export interface ArtifactCollectionsQuery extends ArtifactRunCriteria {
  artifacts?: Maybe<ArtifactCollectionFilter>;
}

interface Paging<S> {
  sort?: Maybe<S>;
  limit?: Maybe<number>;
  offset?: Maybe<number>;
}
/** A page of artifacts (`POST /artifacts/filter`; default sort `ID_DESC`). */
export type ArtifactsListing = ArtifactsQuery & Paging<ArtifactSort>;
/** A page of latest versions (`POST /artifacts/latest/filter`; default sort `ID_DESC`). */
export type ArtifactCollectionsListing = ArtifactCollectionsQuery & Paging<ArtifactCollectionSort>;

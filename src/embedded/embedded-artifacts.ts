/**
 * Artifacts on the local database, for the embedded client: the same models as the server's
 * routes. A batch from the run's write queue is one transaction.
 */
import {
  type ArtifactCreateWithId,
  type ArtifactListOptions,
  type ArtifactRefusal,
  type ArtifactsApi,
  artifactsListing,
  criteriaOfListing,
} from "../client/artifacts-api.ts";
import type {
  Artifact,
  ArtifactCollection,
  ArtifactCreate,
  ArtifactUpdate,
} from "../core/artifacts.ts";
import * as model from "../resources/artifacts/model.ts";
import type { AppContext } from "../services/context.ts";

export class EmbeddedArtifacts implements ArtifactsApi {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async create(input: ArtifactCreate, options?: { id?: string }): Promise<Artifact> {
    return (await model.createArtifact(this.#ctx, input, options)).artifact;
  }
  createMany(inputs: readonly ArtifactCreateWithId[]): Promise<ArtifactRefusal[]> {
    return model.createArtifacts(this.#ctx, inputs);
  }
  read(id: string): Promise<Artifact> {
    return model.readArtifact(this.#ctx, id);
  }
  readLatest(key: string): Promise<ArtifactCollection> {
    return model.readLatestArtifact(this.#ctx, key);
  }
  list(options?: ArtifactListOptions): Promise<Artifact[]> {
    return model.filterArtifacts(this.#ctx, artifactsListing(options));
  }
  count(options?: ArtifactListOptions): Promise<number> {
    return model.countArtifacts(this.#ctx, criteriaOfListing(artifactsListing(options)));
  }
  listLatest(options?: ArtifactListOptions): Promise<ArtifactCollection[]> {
    return model.filterLatestArtifacts(this.#ctx, artifactsListing(options, true));
  }
  countLatest(options?: ArtifactListOptions): Promise<number> {
    return model.countLatestArtifacts(
      this.#ctx,
      criteriaOfListing(artifactsListing(options, true)),
    );
  }
  update(id: string, change: ArtifactUpdate): Promise<void> {
    return model.updateArtifact(this.#ctx, id, change);
  }
  delete(id: string): Promise<void> {
    return model.deleteArtifact(this.#ctx, id);
  }
}

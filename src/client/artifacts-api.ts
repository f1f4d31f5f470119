/**
 * Artifacts through a client: what the SDK's `create…Artifact` functions, the run's write queue
 * and the CLI use. Options are camelCase; what is sent is Prefect's wire and what comes back is
 * Prefect's `Artifact` / `ArtifactCollection`. `HttpArtifacts` speaks Prefect's `/artifacts`
 * API; the embedded client calls the same models over the local database
 * (`embedded/embedded-artifacts.ts`).
 *
 * The SDK names its artifacts (a time-ordered UUID) so that a run never waits for one to be
 * written. This package's server takes the name (the `prefect-ts-artifact-id` header, ours);
 * a Prefect server ignores the header and names the artifact itself: the client then remembers
 * which of its ids is which, and reads, changes and deletes by its own id still reach it.
 *
 * A batch (the run's write queue) goes to this package's server as `POST /artifacts/bulk` (ours):
 * up to `BULK_ARTIFACTS` a request, one after the other so that a key's versions keep their order.
 * A server without the route (Prefect's answers 404 or 405) gets one `POST /artifacts/` each,
 * from then on; a batch the server refuses (422) is sent again one by one, so that only the
 * artifacts refused are left out.
 */
import type {
  Artifact,
  ArtifactCollection,
  ArtifactCollectionsListing,
  ArtifactCreate,
  ArtifactSort,
  ArtifactsListing,
  ArtifactUpdate,
} from "../core/artifacts.ts";
import { ErrorCode, isPrefectTsError, ObjectNotFoundError } from "../core/errors.ts";
import type {
  DeploymentFilter,
  FlowFilter,
  FlowRunFilter,
  TaskRunFilter,
} from "../core/filters.ts";
import type { HttpTransport } from "./http-transport.ts";

/** An artifact to create, with the id it is to have. */
export interface ArtifactCreateWithId extends ArtifactCreate {
  id: string;
}

/** An artifact the API refused (what it held), and why. */
export interface ArtifactRefusal {
  id: string;
  error: Error;
}

export interface ArtifactListOptions {
  ids?: string[];
  keys?: string[];
  /** Keys containing this (case-insensitive). */
  keyLike?: string;
  /** true: keyed artifacts only; false: unkeyed ones only. */
  hasKey?: boolean;
  types?: string[];
  flowRunIds?: string[];
  taskRunIds?: string[];
  /** Prefect's criteria on the artifact's runs. */
  flowRuns?: FlowRunFilter;
  taskRuns?: TaskRunFilter;
  flows?: FlowFilter;
  deployments?: DeploymentFilter;
  /** Default `ID_DESC` (newest first). */
  sort?: ArtifactSort;
  limit?: number;
  offset?: number;
}

export interface ArtifactsApi {
  /** One artifact, named `options.id` when given (answered as it is when that id exists). */
  create(input: ArtifactCreate, options?: { id?: string }): Promise<Artifact>;
  /**
   * A batch, in its order, as quickly as the transport allows (the run's write queue). Resolves
   * with those the API refused for what they hold; rejects when the API could not be reached
   * (nothing lost: creating them again is harmless).
   */
  createMany(inputs: readonly ArtifactCreateWithId[]): Promise<ArtifactRefusal[]>;
  read(id: string): Promise<Artifact>;
  /** The latest version of a key; `ObjectNotFoundError("Artifact not found.")` when it has none. */
  readLatest(key: string): Promise<ArtifactCollection>;
  list(options?: ArtifactListOptions): Promise<Artifact[]>;
  count(options?: ArtifactListOptions): Promise<number>;
  /** The latest version of each key (`latest_id` names it). */
  listLatest(options?: ArtifactListOptions): Promise<ArtifactCollection[]>;
  countLatest(options?: ArtifactListOptions): Promise<number>;
  update(id: string, change: ArtifactUpdate): Promise<void>;
  delete(id: string): Promise<void>;
}

type Listing = ArtifactsListing & ArtifactCollectionsListing;

/** The listing (Prefect's filter body) the options select; `latest`: of latest versions. */
export function artifactsListing(o: ArtifactListOptions = {}, latest = false): Listing {
  const key =
    o.keys || o.keyLike !== undefined || o.hasKey !== undefined
      ? {
          ...(o.keys ? { any_: o.keys } : {}),
          ...(o.keyLike !== undefined ? { like_: o.keyLike } : {}),
          ...(o.hasKey !== undefined ? { exists_: o.hasKey } : {}),
        }
      : undefined;
  const artifacts = {
    ...(o.ids ? { [latest ? "latest_id" : "id"]: { any_: o.ids } } : {}),
    ...(key ? { key } : {}),
    ...(o.types ? { type: { any_: o.types } } : {}),
    ...(o.flowRunIds ? { flow_run_id: { any_: o.flowRunIds } } : {}),
    ...(o.taskRunIds ? { task_run_id: { any_: o.taskRunIds } } : {}),
  };
  return {
    ...(Object.keys(artifacts).length > 0 ? { artifacts } : {}),
    ...(o.flowRuns ? { flow_runs: o.flowRuns } : {}),
    ...(o.taskRuns ? { task_runs: o.taskRuns } : {}),
    ...(o.flows ? { flows: o.flows } : {}),
    ...(o.deployments ? { deployments: o.deployments } : {}),
    ...(o.sort ? { sort: o.sort } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
  };
}

/** The criteria of a listing, without its page (a count's body). */
export function criteriaOfListing({ sort: _s, limit: _l, offset: _o, ...criteria }: Listing) {
  return criteria;
}

/** An error the API answered for what the request held (a retry cannot succeed). */
export function isRefusal(error: unknown): boolean {
  return (
    isPrefectTsError(error) &&
    (error.code === ErrorCode.VALIDATION ||
      error.code === ErrorCode.INVALID_REQUEST ||
      error.code === ErrorCode.CONFLICT)
  );
}

/** The wire body of `POST /artifacts/` (Prefect's `ArtifactCreate`, every field). */
function wireCreate(input: ArtifactCreate) {
  return {
    key: input.key ?? null,
    type: input.type ?? null,
    description: input.description ?? null,
    data: input.data ?? null,
    metadata_: input.metadata_ ?? null,
    flow_run_id: input.flow_run_id ?? null,
    task_run_id: input.task_run_id ?? null,
  };
}

/** Requests a batch keeps in flight at once when sent one by one (keep-alive connections). */
const CONCURRENT_CREATES = 16;

/** Artifacts one `POST /artifacts/bulk` carries at most (a larger batch is sent in parts). */
const BULK_ARTIFACTS = 1000;

/** What a `POST /artifacts/bulk` came to. */
type BulkOutcome = "created" | "unsupported" | "refused" | "too-large";

const BULK_OUTCOMES: Record<number, BulkOutcome> = {
  404: "unsupported",
  405: "unsupported",
  413: "too-large",
  422: "refused",
};

export class HttpArtifacts implements ArtifactsApi {
  readonly #http: HttpTransport;
  /** Our ids of artifacts a server named otherwise (a Prefect server), and its ids for them. */
  readonly #serverIds = new Map<string, string>();
  /** False once the server has answered that it has no `POST /artifacts/bulk` (Prefect's). */
  #bulk = true;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  #idOf(id: string): string {
    return encodeURIComponent(this.#serverIds.get(id) ?? id);
  }

  async create(input: ArtifactCreate, options: { id?: string } = {}): Promise<Artifact> {
    const { id } = options;
    if (id !== undefined && this.#serverIds.has(id)) return this.read(id);
    const answer = await this.#http.exchange<Artifact>(
      "POST",
      "/artifacts/",
      wireCreate(input),
      [],
      id === undefined ? undefined : { "prefect-ts-artifact-id": id },
    );
    const artifact = answer.data;
    if (id !== undefined && artifact.id !== id) {
      this.#serverIds.set(id, artifact.id);
      return { ...artifact, id };
    }
    return artifact;
  }

  async createMany(inputs: readonly ArtifactCreateWithId[]): Promise<ArtifactRefusal[]> {
    const refused: ArtifactRefusal[] = [];
    let sent = 0;
    while (this.#bulk && sent < inputs.length) {
      const part = inputs.slice(sent, sent + BULK_ARTIFACTS);
      refused.push(...(await this.#createInParts(part)));
      if (this.#bulk) sent += part.length;
    }
    if (sent < inputs.length) refused.push(...(await this.#createEach(inputs.slice(sent))));
    return refused;
  }

  /**
   * One `POST /artifacts/bulk` of `inputs`, halved while the server finds the body too large;
   * refused ones sent again one by one. Sends nothing more once the server has no bulk route.
   */
  async #createInParts(inputs: readonly ArtifactCreateWithId[]): Promise<ArtifactRefusal[]> {
    const answer = await this.#http.exchange<unknown>(
      "POST",
      "/artifacts/bulk",
      inputs.map(({ id, ...fields }) => ({ id, ...wireCreate(fields) })),
      [404, 405, 413, 422],
    );
    const outcome = BULK_OUTCOMES[answer.status] ?? "created";
    if (outcome === "created") return [];
    if (outcome === "unsupported") {
      this.#bulk = false;
      return [];
    }
    if (outcome === "too-large" && inputs.length > 1) {
      const half = Math.ceil(inputs.length / 2);
      const first = await this.#createInParts(inputs.slice(0, half));
      if (!this.#bulk) return first;
      return [...first, ...(await this.#createInParts(inputs.slice(half)))];
    }
    return this.#createEach(inputs);
  }

  /** One `POST /artifacts/` each, several in flight at once. */
  async #createEach(inputs: readonly ArtifactCreateWithId[]): Promise<ArtifactRefusal[]> {
    const refused: ArtifactRefusal[] = [];
    let next = 0;
    let failure: unknown = null;
    const worker = async () => {
      while (failure === null && next < inputs.length) {
        const input = inputs[next++] as ArtifactCreateWithId;
        const { id, ...fields } = input;
        try {
          await this.create(fields, { id });
        } catch (error) {
          if (isRefusal(error)) refused.push({ id, error: error as Error });
          else failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_CREATES, inputs.length) }, worker));
    if (failure !== null) throw failure;
    return refused;
  }

  async read(id: string): Promise<Artifact> {
    const artifact = await this.#http.request<Artifact>("GET", `/artifacts/${this.#idOf(id)}`);
    return this.#serverIds.has(id) ? { ...artifact, id } : artifact;
  }

  async readLatest(key: string): Promise<ArtifactCollection> {
    const [latest] = await this.listLatest({ keys: [key], limit: 1 });
    if (!latest) throw new ObjectNotFoundError("Artifact not found.");
    return latest;
  }

  list(options?: ArtifactListOptions): Promise<Artifact[]> {
    return this.#http.request("POST", "/artifacts/filter", artifactsListing(options));
  }
  count(options?: ArtifactListOptions): Promise<number> {
    return this.#http.request(
      "POST",
      "/artifacts/count",
      criteriaOfListing(artifactsListing(options)),
    );
  }
  listLatest(options?: ArtifactListOptions): Promise<ArtifactCollection[]> {
    return this.#http.request("POST", "/artifacts/latest/filter", artifactsListing(options, true));
  }
  countLatest(options?: ArtifactListOptions): Promise<number> {
    return this.#http.request(
      "POST",
      "/artifacts/latest/count",
      criteriaOfListing(artifactsListing(options, true)),
    );
  }
  async update(id: string, change: ArtifactUpdate): Promise<void> {
    await this.#http.request("PATCH", `/artifacts/${this.#idOf(id)}`, change);
  }
  async delete(id: string): Promise<void> {
    await this.#http.request("DELETE", `/artifacts/${this.#idOf(id)}`);
    this.#serverIds.delete(id);
  }
}

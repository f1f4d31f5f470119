/**
 * Artifacts from code (Prefect's `prefect.artifacts`): `createMarkdownArtifact`,
 * `createTableArtifact`, `createLinkArtifact`, `createProgressArtifact` and
 * `updateProgressArtifact`, `createImageArtifact`. Each resolves with the artifact's id.
 *
 * Inside a flow or task run an artifact belongs to the run (its flow run, and its task run inside
 * a task) and goes through the run's write queue: the call returns at once, and the artifact is
 * written with the run's task runs and logs, before the flow run's final state — so thousands of
 * them cost the run no round trip each. Outside any run the artifact is created there and then.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import { ArtifactType, type ArtifactUpdate, artifactKeyProblem } from "../core/artifacts.ts";
import { ValidationError } from "../core/errors.ts";
import { uuid7 } from "../core/ids.ts";
import { currentRunLogger, runScope } from "../engine/context.ts";
import { getRuntime } from "../engine/process-runtime.ts";
import { runRelated } from "../engine/run-related.ts";
import { linkData, progressData, type Table, tableData } from "./artifact-formats.ts";

export type { Table };

export interface ArtifactOptions {
  /**
   * Lowercase letters, digits and dashes. With a key, the artifact is a version of it (listed on
   * the Artifacts page, the latest one first); without one it shows only with its run.
   */
  key?: string;
  /** Markdown describing the artifact. */
  description?: string;
}

/** Progress artifacts this process queued in a run: their changes queue behind them. */
const queuedProgress = new Set<string>();

interface NewArtifact {
  type: string;
  data: unknown;
  key?: string;
  description?: string;
}

function checkOptions(options: ArtifactOptions): void {
  const problem = options.key === undefined ? null : artifactKeyProblem(options.key);
  if (problem) throw new ValidationError(`key: ${problem}`);
  if (options.description !== undefined && typeof options.description !== "string") {
    throw new ValidationError("description: must be a string");
  }
}

async function createArtifact(artifact: NewArtifact): Promise<string> {
  const id = uuid7();
  const scope = runScope.getStore();
  const input = {
    id,
    key: artifact.key ?? null,
    type: artifact.type,
    description: artifact.description ?? null,
    data: artifact.data,
    flow_run_id: scope?.flow?.flowRun.id ?? scope?.task?.taskRun.flow_run_id ?? null,
    task_run_id: scope?.task?.taskRun.id ?? null,
  };
  if (scope?.flow || scope?.task) {
    const recorder = scope.flow?.recorder ?? (await getRuntime()).recorder;
    recorder.artifact({ kind: "create", input, related: runRelated(), logger: currentRunLogger() });
    if (artifact.type === ArtifactType.PROGRESS) queuedProgress.add(id);
    return id;
  }
  const client = (await getRuntime()).client;
  const { id: _id, ...fields } = input;
  await client.artifacts.create(fields, { id });
  await announce(client, "prefect.artifact.created", id, artifact.key, {
    key: input.key,
    type: input.type,
    description: input.description,
  });
  return id;
}

/** The event Prefect's client emits for an artifact made outside a run. */
async function announce(
  client: PrefectClient,
  event: string,
  id: string,
  key: string | undefined,
  payload: Record<string, unknown>,
): Promise<void> {
  const resource: Record<string, string> = { "prefect.resource.id": `prefect.artifact.${id}` };
  if (key) resource["prefect.resource.name"] = key;
  await client
    .emitEvents([
      { id: uuid7(), occurred: new Date().toISOString(), event, resource, related: [], payload },
    ])
    .catch(() => undefined);
}

/** A markdown artifact; resolves with its id. */
export function createMarkdownArtifact(
  options: ArtifactOptions & { markdown: string },
): Promise<string> {
  return Promise.resolve().then(() => {
    checkOptions(options);
    if (typeof options.markdown !== "string") {
      throw new ValidationError("markdown: must be a string");
    }
    return createArtifact({ ...options, type: ArtifactType.MARKDOWN, data: options.markdown });
  });
}

/**
 * A table artifact: a list of rows (lists), a list of objects, or an object of columns (lists).
 * NaN becomes `null`; anything else that is not a table is refused (`ValidationError`).
 */
export function createTableArtifact(options: ArtifactOptions & { table: Table }): Promise<string> {
  return Promise.resolve().then(() => {
    checkOptions(options);
    return createArtifact({ ...options, type: ArtifactType.TABLE, data: tableData(options.table) });
  });
}

/** A link artifact (markdown `[linkText](link)`, as Prefect makes it). */
export function createLinkArtifact(
  options: ArtifactOptions & { link: string; linkText?: string },
): Promise<string> {
  return Promise.resolve().then(() => {
    checkOptions(options);
    if (typeof options.link !== "string") throw new ValidationError("link: must be a string");
    return createArtifact({
      ...options,
      type: ArtifactType.MARKDOWN,
      data: linkData(options.link, options.linkText),
    });
  });
}

/** An image artifact: the UI shows the image at `imageUrl` (a public URL). */
export function createImageArtifact(
  options: ArtifactOptions & { imageUrl: string },
): Promise<string> {
  return Promise.resolve().then(() => {
    checkOptions(options);
    if (typeof options.imageUrl !== "string") {
      throw new ValidationError("imageUrl: must be a string");
    }
    return createArtifact({ ...options, type: ArtifactType.IMAGE, data: options.imageUrl });
  });
}

const warn = (message: string) => currentRunLogger().warning(message);

/**
 * A progress artifact (0 to 100; a value outside is clamped, with a warning); resolves with its
 * id, for `updateProgressArtifact`.
 */
export function createProgressArtifact(
  options: ArtifactOptions & { progress: number },
): Promise<string> {
  return Promise.resolve().then(() => {
    checkOptions(options);
    const progress = progressData(options.progress, warn);
    return createArtifact({ ...options, type: ArtifactType.PROGRESS, data: progress });
  });
}

/**
 * Set a progress artifact's progress (and its description, when given), in place. One made in a
 * run of this process is changed through the run's write queue (after its creation); any other
 * is changed there and then (`ObjectNotFoundError` when there is none).
 */
export async function updateProgressArtifact(
  id: string,
  progress: number,
  description?: string,
): Promise<string> {
  const data = progressData(progress, warn);
  const change: ArtifactUpdate = description ? { description, data } : { data };
  const scope = runScope.getStore();
  if ((scope?.flow || scope?.task) && queuedProgress.has(id)) {
    const recorder = scope.flow?.recorder ?? (await getRuntime()).recorder;
    recorder.artifact({
      kind: "update",
      id,
      change,
      related: runRelated(),
      logger: currentRunLogger(),
    });
    return id;
  }
  const client = scope?.flow?.client ?? (await getRuntime()).client;
  await client.artifacts.update(id, change);
  await announce(client, "prefect.artifact.updated", id, undefined, { ...change });
  return id;
}

/**
 * Artifacts made in a run go through the run's write queue (`run-recorder.ts`) rather than one
 * request each: the SDK names each artifact (a time-ordered UUID) and returns at once; the queue
 * ships creations in batches (one transaction in process; `POST /artifacts/bulk` to this
 * package's server, one request each to Prefect's — see `client/artifacts-api.ts`) and changes in
 * order after them, before the flow run's final state is proposed. Once shipped, each
 * is announced with the events Prefect's client emits (`prefect.artifact.created|updated`).
 */
import { type ArtifactCreateWithId, isRefusal } from "../client/artifacts-api.ts";
import type { PrefectClient } from "../client/prefect-client.ts";
import type { ArtifactUpdate } from "../core/artifacts.ts";
import { ErrorCode, isPrefectTsError } from "../core/errors.ts";
import type { Event, EventLabels } from "../core/events.ts";
import { uuid7 } from "../core/ids.ts";
import type { RunLogger } from "./logging.ts";

interface OpBase {
  /** The related resources of its events (the run it was made in). */
  related: EventLabels[];
  /** Where a refusal is reported (the run's logger). */
  logger: RunLogger;
}
export interface ArtifactCreation extends OpBase {
  kind: "create";
  input: ArtifactCreateWithId;
}
export interface ArtifactChange extends OpBase {
  kind: "update";
  id: string;
  change: ArtifactUpdate;
}
export type ArtifactOp = ArtifactCreation | ArtifactChange;

function resource(id: string, key: string | null | undefined): EventLabels {
  return key
    ? { "prefect.resource.id": `prefect.artifact.${id}`, "prefect.resource.name": key }
    : { "prefect.resource.id": `prefect.artifact.${id}` };
}

function createdEvent(op: ArtifactCreation, occurred: string): Event {
  const { input } = op;
  return {
    id: uuid7(),
    occurred,
    event: "prefect.artifact.created",
    resource: resource(input.id, input.key),
    related: op.related,
    payload: {
      key: input.key ?? null,
      type: input.type ?? null,
      description: input.description ?? null,
    },
    follows: null,
  };
}

function updatedEvent(op: ArtifactChange, occurred: string): Event {
  return {
    id: uuid7(),
    occurred,
    event: "prefect.artifact.updated",
    resource: resource(op.id, null),
    related: op.related,
    payload: { ...op.change },
    follows: null,
  };
}

/** What a shipment could not send: the ops from the first that failed on, and why. */
export interface Unshipped {
  ops: ArtifactOp[];
  error: unknown;
}

/**
 * Ship `ops` in order: runs of creations as batches, each change after what came before it.
 * Refusals (what an artifact held) are logged to its run and dropped. Resolves with null when
 * everything went, or with the ops not shipped when the API could not be reached (the caller
 * queues them again: creating an artifact again is harmless).
 */
export async function shipArtifactOps(
  client: PrefectClient,
  ops: readonly ArtifactOp[],
): Promise<Unshipped | null> {
  const events: Event[] = [];
  let i = 0;
  try {
    while (i < ops.length) {
      const op = ops[i] as ArtifactOp;
      if (op.kind === "create") {
        let end = i;
        while (end < ops.length && (ops[end] as ArtifactOp).kind === "create") end++;
        const batch = ops.slice(i, end) as ArtifactCreation[];
        const refused = await client.artifacts.createMany(batch.map((c) => c.input));
        const why = new Map(refused.map((r) => [r.id, r.error]));
        const occurred = new Date().toISOString();
        for (const c of batch) {
          const error = why.get(c.input.id);
          if (error) {
            c.logger.warning(
              `Artifact ${c.input.key ?? c.input.id} was not created: ${error.message}`,
            );
          } else {
            events.push(createdEvent(c, occurred));
          }
        }
        i = end;
        continue;
      }
      try {
        await client.artifacts.update(op.id, op.change);
        events.push(updatedEvent(op, new Date().toISOString()));
      } catch (error) {
        if (!isRefusal(error) && !isNotFound(error)) throw error;
        op.logger.warning(
          `Artifact ${op.id} was not updated: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      i++;
    }
    return null;
  } catch (error) {
    return { ops: ops.slice(i), error };
  } finally {
    // events are reports: losing one must not fail the run
    if (events.length > 0) await client.emitEvents(events).catch(() => undefined);
  }
}

function isNotFound(error: unknown): boolean {
  return isPrefectTsError(error) && error.code === ErrorCode.OBJECT_NOT_FOUND;
}

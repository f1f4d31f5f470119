/**
 * The asset recorder: a consumer of the event bus that keeps the `asset` and `asset_dependency`
 * tables from the asset events runs emit (`prefect.asset.referenced`,
 * `prefect.asset.materialization.succeeded|failed`, as Prefect's client emits them). The events
 * themselves go to the event store as any event. Events whose resource is not a valid asset key
 * are left out (logged).
 */
import type { AssetPropertiesRecord } from "../../core/asset-records.ts";
import {
  ASSET_ROLE,
  AssetEvent,
  AssetLabel,
  assetKeyProblem,
  MATERIALIZED_BY_ROLE,
} from "../../core/assets.ts";
import type { Event } from "../../core/events.ts";
import { normalizeIso } from "../../core/time.ts";
import type { AppContext } from "../../services/context.ts";
import type { EventConsumer } from "../events/pipeline.ts";
import { objectIdOf, relatedInRole } from "../events/schema.ts";
import { type AssetObservation, recordAssetObservations } from "./model.ts";
import { assetRecorderTerms } from "./recorder-terms.ts";

/** An asset event that cannot be recorded, and why. */
interface UnrecordableAssetEvent {
  error: string;
  eventId: string;
}

const KINDS: Record<string, AssetObservation["kind"]> = {
  [AssetEvent.REFERENCED]: "referenced",
  [AssetEvent.MATERIALIZATION_SUCCEEDED]: "succeeded",
  [AssetEvent.MATERIALIZATION_FAILED]: "failed",
};

function owners(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((o) => typeof o === "string")) return parsed;
  } catch {
    // not JSON: one owner
  }
  return [text];
}

/** The asset's properties when the resource names any (then all four: they replace whole). */
function propertiesOf(resource: Record<string, string>): AssetPropertiesRecord | null {
  const labels = [AssetLabel.NAME, AssetLabel.DESCRIPTION, AssetLabel.URL, AssetLabel.OWNERS];
  if (!labels.some((label) => label in resource)) return null;
  return {
    name: resource[AssetLabel.NAME] ?? null,
    description: resource[AssetLabel.DESCRIPTION] ?? null,
    url: resource[AssetLabel.URL] ?? null,
    owners: owners(resource[AssetLabel.OWNERS]),
  };
}

function readAssetEvent(event: Event): AssetObservation | UnrecordableAssetEvent {
  const kind = KINDS[event.event] as AssetObservation["kind"];
  const key = event.resource["prefect.resource.id"] ?? "";
  const problem = assetKeyProblem(key);
  if (problem) return { error: `not an asset: ${problem}`, eventId: event.id };
  const upstream =
    kind === "referenced"
      ? []
      : event.related
          .filter((r) => r["prefect.resource.role"] === ASSET_ROLE)
          .map((r) => r["prefect.resource.id"] ?? "")
          .filter((k) => assetKeyProblem(k) === null);
  const flowRun = relatedInRole(event, "flow-run")?.["prefect.resource.id"];
  const payload = event.payload;
  return {
    kind,
    key,
    properties: propertiesOf(event.resource),
    occurred: normalizeIso(event.occurred),
    eventId: event.id,
    upstream,
    materializedBy: relatedInRole(event, MATERIALIZED_BY_ROLE)?.["prefect.resource.id"] ?? null,
    flowRunId: objectIdOf(flowRun, "prefect.flow-run"),
    metadata: payload !== null && typeof payload === "object" ? payload : {},
  };
}

async function recordAssetEvents(
  ctx: AppContext,
  items: readonly (AssetObservation | UnrecordableAssetEvent)[],
): Promise<number> {
  const observations: AssetObservation[] = [];
  for (const item of items) {
    if ("error" in item) ctx.log.warn({ eventId: item.eventId }, item.error);
    else observations.push(item);
  }
  return recordAssetObservations(ctx, observations);
}

/** The asset recorder as a consumer of the event bus (the server's and the embedded client's). */
export function assetRecorder(
  ctx: AppContext,
): EventConsumer<AssetObservation | UnrecordableAssetEvent> {
  return {
    ...assetRecorderTerms,
    read: readAssetEvent,
    write: (items) => recordAssetEvents(ctx, items),
    describe: (item) => ({ eventId: item.eventId }),
  };
}

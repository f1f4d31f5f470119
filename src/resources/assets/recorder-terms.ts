/**
 * What the asset recorder takes from the event bus, known without loading it (`recorder.ts`,
 * which reads events with the events' schemas): the composition root wires the recorder with
 * these before its module is loaded.
 */
import { AssetEvent } from "../../core/assets.ts";
import type { Event } from "../../core/events.ts";

const ASSET_EVENTS: ReadonlySet<string> = new Set([
  AssetEvent.REFERENCED,
  AssetEvent.MATERIALIZATION_SUCCEEDED,
  AssetEvent.MATERIALIZATION_FAILED,
]);

export const assetRecorderTerms = {
  name: "recording asset events",
  accepts: (event: Event): boolean => ASSET_EVENTS.has(event.event),
};

import type { EventPipeline } from "../resources/events/pipeline.ts";
import type { Database } from "../storage/database.ts";

/** What every API router gets. */
export interface RouteDeps {
  database: Database;
  /** Where events the routes emit go (the app always provides it). */
  events?: EventPipeline;
}

import type { Database } from "../../storage/database.ts";
import type { EventPipeline } from "../events/event-pipeline.ts";

/** What every API router gets. */
export interface RouteDeps {
  database: Database;
  /** Where events the routes emit go (the app always provides it). */
  events?: EventPipeline;
}

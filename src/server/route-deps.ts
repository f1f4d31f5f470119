import type { EventPipeline } from "../resources/events/pipeline.ts";
import type { AppContext } from "../services/context.ts";

/** What every API router gets: the application context its models take, and the event bus. */
export interface RouteDeps {
  ctx: AppContext;
  /** The event bus itself (the events routes receive into it and stream out of it). */
  bus: EventPipeline;
}

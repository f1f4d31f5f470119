/**
 * Events in the models layer: reading the event store through Prefect's `EventFilter` (pages,
 * counts, counts by time, name or resource). Events are written by the event bus (what clients
 * report) and by the transactions of the changes that emit them (`services/unit-of-work.ts`).
 */

import {
  type Countable,
  type EventFilter,
  type EventFilterInput,
  resolveEventFilter,
  type TimeUnit,
} from "../../core/event-filter.ts";
import type { ReceivedEvent } from "../../core/events.ts";
import type { AppContext } from "../../services/context.ts";
import { countEventsBy } from "./count-queries.ts";
import * as events from "./queries.ts";

/** An `EventFilter` as asked for, with Prefect's defaults resolved at the app clock's now. */
export function resolveFilter(ctx: AppContext, input: EventFilterInput | null | undefined) {
  return resolveEventFilter(input, ctx.clock.nowIso());
}

export function filterEvents(
  ctx: AppContext,
  filter: EventFilter,
  limit: number,
  offset = 0,
): Promise<ReceivedEvent[]> {
  return events.readEvents(ctx.database, filter, limit, offset);
}

export function countEvents(ctx: AppContext, filter: EventFilter): Promise<number> {
  return events.countEvents(ctx.database, filter);
}

export function countEventsByGroup(
  ctx: AppContext,
  filter: EventFilter,
  countable: Countable,
  timeUnit: TimeUnit,
  timeInterval: number,
) {
  return countEventsBy(ctx.database, filter, countable, timeUnit, timeInterval, ctx.clock.nowIso());
}

/**
 * Prefect's `EventFilter` (`prefect.server.events.filters`) as plain types, and its defaults: what
 * the event store's SQL (`resources/events/queries.ts`) and the live matcher
 * (`resources/events/matcher.ts`) both read. The HTTP edge's zod schemas satisfy these types
 * (`resources/events/filter-schema.ts`).
 */
import { normalizeIso } from "./time.ts";

type Maybe<T> = T | null | undefined;

/** Prefect's `INTERACTIVE_PAGE_SIZE`: the default and largest page of `POST /events/filter`. */
export const EVENTS_PAGE_SIZE = 50;
/** How far back an `occurred` filter without `since` looks (Prefect: 180 days before today). */
export const DEFAULT_EVENTS_LOOKBACK_DAYS = 180;

/** Label name → value or values; `!value` negates, `value*` is a prefix. */
export type ResourceSpecification = Record<string, string | string[]>;

export interface EventNameFilter {
  prefix?: Maybe<string[]>;
  exclude_prefix?: Maybe<string[]>;
  name?: Maybe<string[]>;
  exclude_name?: Maybe<string[]>;
}
export interface EventResourceFilter {
  id?: Maybe<string[]>;
  id_prefix?: Maybe<string[]>;
  labels?: Maybe<ResourceSpecification>;
  distinct?: boolean;
}
export interface EventRelatedFilter {
  id?: Maybe<string[]>;
  role?: Maybe<string[]>;
  resources_in_roles?: Maybe<[string, string][]>;
  labels?: Maybe<ResourceSpecification>;
}
export interface EventAnyResourceFilter {
  id?: Maybe<string[]>;
  id_prefix?: Maybe<string[]>;
  labels?: Maybe<ResourceSpecification>;
}
export type EventOrder = "ASC" | "DESC";

/** An `EventFilter` as asked for (its `occurred` window resolved by `resolveEventFilter`). */
export interface EventFilterInput {
  occurred?: Maybe<{ since?: string; until?: string }>;
  event?: Maybe<EventNameFilter>;
  resource?: Maybe<EventResourceFilter>;
  related?: Maybe<EventRelatedFilter | EventRelatedFilter[]>;
  any_resource?: Maybe<EventAnyResourceFilter | EventAnyResourceFilter[]>;
  id?: Maybe<{ id?: Maybe<string[]> }>;
  text?: Maybe<{ query: string }>;
  order?: EventOrder;
}

/** An `EventFilter` with its window fixed (canonical timestamps) and its lists flattened. */
export interface EventFilter {
  occurred: { since: string; until: string };
  event: EventNameFilter | null;
  resource: EventResourceFilter | null;
  related: EventRelatedFilter[];
  any_resource: EventAnyResourceFilter[];
  id: string[] | null;
  text: string | null;
  order: EventOrder;
}

/** What `POST /events/count-by/{countable}` counts by. */
export type Countable = "day" | "time" | "event" | "resource";
export type TimeUnit = "week" | "day" | "hour" | "minute" | "second";

/** Midnight UTC of the day of `iso`, minus `days`. */
function startOfDayMinus(iso: string, days: number): string {
  const d = new Date(iso);
  d.setUTCHours(0, 0, 0, 0);
  return normalizeIso(new Date(d.getTime() - days * 86_400_000));
}

/** Apply Prefect's defaults at `now`: `since` = today − 180 days, `until` = now, `order` = DESC. */
export function resolveEventFilter(
  input: EventFilterInput | null | undefined,
  now: string,
): EventFilter {
  const f: EventFilterInput = input ?? {};
  const list = <T>(value: T | T[] | null | undefined): T[] =>
    value == null ? [] : Array.isArray(value) ? value : [value];
  return {
    occurred: {
      since: f.occurred?.since
        ? normalizeIso(f.occurred.since)
        : startOfDayMinus(now, DEFAULT_EVENTS_LOOKBACK_DAYS),
      until: f.occurred?.until ? normalizeIso(f.occurred.until) : now,
    },
    event: f.event ?? null,
    resource: f.resource ?? null,
    related: list(f.related),
    any_resource: list(f.any_resource),
    // an empty id list filters nothing, as in Prefect
    id: f.id?.id?.length ? f.id.id.map((id) => id.toLowerCase()) : null,
    text: f.text?.query ?? null,
    order: f.order ?? "DESC",
  };
}

/** The resolved filter as an `EventFilter` body again (for page tokens). */
export function eventFilterToWire(f: EventFilter): EventFilterInput {
  return {
    occurred: f.occurred,
    event: f.event,
    resource: f.resource,
    related: f.related,
    any_resource: f.any_resource,
    id: { id: f.id },
    text: f.text === null ? null : { query: f.text },
    order: f.order,
  };
}

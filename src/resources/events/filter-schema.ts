/**
 * Prefect's `EventFilter` (`prefect.server.events.filters`) and the bodies of the event query
 * routes: `POST /events/filter`, `POST /events/count-by/{countable}`, and the filter frame of the
 * `/events/out` WebSocket. Filter objects forbid unknown keys (pydantic `extra="forbid"`).
 */
import { z } from "zod";
import { normalizeIso, nowIso } from "../../core/time.ts";
import { DateTimeString, Uuid } from "../../server/schemas/common.ts";

/** Prefect's `INTERACTIVE_PAGE_SIZE`: the default and largest page of `POST /events/filter`. */
export const EVENTS_PAGE_SIZE = 50;
/** How far back an `occurred` filter without `since` looks (Prefect: 180 days before today). */
export const DEFAULT_EVENTS_LOOKBACK_DAYS = 180;

const strings = z.array(z.string()).nullish();

/** Label name → value or values; `!value` negates, `value*` is a prefix. */
export const ResourceSpecificationSchema = z.record(
  z.string(),
  z.union([z.string(), z.array(z.string())]),
);
export type ResourceSpecification = z.infer<typeof ResourceSpecificationSchema>;

export const EventOccurredFilterSchema = z.strictObject({
  since: DateTimeString.optional(),
  until: DateTimeString.optional(),
});

export const EventNameFilterSchema = z.strictObject({
  prefix: strings,
  exclude_prefix: strings,
  name: strings,
  exclude_name: strings,
});

export const EventResourceFilterSchema = z.strictObject({
  id: strings,
  id_prefix: strings,
  labels: ResourceSpecificationSchema.nullish(),
  distinct: z.boolean().default(false),
});

export const EventRelatedFilterSchema = z.strictObject({
  id: strings,
  role: strings,
  resources_in_roles: z.array(z.tuple([z.string(), z.string()])).nullish(),
  labels: ResourceSpecificationSchema.nullish(),
});

export const EventAnyResourceFilterSchema = z.strictObject({
  id: strings,
  id_prefix: strings,
  labels: ResourceSpecificationSchema.nullish(),
});

export const EventIdFilterSchema = z.strictObject({ id: z.array(Uuid).nullish() });

export const EventTextFilterSchema = z.strictObject({ query: z.string().max(200) });

export const EventOrderSchema = z.enum(["ASC", "DESC"]);

/**
 * An `EventFilter` as sent. `occurred` defaults are applied by `resolveEventFilter` (they depend
 * on the time of the request, and a page token keeps the resolved window).
 */
export const EventFilterSchema = z.strictObject({
  occurred: EventOccurredFilterSchema.nullish(),
  event: EventNameFilterSchema.nullish(),
  resource: EventResourceFilterSchema.nullish(),
  related: z.union([EventRelatedFilterSchema, z.array(EventRelatedFilterSchema)]).nullish(),
  any_resource: z
    .union([EventAnyResourceFilterSchema, z.array(EventAnyResourceFilterSchema)])
    .nullish(),
  id: EventIdFilterSchema.nullish(),
  text: EventTextFilterSchema.nullish(),
  order: EventOrderSchema.default("DESC"),
});
export type EventFilterInput = z.output<typeof EventFilterSchema>;

export type EventRelatedFilter = z.output<typeof EventRelatedFilterSchema>;
export type EventAnyResourceFilter = z.output<typeof EventAnyResourceFilterSchema>;

/** An `EventFilter` with its window fixed (canonical timestamps) and its lists flattened. */
export interface EventFilter {
  occurred: { since: string; until: string };
  event: z.output<typeof EventNameFilterSchema> | null;
  resource: z.output<typeof EventResourceFilterSchema> | null;
  related: EventRelatedFilter[];
  any_resource: EventAnyResourceFilter[];
  id: string[] | null;
  text: string | null;
  order: "ASC" | "DESC";
}

/** Midnight UTC of the day of `iso`, minus `days`. */
function startOfDayMinus(iso: string, days: number): string {
  const d = new Date(iso);
  d.setUTCHours(0, 0, 0, 0);
  return normalizeIso(new Date(d.getTime() - days * 86_400_000));
}

/** Apply Prefect's defaults: `since` = today − 180 days, `until` = now, `order` = DESC. */
export function resolveEventFilter(
  input: EventFilterInput | null | undefined,
  now: string = nowIso(),
): EventFilter {
  const f = input ?? { order: "DESC" as const };
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

/** Body of `POST /events/filter`. */
export const EventsFilterBodySchema = z.object({
  filter: EventFilterSchema.nullish(),
  limit: z.number().int().min(0).max(EVENTS_PAGE_SIZE).default(EVENTS_PAGE_SIZE),
});

export const CountableSchema = z.enum(["day", "time", "event", "resource"]);
export type Countable = z.infer<typeof CountableSchema>;
export const TimeUnitSchema = z.enum(["week", "day", "hour", "minute", "second"]);
export type TimeUnit = z.infer<typeof TimeUnitSchema>;

/** Body of `POST /events/count-by/{countable}`. */
export const EventsCountBodySchema = z.object({
  filter: EventFilterSchema,
  time_unit: TimeUnitSchema.default("day"),
  time_interval: z.number().min(0.01).default(1),
});

/** `GET /events/filter/next` query. */
export const EventsNextPageQuerySchema = z.object({ "page-token": z.string() });

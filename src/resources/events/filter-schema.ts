/**
 * Prefect's `EventFilter` (`prefect.server.events.filters`) and the bodies of the event query
 * routes: `POST /events/filter`, `POST /events/count-by/{countable}`, and the filter frame of the
 * `/events/out` WebSocket. Filter objects forbid unknown keys (pydantic `extra="forbid"`).
 */
import { z } from "zod";
import {
  type Countable as CoreCountable,
  type EventFilterInput as CoreInput,
  type ResourceSpecification as CoreSpecification,
  type TimeUnit as CoreTimeUnit,
  EVENTS_PAGE_SIZE,
} from "../../core/event-filter.ts";
import {
  type Agrees,
  DateTimeString,
  nullAsAbsent,
  orDefault,
  Uuid,
} from "../../server/schemas/common.ts";

export { EVENTS_PAGE_SIZE };

/**
 * The most values one list of a filter may hold: each is a condition of the query (a prefix or a
 * label an `OR` more; SQLite nests at most 1,000 deep).
 */
export const EVENT_FILTER_LIST_MAX = 500;
/**
 * The most strings a whole filter may hold, names of keys included: each value is a parameter and
 * a condition of the query (SQLite nests a query's conditions at most 1,000 deep).
 */
export const EVENT_FILTER_VALUES_MAX = 1000;

/** The most labels a resource specification may name (each a few conditions of the query). */
export const EVENT_FILTER_LABELS_MAX = 200;

const list = <T extends z.ZodType>(item: T) => z.array(item).max(EVENT_FILTER_LIST_MAX);
const strings = list(z.string()).nullish();

/** Label name → value or values; `!value` negates, `value*` is a prefix. */
export const ResourceSpecificationSchema = z
  .record(z.string(), z.union([z.string(), list(z.string())]))
  .refine((labels) => Object.keys(labels).length <= EVENT_FILTER_LABELS_MAX, {
    message: `A filter may name at most ${EVENT_FILTER_LABELS_MAX} labels`,
  });

/** How many strings (keys included) a value holds. */
function stringsIn(value: unknown): number {
  if (typeof value === "string") return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + stringsIn(v), 0);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).reduce((n, [, v]) => n + 1 + stringsIn(v), 0);
  }
  return 0;
}
export type ResourceSpecification = CoreSpecification;

export const EventOccurredFilterSchema = z.strictObject({
  since: nullAsAbsent(DateTimeString),
  until: nullAsAbsent(DateTimeString),
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
  distinct: orDefault(z.boolean(), () => false),
});

export const EventRelatedFilterSchema = z.strictObject({
  id: strings,
  role: strings,
  resources_in_roles: list(z.tuple([z.string(), z.string()])).nullish(),
  labels: ResourceSpecificationSchema.nullish(),
});

export const EventAnyResourceFilterSchema = z.strictObject({
  id: strings,
  id_prefix: strings,
  labels: ResourceSpecificationSchema.nullish(),
});

export const EventIdFilterSchema = z.strictObject({ id: list(Uuid).nullish() });

export const EventTextFilterSchema = z.strictObject({ query: z.string().max(200) });

export const EventOrderSchema = z.enum(["ASC", "DESC"]);

/**
 * An `EventFilter` as sent. `occurred` defaults are applied by `resolveEventFilter` (they depend
 * on the time of the request, and a page token keeps the resolved window).
 */
export const EventFilterSchema = z
  .strictObject({
    occurred: EventOccurredFilterSchema.nullish(),
    event: EventNameFilterSchema.nullish(),
    resource: EventResourceFilterSchema.nullish(),
    related: z.union([EventRelatedFilterSchema, z.array(EventRelatedFilterSchema)]).nullish(),
    any_resource: z
      .union([EventAnyResourceFilterSchema, z.array(EventAnyResourceFilterSchema)])
      .nullish(),
    id: EventIdFilterSchema.nullish(),
    text: EventTextFilterSchema.nullish(),
    order: orDefault(EventOrderSchema, () => "DESC" as const),
  })
  .refine((filter) => stringsIn(filter) <= EVENT_FILTER_VALUES_MAX, {
    message: `A filter may hold at most ${EVENT_FILTER_VALUES_MAX} strings, names of keys included`,
  });
export type { EventFilter, EventFilterInput } from "../../core/event-filter.ts";
export { eventFilterToWire, resolveEventFilter } from "../../core/event-filter.ts";

// the schemas and the core's types agree (checked at compile time)
const filterAgrees: Agrees<typeof EventFilterSchema, CoreInput> = true;
void filterAgrees;

/** Body of `POST /events/filter`. */
export const EventsFilterBodySchema = z.object({
  filter: EventFilterSchema.nullish(),
  limit: orDefault(z.number().int().min(0).max(EVENTS_PAGE_SIZE), () => EVENTS_PAGE_SIZE),
});

export const CountableSchema = z.enum(["day", "time", "event", "resource"]);
export type Countable = CoreCountable;
export const TimeUnitSchema = z.enum(["week", "day", "hour", "minute", "second"]);
export type TimeUnit = CoreTimeUnit;
const enumsAgree: [
  Agrees<typeof CountableSchema, CoreCountable>,
  Agrees<typeof TimeUnitSchema, CoreTimeUnit>,
] = [true, true];
void enumsAgree;

/** Body of `POST /events/count-by/{countable}`. */
export const EventsCountBodySchema = z.object({
  filter: EventFilterSchema,
  time_unit: orDefault(TimeUnitSchema, () => "day" as const),
  // at most about 190 years in any unit: buckets stay within what a timestamp can be
  time_interval: orDefault(z.number().min(0.01).max(10_000), () => 1),
});

/** `GET /events/filter/next` query. */
export const EventsNextPageQuerySchema = z.object({ "page-token": z.string() });

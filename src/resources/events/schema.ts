/**
 * Prefect's client-side `Event` (`prefect.server.events.schemas.events.Event`): what `POST /events`
 * takes (as an array) and what each frame of the `/events/in` WebSocket carries after the auth
 * handshake. Unknown top-level keys (e.g. a `received` sent back by a client) are dropped.
 */
import { z } from "zod";
import {
  DateTimeString,
  INDEXED_TEXT_MAX_BYTES,
  JsonObject,
  orDefault,
  Uuid,
} from "../../server/schemas/common.ts";
import { id, json, time } from "../../server/schemas/responses.ts";

/** Prefect's `PREFECT_EVENTS_MAXIMUM_LABELS_PER_RESOURCE`. */
export const MAXIMUM_LABELS_PER_RESOURCE = 500;
/** Prefect's `PREFECT_EVENTS_MAXIMUM_RELATED_RESOURCES`. */
export const MAXIMUM_RELATED_RESOURCES = 100;
/** Prefect's `PREFECT_EVENTS_MAXIMUM_SIZE_BYTES` (of the event as JSON). */
export const MAXIMUM_EVENT_SIZE_BYTES = 1_500_000;
/** Longest event name accepted. */
export const MAXIMUM_EVENT_NAME_LENGTH = 1024;

const Labels = z.record(z.string(), z.string());

/**
 * Whether an event's name or a resource id fits the event store's indexes (at most
 * `INDEXED_TEXT_MAX_BYTES` bytes as UTF-8; both columns are indexed).
 */
export function fitsEventIndex(text: string): boolean {
  return (
    text.length <= INDEXED_TEXT_MAX_BYTES &&
    Buffer.byteLength(text, "utf8") <= INDEXED_TEXT_MAX_BYTES
  );
}

/** A resource: string labels, among them a non-empty `prefect.resource.id`. */
export const ResourceSchema = Labels.refine(
  (labels) => Object.keys(labels).length <= MAXIMUM_LABELS_PER_RESOURCE,
  `The maximum number of labels per resource is ${MAXIMUM_LABELS_PER_RESOURCE}`,
)
  .refine(
    (labels) => Boolean(labels["prefect.resource.id"]),
    "Resources must include the prefect.resource.id label, and it must be non-empty",
  )
  .refine(
    (labels) => fitsEventIndex(labels["prefect.resource.id"] ?? ""),
    `The prefect.resource.id label may be at most ${INDEXED_TEXT_MAX_BYTES} bytes as UTF-8`,
  );

/** A related resource: a resource with a non-empty `prefect.resource.role`. */
export const RelatedResourceSchema = ResourceSchema.refine(
  (labels) => Boolean(labels["prefect.resource.role"]),
  "Related Resources must include the prefect.resource.role label, and it must be non-empty",
);

/** An event without the size check (for bodies already known to be smaller than the limit). */
export const UnsizedEventSchema = z.object({
  occurred: DateTimeString,
  event: z
    .string()
    .min(1)
    .max(MAXIMUM_EVENT_NAME_LENGTH)
    .refine(fitsEventIndex, `Event names may be at most ${INDEXED_TEXT_MAX_BYTES} bytes as UTF-8`),
  resource: ResourceSchema,
  related: orDefault(
    z
      .array(RelatedResourceSchema)
      .max(
        MAXIMUM_RELATED_RESOURCES,
        `The maximum number of related resources is ${MAXIMUM_RELATED_RESOURCES}`,
      ),
    () => [],
  ),
  payload: orDefault(JsonObject, () => ({})),
  id: Uuid,
  follows: Uuid.nullish(),
});

export const EventSchema = UnsizedEventSchema.refine(
  (event) => eventSizeBytes(event) <= MAXIMUM_EVENT_SIZE_BYTES,
  { message: `Event is too large: the maximum size is ${MAXIMUM_EVENT_SIZE_BYTES} bytes as JSON` },
);

/** Body of `POST /events`. */
export const EventBatchSchema = z.array(EventSchema);

/** The same, for a body smaller than one event's limit: no event in it can be too large. */
export const SmallEventBatchSchema = z.array(UnsizedEventSchema);

/** An event as validated (defaults applied). */
export type IncomingEvent = z.output<typeof EventSchema>;

/** Size of an event as JSON, in bytes. */
export function eventSizeBytes(event: unknown): number {
  return Buffer.byteLength(JSON.stringify(event), "utf8");
}

/** The UUID at the end of a Prefect resource id (`prefect.task-run.<uuid>`), if it has that kind. */
export function objectIdOf(resourceId: string | undefined, kind: string): string | null {
  const prefix = `${kind}.`;
  if (!resourceId?.startsWith(prefix)) return null;
  const id = resourceId.slice(prefix.length);
  return Uuid.safeParse(id).success ? id.toLowerCase() : null;
}

/** The first related resource playing `role`. */
export function relatedInRole(
  event: Pick<IncomingEvent, "related">,
  role: string,
): Record<string, string> | undefined {
  return event.related.find((r) => r["prefect.resource.role"] === role);
}

// Responses

export const labels = z.record(z.string(), z.string());

export const ReceivedEventResponse = z
  .object({
    occurred: time,
    event: z.string(),
    resource: labels,
    related: z.array(labels),
    payload: json,
    id,
    follows: id.nullable(),
    received: time,
  })
  .meta({ id: "ReceivedEvent" });

export const EventPageResponse = z
  .object({
    events: z.array(ReceivedEventResponse),
    total: z.number().int(),
    next_page: z.string().nullable(),
  })
  .meta({ id: "EventPage" });

export const EventCountResponse = z
  .object({
    value: z.string(),
    label: z.string(),
    count: z.number().int(),
    start_time: time,
    end_time: time,
  })
  .meta({ id: "EventCount" });

/**
 * A fast path in front of `UnsizedEventSchema` for what nearly every frame of `/events/in` holds:
 * an event with only the schema's keys, string labels and a plain payload. Such a value is checked
 * where it lies and becomes the event itself (its missing `related` / `payload` filled in) instead
 * of being copied key by key; the formats of its strings are still checked by the schema's own
 * leaf schemas. Anything else — an unknown key, a label that is not a string, a `__proto__` key —
 * is left to the schema, which then decides and words the error.
 *
 * Guarantee (tested): when `ordinaryEvent(v)` returns an event, `UnsizedEventSchema` accepts `v`
 * and outputs an equal event.
 */
import { DateTimeString, jsonDepthWithin, Uuid } from "../../server/schemas/common.ts";
import {
  fitsEventIndex,
  type IncomingEvent,
  MAXIMUM_EVENT_NAME_LENGTH,
  MAXIMUM_LABELS_PER_RESOURCE,
  MAXIMUM_RELATED_RESOURCES,
  UnsizedEventSchema,
} from "./schema.ts";

/** The keys the schema reads (any other one it would drop: left to the schema). */
const EVENT_KEYS = new Set(Object.keys(UnsizedEventSchema.shape));

/** `value` as the event it holds when the fast path can vouch for it, else null. */
export function ordinaryEvent(value: unknown): IncomingEvent | null {
  if (!isPlainObject(value)) return null;
  for (const key in value) if (!EVENT_KEYS.has(key)) return null;
  const { occurred, event, resource, related, payload, id, follows } = value;
  if (typeof event !== "string" || event.length < 1 || event.length > MAXIMUM_EVENT_NAME_LENGTH) {
    return null;
  }
  if (!fitsEventIndex(event)) return null;
  if (!isResource(resource, false)) return null;
  if (related !== undefined) {
    if (!Array.isArray(related) || related.length > MAXIMUM_RELATED_RESOURCES) return null;
    for (const r of related) if (!isResource(r, true)) return null;
  }
  if (payload !== undefined && (!isPlainRecord(payload) || !jsonDepthWithin(payload))) return null;
  if (follows !== undefined && follows !== null && !isUuid(follows)) return null;
  if (!isUuid(id) || typeof occurred !== "string" || !DateTimeString.safeParse(occurred).success) {
    return null;
  }
  if (related === undefined) value.related = [];
  if (payload === undefined) value.payload = {};
  return value as unknown as IncomingEvent;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** A plain object without a key the schema's records would not copy as an ordinary key. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !Object.hasOwn(value, "__proto__");
}

/** String labels within the limit, with a non-empty id (and role, for a related resource). */
function isResource(value: unknown, related: boolean): boolean {
  if (!isPlainRecord(value)) return false;
  let labels = 0;
  for (const key in value) {
    if (typeof value[key] !== "string") return false;
    labels++;
  }
  const id = value["prefect.resource.id"];
  if (labels > MAXIMUM_LABELS_PER_RESOURCE || !id || !fitsEventIndex(id as string)) return false;
  return !related || Boolean(value["prefect.resource.role"]);
}

function isUuid(value: unknown): boolean {
  return typeof value === "string" && Uuid.safeParse(value).success;
}

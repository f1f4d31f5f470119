/**
 * Whether one event matches an `EventFilter`, in memory: what the `/events/out` stream applies to
 * live events. The same meaning as the SQL of `queries.ts` (label values: `!value` excludes,
 * `value*` is a prefix; a related-resource filter ignores the primary resource unless it names
 * roles; an empty label specification filters nothing).
 */

import type {
  EventAnyResourceFilter,
  EventFilter,
  EventRelatedFilter,
  ResourceSpecification,
} from "../../core/event-filter.ts";
import type { ReceivedEvent } from "../../core/events.ts";
import { parseTextQuery } from "../../core/text-query.ts";
import { isoToMicros } from "../../core/time.ts";

type Labels = Record<string, string>;
const RESOURCE_ID = "prefect.resource.id";
const RESOURCE_ROLE = "prefect.resource.role";

function labelMatches(value: string | undefined, values: readonly string[]): boolean {
  if (values.length === 0) return false;
  let anyPositive = false;
  let positiveHit = false;
  for (const raw of values) {
    const negated = raw.startsWith("!");
    const expected = negated ? raw.slice(1) : raw;
    const hit =
      value !== undefined &&
      (expected.endsWith("*")
        ? value.startsWith(expected.replace(/\*+$/, ""))
        : value === expected);
    if (negated) {
      if (value === undefined || hit) return false;
    } else {
      anyPositive = true;
      if (hit) positiveHit = true;
    }
  }
  return !anyPositive || positiveHit;
}

function specMatches(spec: ResourceSpecification, labels: Labels): boolean {
  for (const [label, value] of Object.entries(spec)) {
    const values = Array.isArray(value) ? value : [value];
    if (!labelMatches(labels[label], values)) return false;
  }
  return true;
}

/** Whether a label specification constrains anything (an empty one is ignored, as in Prefect). */
function hasLabels(spec: ResourceSpecification | null | undefined): spec is ResourceSpecification {
  return spec != null && Object.keys(spec).length > 0;
}

function relatedMatches(r: EventRelatedFilter, related: readonly Labels[]): boolean {
  const constrained = Boolean(
    r.id?.length || r.role?.length || r.resources_in_roles?.length || hasLabels(r.labels),
  );
  if (!constrained) return true;
  return related.some((res) => {
    const id = res[RESOURCE_ID] ?? "";
    const role = res[RESOURCE_ROLE] ?? "";
    if (r.id?.length && !r.id.includes(id)) return false;
    if (r.role?.length && !r.role.includes(role)) return false;
    if (
      r.resources_in_roles?.length &&
      !r.resources_in_roles.some(([i, ro]) => i === id && ro === role)
    )
      return false;
    return !hasLabels(r.labels) || specMatches(r.labels, res);
  });
}

function anyResourceMatches(a: EventAnyResourceFilter, resources: readonly Labels[]): boolean {
  if (!a.id?.length && !a.id_prefix?.length && !hasLabels(a.labels)) return true;
  return resources.some((res) => {
    const id = res[RESOURCE_ID] ?? "";
    if (a.id?.length && !a.id.includes(id)) return false;
    if (a.id_prefix?.length && !a.id_prefix.some((p) => id.startsWith(p))) return false;
    return !hasLabels(a.labels) || specMatches(a.labels, res);
  });
}

function textMatches(query: string, e: ReceivedEvent): boolean {
  if (!query.trim()) return true;
  const text = [
    e.event,
    JSON.stringify(e.resource),
    JSON.stringify(e.related),
    JSON.stringify(e.payload),
  ]
    .join(" ")
    .toLowerCase();
  const { include, exclude, required } = parseTextQuery(query);
  const has = (t: string) => text.includes(t.toLowerCase());
  if (include.length > 0 && !include.some(has)) return false;
  if (exclude.some(has)) return false;
  return required.every(has);
}

export function eventMatches(f: EventFilter, e: ReceivedEvent): boolean {
  const at = isoToMicros(e.occurred);
  if (at < isoToMicros(f.occurred.since) || at > isoToMicros(f.occurred.until)) return false;
  const name = f.event;
  if (name?.prefix?.length && !name.prefix.some((p) => e.event.startsWith(p))) return false;
  if (name?.exclude_prefix?.some((p) => e.event.startsWith(p))) return false;
  if (name?.name?.length && !name.name.includes(e.event)) return false;
  if (name?.exclude_name?.includes(e.event)) return false;
  const resourceId = e.resource[RESOURCE_ID] ?? "";
  const res = f.resource;
  if (res?.id?.length && !res.id.includes(resourceId)) return false;
  if (res?.id_prefix?.length && !res.id_prefix.some((p) => resourceId.startsWith(p))) return false;
  if (res?.labels) {
    const { [RESOURCE_ROLE]: _role, ...spec } = res.labels;
    if (!specMatches(spec, e.resource)) return false;
  }
  for (const r of f.related) {
    const candidates = r.role?.length
      ? [{ ...e.resource, [RESOURCE_ROLE]: "" }, ...e.related]
      : e.related;
    if (!relatedMatches(r, candidates)) return false;
  }
  const all = [{ ...e.resource, [RESOURCE_ROLE]: "" }, ...e.related];
  for (const a of f.any_resource) if (!anyResourceMatches(a, all)) return false;
  if (f.id && f.id.length > 0 && !f.id.includes(e.id.toLowerCase())) return false;
  if (f.text !== null && !textMatches(f.text, e)) return false;
  return true;
}

/**
 * Prefect's events as the domain sees them: what a client or the server emits (`Event`) and what
 * the event store keeps and answers (`ReceivedEvent`). A resource is a set of string labels, among
 * them `prefect.resource.id` (and, for a related resource, `prefect.resource.role`).
 */

/** A resource's labels: `prefect.resource.id` and more. */
export type EventLabels = Record<string, string>;

/** An event as emitted (Prefect's `Event`). */
export interface Event {
  occurred: string;
  event: string;
  resource: EventLabels;
  related: EventLabels[];
  payload: Record<string, unknown>;
  id: string;
  follows?: string | null;
}

/** An event as the server keeps and answers it (Prefect's `ReceivedEvent`). */
export interface ReceivedEvent extends Event {
  follows: string | null;
  received: string;
}

export const RESOURCE_ID = "prefect.resource.id";
export const RESOURCE_ROLE = "prefect.resource.role";

/** An event as received at `received` (`follows` made explicit). */
export function receivedEvent(event: Event, received: string): ReceivedEvent {
  return {
    occurred: event.occurred,
    event: event.event,
    resource: event.resource,
    related: event.related,
    payload: event.payload,
    id: event.id,
    follows: event.follows ?? null,
    received,
  };
}

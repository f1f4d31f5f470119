/**
 * A consumer of the event bus wired before its module is loaded: the recorders read events with
 * the server's schemas (zod), which a process that records nothing (a CLI command on the embedded
 * client) should not load. What it accepts, its name and its batches are known without the module
 * (its `ConsumerTerms`); the module is loaded at once (`preload`, the server: from then on each
 * event is read as it arrives, as the consumer itself would) or when the first accepted event
 * arrives, and an event that arrived before it is read when its batch is written.
 */
import type { Event } from "../core/events.ts";
import type { EventConsumer } from "../resources/events/pipeline.ts";

/** What is known of a consumer without its module. */
export interface ConsumerTerms {
  readonly name: string;
  accepts(event: Event): boolean;
  readonly maxBatch?: number;
  readonly first?: boolean;
}

/** An event kept as it arrived, read when it is written (its consumer was still loading). */
export class Arrived {
  readonly event: Event;
  readonly received: string;
  constructor(event: Event, received: string) {
    this.event = event;
    this.received = received;
  }
}

export function deferredConsumer<T>(
  terms: ConsumerTerms,
  load: () => Promise<EventConsumer<T>>,
  options: { preload: boolean },
): EventConsumer<T | Arrived> {
  let loaded: EventConsumer<T> | null = null;
  let loading: Promise<EventConsumer<T>> | null = null;
  const consumer = (): Promise<EventConsumer<T>> => {
    loading ??= load().then((c) => {
      loaded = c;
      return c;
    });
    return loading;
  };
  // a failed load is reported by the write that needs it
  if (options.preload) consumer().catch(() => undefined);
  return {
    name: terms.name,
    accepts: (event) => terms.accepts(event),
    read(event, received) {
      if (loaded) return loaded.read(event, received);
      consumer().catch(() => undefined);
      return new Arrived(event, received);
    },
    async write(items) {
      const c = await consumer();
      return c.write(items.map((i) => (i instanceof Arrived ? c.read(i.event, i.received) : i)));
    },
    maxBatch: terms.maxBatch,
    first: terms.first,
    describe(item) {
      if (item instanceof Arrived) return { eventId: item.event.id };
      return loaded?.describe?.(item) ?? {};
    },
  };
}

/**
 * The event bus of one process (`EventBus`): every event received or emitted goes at once to the
 * live subscribers of `/events/out` whose filter it matches, then, buffered, to each registered
 * consumer in its own write lane (the task-run recorder is one: each event it takes is read as it
 * is received, so that reading the next ones overlaps the write of the last) and — unless it was
 * stored already, in the transaction that emitted it — into the event store. Consumers that go
 * first (the task-run recorder: task runs are what clients wait to see) hold the event store back:
 * it writes its next batch when they have nothing queued and their events have paused, and a slow
 * or failing event-store write never holds them up.
 * A lane writes every `flushIntervalMs`, or at once when `maxBatch` events wait — 200 events per
 * write (the recorder on PostgreSQL 6000) — with the event loop free in between; a failed batch
 * is retried with the next flush, up to `maxAttempts`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { EventFilter } from "../../core/event-filter.ts";
import { type Event, type ReceivedEvent, receivedEvent } from "../../core/events.ts";
import { type Clock, systemClock } from "../../core/time.ts";
import type { AppLogger, EventBus } from "../../services/context.ts";
import type { Database } from "../../storage/database.ts";
import { eventMatches } from "./matcher.ts";
import { eventDocument } from "./pg-insert.ts";
import { insertEvents, type StorableEvent } from "./queries.ts";
import type { IncomingEvent } from "./schema.ts";
import { WriteLane } from "./write-lane.ts";

export interface EventPipelineOptions {
  /** Flush this long after the first buffered event (ms). Default 50. */
  flushIntervalMs?: number;
  /** Flush as soon as this many events are buffered. Default 500. */
  maxBatch?: number;
  /** Attempts per event before it is dropped when writing fails. Default 3. */
  maxAttempts?: number;
  log?: AppLogger;
  /** When events are received (`received`): the app clock. */
  clock?: Clock;
  /**
   * Decode what `receiveLater` takes, and write the event store, only while nothing has been
   * received for a moment (the embedded client: its task-run events are built and stored off the
   * path of the flows that report them, in the same thread). `flush()` writes everything at once.
   */
  whenQuiet?: boolean;
}

/**
 * A consumer of the event bus (Prefect's messaging consumers: the task-run recorder, and later the
 * triggers of automations): the events it `accepts`, read as they arrive, written in batches.
 */
export interface EventConsumer<T> {
  /** What its writes do, for logs ("recording task-run events"). */
  readonly name: string;
  accepts(event: Event): boolean;
  /** What is kept of an accepted event until it is written (`received`: when it arrived). */
  read(event: Event, received: string): T;
  write(items: T[]): Promise<unknown>;
  /** Items per write (default: the pipeline's). */
  readonly maxBatch?: number;
  /** The event store waits for this consumer to be idle, and its events to pause, before writing. */
  readonly first?: boolean;
  /** What names an item in the log when it cannot be written. */
  describe?(item: T): object;
}

interface ConsumerLane {
  readonly consumer: EventConsumer<unknown>;
  readonly lane: WriteLane<unknown>;
}

/** An event decoded from what it arrived in, with that JSON text (or its bytes) when there is one. */
export interface DecodedEvent {
  event: IncomingEvent;
  source?: string | Buffer;
}

/** What a decoded slot of the waiting frames holds (lets the frame be collected). */
const noDecode = (): undefined => undefined;

/** Decoding of `receiveLater` events per turn of the event loop (ms). */
const DECODE_SLICE_MS = 2;

interface Subscriber {
  filter: EventFilter;
  send: (event: ReceivedEvent) => void;
}

/**
 * Events per write of the event store: small enough that preparing one write keeps the event loop
 * only a few milliseconds from the API requests waiting on it.
 */
const LANE_BATCH = 200;

/**
 * On PostgreSQL the event store writes once task-run events have stopped arriving for this long
 * (ms), so that while a flow streams its task runs in, the database's time goes to recording them…
 */
const STORE_QUIET_MS = 100;
/** …or, from this many events waiting, whenever the recorder has nothing queued… */
const STORE_BACKLOG = 20_000;
/** …and from this many, at once: a steady stream cannot hold events back without bound. */
const STORE_BACKLOG_LIMIT = 50_000;
/** In `whenQuiet` mode, the longest events wait for a quiet moment before they are written anyway. */
const QUIET_WAIT_LIMIT_MS = 5000;

export class EventPipeline implements EventBus {
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #log: AppLogger | undefined;
  readonly #subscribers = new Set<Subscriber>();
  /** The registered consumers, each with its lane. */
  readonly #consumers: ConsumerLane[] = [];
  readonly #laneOptions: { maxBatch: number; maxAttempts: number; retryAfterMs: number };
  readonly #store: WriteLane<StorableEvent>;
  #timer: NodeJS.Timeout | null = null;
  /** Events taken in by `receiveLater`, not decoded yet, and the turn that will. */
  #undecoded: (() => DecodedEvent | undefined)[] = [];
  /** Index of the first of `#undecoded` not decoded yet. */
  #undecodedHead = 0;
  #decoding: NodeJS.Immediate | null = null;
  #decodedWaiter: { promise: Promise<void>; resolve: () => void } | null = null;
  /**
   * Whether decoding waits for a later turn and the event store for task-run events to pause,
   * so that the database's time goes to task runs first (PostgreSQL).
   */
  readonly #holdBack: boolean;
  /** Whether `receiveLater` decodes on a later turn of the event loop. */
  readonly #deferDecoding: boolean;
  /** Whether decoding and the event store wait for a quiet moment (see `whenQuiet`). */
  readonly #whenQuiet: boolean;
  /** When the last event was received or taken in (`performance.now()`). */
  #lastReceivedAt = Number.NEGATIVE_INFINITY;
  /** The store's turn under way in `whenQuiet` mode, waiting for a quiet moment. */
  #quietTurn: Promise<void> | null = null;
  /** Events that could not even be taken in (each logged). */
  #dropped = 0;
  readonly #clock: Clock;
  /** Whether events wait for the event store as JSON text (PostgreSQL: see `EventDocument`). */
  readonly #storeDocuments: boolean;
  /** When the last event for a consumer that goes first arrived (`performance.now()`). */
  #lastFirstEventAt = Number.NEGATIVE_INFINITY;
  /** Explicit flushes under way: the store then writes without waiting for a quiet moment. */
  #flushing = 0;

  constructor(database: Database, options: EventPipelineOptions = {}) {
    this.#flushIntervalMs = options.flushIntervalMs ?? 50;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#laneOptions = {
      maxBatch: Math.min(this.#maxBatch, LANE_BATCH),
      maxAttempts: options.maxAttempts ?? 3,
      retryAfterMs: Math.max(this.#flushIntervalMs, 200),
    };
    this.#store = new WriteLane<StorableEvent>(
      "writing events",
      (events) => insertEvents(database, events),
      {
        ...this.#laneOptions,
        beforeBatch: () => this.#storeTurn(),
        describe: (event) => ({ eventId: event.id, event: event.event }),
      },
      this.#log,
    );
    // with SQLite every write runs in this thread: there, events are decoded as they arrive and
    // the event store writes whenever the consumers are idle, since putting work off only moves it
    this.#holdBack = !database.native;
    this.#whenQuiet = options.whenQuiet ?? false;
    this.#deferDecoding = this.#whenQuiet || !database.native;
    this.#storeDocuments = !database.native;
  }

  /** Hand the events accepted by `consumer` to it from now on, in its own write lane. */
  addConsumer<T>(consumer: EventConsumer<T>): void {
    const lane = new WriteLane<T>(
      consumer.name,
      (items) => consumer.write(items),
      {
        ...this.#laneOptions,
        maxBatch: consumer.maxBatch ?? this.#laneOptions.maxBatch,
        describe: consumer.describe ? (item) => consumer.describe?.(item) ?? {} : undefined,
      },
      this.#log,
    );
    this.#consumers.push({
      consumer: consumer as EventConsumer<unknown>,
      lane: lane as WriteLane<unknown>,
    });
  }

  /** Resolves once every consumer that goes first has written what it holds. */
  async #firstConsumersIdle(): Promise<void> {
    for (const { consumer, lane } of this.#consumers) if (consumer.first) await lane.idle();
  }

  /**
   * Task runs are what clients wait to see: the event store writes its next batch when nothing
   * waits to be decoded or recorded and (on PostgreSQL) task-run events have stopped coming in —
   * or without waiting for that during an explicit flush, or once its own backlog has grown large.
   */
  async #storeTurn(): Promise<void> {
    if (this.#whenQuiet) {
      await this.#quietMoment();
      await this.#decodeAll();
      return;
    }
    for (;;) {
      if (this.#store.size >= STORE_BACKLOG_LIMIT) return;
      await this.#whenDecoded();
      await this.#firstConsumersIdle();
      if (this.#undecodedCount > 0) continue;
      if (!this.#holdBack || this.#flushing > 0 || this.#store.size >= STORE_BACKLOG) return;
      const wait = this.#lastFirstEventAt + STORE_QUIET_MS - performance.now();
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  /**
   * Resolves once nothing has been received for `STORE_QUIET_MS` — or at once in a flush, when
   * `STORE_BACKLOG` events wait, or when the oldest has waited `QUIET_WAIT_LIMIT_MS` (a flow that
   * never pauses does not hold its events in memory for its whole run).
   */
  async #quietMoment(): Promise<void> {
    const since = performance.now();
    for (;;) {
      if (this.#flushing > 0 || this.#store.size + this.#undecodedCount >= STORE_BACKLOG) return;
      if (performance.now() - since >= QUIET_WAIT_LIMIT_MS) return;
      const wait = this.#lastReceivedAt + STORE_QUIET_MS - performance.now();
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  /** Decode what `receiveLater` took in, a slice per turn of the event loop. */
  #decodeAll(): Promise<void> {
    if (this.#undecodedCount === 0) return Promise.resolve();
    this.#decoding ??= setImmediate(() => this.#decode(DECODE_SLICE_MS));
    return this.#whenDecoded();
  }

  /** Events waiting to be written to the event store. */
  get size(): number {
    return this.#store.size;
  }

  /** Items the event store and the consumers dropped after failing to write them (each logged). */
  get dropped(): number {
    return this.#consumers.reduce(
      (n, { lane }) => n + lane.dropped,
      this.#store.dropped + this.#dropped,
    );
  }

  /** Live events matching `filter` go to `send` until the returned function is called. */
  subscribe(filter: EventFilter, send: (event: ReceivedEvent) => void): () => void {
    const subscriber = { filter, send };
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /**
   * Take events in: publish them at once and queue them for the consumers and the event store.
   * `sources`, when given, holds the JSON text each event arrived in (or its UTF-8 bytes).
   */
  receive(events: readonly Event[], sources?: readonly (string | Buffer | undefined)[]): void {
    if (events.length === 0) return;
    this.#lastReceivedAt = performance.now();
    this.#take(events, sources);
  }

  /** Publish, consume and queue for the store events received (or decoded) now. */
  #take(events: readonly Event[], sources?: readonly (string | Buffer | undefined)[]): void {
    if (events.length === 0) return;
    const received = this.#clock.nowIso();
    for (const [i, incoming] of events.entries()) {
      try {
        const event = receivedEvent(incoming, received);
        this.#publish(event);
        this.#consume(incoming, received);
        this.#store.push(this.#storeDocuments ? eventDocument(event, sources?.[i]) : event);
      } catch (error) {
        this.#dropped++;
        this.#log?.error(
          { err: error, eventId: incoming.id },
          "taking an event in failed: dropped",
        );
      }
    }
    this.flushSoon(this.#store.size >= this.#maxBatch ? 0 : this.#flushIntervalMs);
  }

  /**
   * Events already stored, by the transaction that emitted them and that has committed (the
   * outbox): published and handed to the consumers, not stored again.
   */
  publishStored(events: readonly ReceivedEvent[]): void {
    if (events.length === 0) return;
    let consumed = false;
    for (const event of events) {
      // the change is committed: what follows must not report it as failed
      try {
        this.#publish(event);
        consumed = this.#consume(event, event.received) || consumed;
      } catch (error) {
        this.#log?.error({ err: error, eventId: event.id }, "publishing an event failed");
      }
    }
    if (consumed) this.flushSoon(this.#flushIntervalMs);
  }

  /** Queue the event for every consumer that accepts it; whether one did. */
  #consume(event: Event, received: string): boolean {
    let taken = false;
    for (const { consumer, lane } of this.#consumers) {
      if (!consumer.accepts(event)) continue;
      lane.push(consumer.read(event, received));
      taken = true;
      if (consumer.first) this.#lastFirstEventAt = performance.now();
    }
    return taken;
  }

  #publish(event: ReceivedEvent): void {
    if (this.#subscribers.size === 0) return;
    for (const s of this.#subscribers) {
      if (!eventMatches(s.filter, event)) continue;
      try {
        s.send(event);
      } catch (error) {
        this.#log?.warn({ err: error }, "sending a live event failed");
      }
    }
  }

  /**
   * Take in an event whose decoding can wait: on PostgreSQL `decode` runs on a later turn of the
   * event loop, in slices of a few milliseconds, so that reading a fast stream of frames neither
   * holds up API requests nor keeps the sender waiting on its socket. Arrival order is kept;
   * `decode` returns nothing for a frame that is not an event.
   */
  receiveLater(decode: () => DecodedEvent | undefined): void {
    if (!this.#deferDecoding) {
      const decoded = decode();
      if (decoded) this.receive([decoded.event], [decoded.source]);
      return;
    }
    this.#undecoded.push(decode);
    if (this.#whenQuiet) {
      // decoded by the event store's turn, once nothing has been received for a moment
      this.#lastReceivedAt = performance.now();
      this.flushSoon(this.#flushIntervalMs);
      return;
    }
    this.#decoding ??= setImmediate(() => this.#decode(DECODE_SLICE_MS));
  }

  /** Resolves once nothing taken in by `receiveLater` waits to be decoded. */
  #whenDecoded(): Promise<void> {
    if (this.#undecodedCount === 0) return Promise.resolve();
    if (!this.#decodedWaiter) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#decodedWaiter = { promise, resolve };
    }
    return this.#decodedWaiter.promise;
  }

  /** Decode waiting frames for up to `budgetMs`, then carry on in the next turn. */
  #decode(budgetMs: number): void {
    if (this.#decoding !== null) clearImmediate(this.#decoding);
    this.#decoding = null;
    const deadline = performance.now() + budgetMs;
    const events: Event[] = [];
    const sources: (string | Buffer | undefined)[] = [];
    const waiting = this.#undecoded;
    let done = 0;
    while (this.#undecodedHead < waiting.length) {
      if (done % 32 === 31 && performance.now() > deadline) break;
      const decode = waiting[this.#undecodedHead] as () => DecodedEvent | undefined;
      waiting[this.#undecodedHead++] = noDecode;
      done++;
      let decoded: DecodedEvent | undefined;
      try {
        decoded = decode();
      } catch (error) {
        this.#log?.warn({ err: error }, "decoding an event failed: dropped");
      }
      if (decoded) {
        events.push(decoded.event);
        sources.push(decoded.source);
      }
    }
    if (this.#undecodedHead >= waiting.length) {
      this.#undecoded = [];
      this.#undecodedHead = 0;
    } else if (this.#undecodedHead > 4096) {
      this.#undecoded = waiting.slice(this.#undecodedHead);
      this.#undecodedHead = 0;
    }
    this.#take(events, sources);
    if (this.#undecodedCount === 0 && this.#decodedWaiter) {
      this.#decodedWaiter.resolve();
      this.#decodedWaiter = null;
    }
    if (this.#undecodedCount > 0) {
      this.#decoding = setImmediate(() => this.#decode(DECODE_SLICE_MS));
    }
  }

  get #undecodedCount(): number {
    return this.#undecoded.length - this.#undecodedHead;
  }

  /**
   * Have the lanes write what they hold in `delayMs`, unless that is already due sooner. Unlike
   * `flush`, this neither decodes what waits to be decoded (that goes on a slice at a time) nor
   * lets the event store skip its turn.
   */
  flushSoon(delayMs: number = 0): void {
    if (this.#timer && delayMs > 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      for (const { lane } of this.#consumers) void lane.flush();
      if (this.#whenQuiet && this.#store.size === 0 && this.#undecodedCount > 0) {
        // one turn waits for the quiet moment, however many timers fire meanwhile
        this.#quietTurn ??= this.#storeTurn()
          .then(() => this.#store.flush())
          .finally(() => {
            this.#quietTurn = null;
            // events taken in while the turn ended its last write get a turn of their own
            if (this.#undecodedCount > 0) this.flushSoon(this.#flushIntervalMs);
          });
      } else void this.#store.flush();
    }, delayMs);
    this.#timer.unref();
  }

  /** Decode what waits, and have the consumers write what they hold (not the event store). */
  async settle(): Promise<void> {
    if (this.#consumers.length === 0) return;
    // decoded a slice per turn of the event loop, as ever: a read does not stall the others
    await this.#decodeAll();
    await Promise.all(this.#consumers.map(({ lane }) => lane.idle()));
  }

  /**
   * Resolves once every event received so far is recorded by the consumers — task runs written,
   * or dropped and logged — waiting through retries of a database that is away: what the server
   * confirms to a client (the pong to its ping on `/events/in`, the answer to `POST /events`).
   * The event store's copy of the events is written after, and not waited for.
   */
  async recorded(): Promise<void> {
    await this.#decodeAll();
    await Promise.all(this.#consumers.map(({ lane }) => lane.written()));
  }

  /**
   * Write what was received so far, decoding what waits first; the event store writes without
   * waiting for its turn. Resolves once it (and earlier flushes) are written, or wait for a retry
   * after a failure (`close()` makes the last attempt).
   */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#undecodedCount > 0) this.#decode(Number.POSITIVE_INFINITY);
    this.#flushing++;
    try {
      await Promise.all([
        ...this.#consumers.map(({ lane }) => lane.flush(true)),
        this.#store.flush(true),
      ]);
    } finally {
      this.#flushing--;
    }
  }

  /**
   * Write everything one last time and stop: what still cannot be written is dropped (each item
   * logged, and counted in `dropped`); no timer is left behind.
   */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.#consumers.map(({ lane }) => lane.close()), this.#store.close()]);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

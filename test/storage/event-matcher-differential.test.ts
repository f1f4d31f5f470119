/**
 * The two implementations of Prefect's `EventFilter` grammar, against each other: the in-memory
 * `eventMatches` (which live events `/events/out` sends to a subscriber) and the SQL of the event
 * store (`readEvents`). A seeded generator makes a few hundred events — shared name and id
 * prefixes, resources and related resources in several roles, labels present, missing or empty,
 * times in several notations with ties — and a few hundred filters over every criterion; for each
 * filter the store must return exactly the stored events the matcher accepts, in the filter's
 * order (`resource.distinct`: the first event of each resource). Filters go through the zod schema
 * and `resolveEventFilter`, as the routes do. Set `EVENT_MATCHER_SEED` to try another seed.
 *
 * What it found is kept below as a case each: one was the matcher's (fixed), the others are the
 * SQL's (three found this way, in the SQL, now each has a test of its own).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type EventFilter, resolveEventFilter } from "../../src/core/event-filter.ts";
import { type ReceivedEvent, receivedEvent } from "../../src/core/events.ts";
import { addSeconds, isoToMicros } from "../../src/core/time.ts";
import { EventFilterSchema } from "../../src/resources/events/filter-schema.ts";
import { eventMatches } from "../../src/resources/events/matcher.ts";
import { insertEvents, readEvents } from "../../src/resources/events/queries.ts";
import { UnsizedEventSchema } from "../../src/resources/events/schema.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const SEED = Number(process.env.EVENT_MATCHER_SEED ?? 0x5eed_2026) >>> 0;
const EVENT_COUNT = 300;
const FILTER_COUNT = 400;
/** The time the filters are resolved at: their default `until`, and `since` 180 days before. */
const NOW = "2026-03-04T00:00:00.000000Z";
const WINDOW_START = Date.parse("2026-03-01T00:00:00Z");
const WINDOW_MS = 48 * 3600_000;
/** Outside the default window: before `NOW` − 180 days, and after `NOW`. */
const LONG_AGO = Date.parse("2025-07-01T12:00:00Z");
const LATER = Date.parse("2026-03-10T12:00:00Z");

const ID = "prefect.resource.id";
const ROLE = "prefect.resource.role";

// ---------------------------------------------------------------------------------------------
// A seeded generator (mulberry32)
// ---------------------------------------------------------------------------------------------

class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** `min`..`max` picks (repeats allowed). */
  some<T>(items: readonly T[], min: number, max: number): T[] {
    return Array.from({ length: min + this.int(max - min + 1) }, () => this.pick(items));
  }

  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16));
    hex[12] = "4";
    hex[16] = "89ab"[this.int(4)] as string;
    const s = hex.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

/** A prefix of `value` cut between code points (never inside a surrogate pair). */
function prefixOf(rng: Random, value: string): string {
  const points = Array.from(value);
  return points.slice(0, rng.int(points.length + 1)).join("");
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const EVENT_NAMES = [
  "prefect.flow-run.Completed",
  "prefect.flow-run.Running",
  "prefect.flow-run.Failed",
  "prefect.flow-run.Completed.late",
  "prefect.task-run.Running",
  "prefect.task-run.Completed",
  "prefect.task-run.Pending",
  "prefect.deployment.triggered",
  "acme.thing.done",
  "acme.thing.done-ish",
  "acme.things.done",
  "Acme.Thing.Done",
  "acme.100%_done",
  "acme.100x.done",
  "acme.🚀.launched",
];

const PRIMARY_IDS = [
  "prefect.flow-run.1",
  "prefect.flow-run.10",
  "prefect.flow-run.100",
  "prefect.flow-run.2",
  "prefect.task-run.1",
  "prefect.task-run.1a",
  "prefect.task-run.20",
  "prefect.deployment.d1",
  "acme.thing.a",
  "acme.thing.ab",
  "acme.thing.b",
  "Acme.Thing.A",
  "acme.%_.x",
  "acme.🚀.1",
];

/** Related resource ids by role; some ids play several roles, some are also primary. */
const RELATED_BY_ROLE: Record<string, string[]> = {
  flow: ["prefect.flow.etl", "prefect.flow.etl-daily", "prefect.flow.report"],
  "flow-run": ["prefect.flow-run.1", "prefect.flow-run.10", "prefect.flow-run.2"],
  tag: [
    "prefect.tag.prod",
    "prefect.tag.prod-eu",
    "prefect.tag.production",
    "prefect.tag.dev",
    "prefect.tag.Über",
  ],
  deployment: ["prefect.deployment.d1", "prefect.deployment.d10"],
  "work-queue": ["prefect.work-queue.default"],
  owner: ["acme.team.core", "acme.team.core-infra", "acme.🚀.crew", "prefect.flow.etl"],
};
const ROLES = Object.keys(RELATED_BY_ROLE);

/** Labels other than id and role, with the values they take and how often a resource has them. */
const LABELS: { key: string; values: string[]; p: number }[] = [
  {
    key: "prefect.resource.name",
    values: [
      "alpha",
      "alpha-beta",
      "alphabet",
      "Alpha",
      "beta",
      "",
      "100%_done",
      'q"uote',
      "über",
      "🚀 rocket",
    ],
    p: 0.7,
  },
  { key: "prefect.state-type", values: ["COMPLETED", "RUNNING", "FAILED", "PENDING"], p: 0.4 },
  { key: "acme.env", values: ["prod", "prod-eu", "production", "dev", "!prod"], p: 0.4 },
  { key: "acme.star", values: ["a*", "a*b", "*", "ab"], p: 0.15 },
  { key: 'acme.q"key', values: ["v", "v2"], p: 0.1 },
  { key: "acme.back\\slash", values: ["w", "w2"], p: 0.1 },
  { key: "acme.dotted.key", values: ["x.y", "x"], p: 0.1 },
  { key: "ünï.kéy", values: ["ö", "öö"], p: 0.1 },
];

const MESSAGES = [
  "Flow run completed",
  "connection timeout after 30s",
  "Timeout!",
  "retry_after=5",
  "100% done",
  "Über alles",
  "error: disk full",
  "path C:\\temp",
  "ok",
];

function labelsFor(rng: Random): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const { key, values, p } of LABELS) if (rng.chance(p)) labels[key] = rng.pick(values);
  return labels;
}

/** ISO text of an instant (`ms` plus `micros` µs) in one of the notations clients send. */
function timeText(rng: Random, ms: number, micros: number): string {
  const base = new Date(ms).toISOString().slice(0, 23); // YYYY-MM-DDTHH:MM:SS.mmm
  const us = String(micros).padStart(3, "0");
  const notation = rng.int(20);
  if (notation === 0) return `${base.slice(0, 19)}Z`; // whole seconds (micros dropped)
  if (notation === 1) return `${base}Z`; // milliseconds
  if (notation === 2) return `${base}${us}789Z`; // nanoseconds: truncated to micros
  if (notation <= 4) {
    const offset = rng.pick([120, -300, 330]);
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
    const sign = offset < 0 ? "-" : "+";
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
    const mm = String(Math.abs(offset) % 60).padStart(2, "0");
    return `${local}${us}${sign}${hh}:${mm}`;
  }
  return `${base}${us}Z`;
}

function randomInstant(rng: Random): string {
  const where = rng.int(40);
  const start = where === 0 ? LONG_AGO : where === 1 ? LATER : WINDOW_START;
  return timeText(rng, start + rng.int(WINDOW_MS), rng.int(1000));
}

function generateEvents(rng: Random, count: number): ReceivedEvent[] {
  const events: ReceivedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const resource: Record<string, string> = { [ID]: rng.pick(PRIMARY_IDS), ...labelsFor(rng) };
    // a primary resource may carry a role label: filters read its role as ''
    if (rng.chance(0.05)) resource[ROLE] = rng.pick(ROLES);
    const related = rng.some(ROLES, 0, 4).map((role) => ({
      [ID]: rng.pick(RELATED_BY_ROLE[role] as string[]),
      [ROLE]: role,
      ...labelsFor(rng),
    }));
    const previous = events.length > 0 && rng.chance(0.1) ? rng.pick(events) : undefined;
    // ties: the same instant as an earlier event, in the same or another notation
    const occurred = previous
      ? rng.chance(0.5)
        ? previous.occurred
        : addSeconds(previous.occurred, 0)
      : randomInstant(rng);
    const payload = rng.chance(0.15)
      ? {}
      : { message: rng.pick(MESSAGES), attempt: rng.int(5), nested: { note: rng.pick(MESSAGES) } };
    const id = rng.uuid();
    const event = UnsizedEventSchema.parse({
      occurred,
      event: rng.pick(EVENT_NAMES),
      resource,
      related,
      payload,
      id: rng.chance(0.1) ? id.toUpperCase() : id,
      follows: null,
    });
    events.push(receivedEvent(event, addSeconds(NOW, -1)));
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** What the filters draw their values from: what the events hold, and near misses. */
interface Pools {
  events: ReceivedEvent[];
  resourceIds: string[];
  pairs: [string, string][];
  labelValues: Map<string, string[]>;
}

function poolsOf(events: ReceivedEvent[]): Pools {
  const resourceIds = new Set<string>();
  const pairs = new Map<string, [string, string]>();
  const labelValues = new Map<string, Set<string>>();
  for (const e of events) {
    for (const [i, labels] of [e.resource, ...e.related].entries()) {
      const id = labels[ID] ?? "";
      const role = i === 0 ? "" : (labels[ROLE] ?? "");
      resourceIds.add(id);
      pairs.set(`${id} ${role}`, [id, role]);
      for (const [key, value] of Object.entries(labels)) {
        if (!labelValues.has(key)) labelValues.set(key, new Set());
        labelValues.get(key)?.add(value);
      }
    }
  }
  return {
    events,
    resourceIds: [...resourceIds].sort(),
    pairs: [...pairs.values()],
    labelValues: new Map([...labelValues].map(([k, v]) => [k, [...v].sort()])),
  };
}

const LABEL_KEYS = [
  ID,
  ID,
  ROLE,
  ROLE,
  ...LABELS.map((l) => l.key),
  "prefect.resource.name",
  "acme.env",
  "missing.label",
];

/** One value of a label specification: exact, `prefix*`, `!negated`, or a miss. */
function labelValue(rng: Random, pools: Pools, key: string): string {
  const known = pools.labelValues.get(key) ?? [];
  const values = key === ROLE ? [...ROLES, ""] : known.length > 0 ? known : ["zzz"];
  const value = rng.pick(values);
  const form = rng.int(100);
  if (form < 35) return value;
  if (form < 60) return `${prefixOf(rng, value)}*`;
  if (form < 75) return `!${value}`;
  if (form < 85) return `!${prefixOf(rng, value)}*`;
  if (form < 88) return "*";
  if (form < 90) return "!*";
  if (form < 95) return "zzz";
  return "!zzz";
}

function labelSpec(rng: Random, pools: Pools): Json {
  if (rng.chance(0.05)) return {};
  const spec: Json = {};
  for (const key of rng.some(LABEL_KEYS, 1, 3)) {
    spec[key] = rng.chance(0.5)
      ? labelValue(rng, pools, key)
      : Array.from({ length: rng.chance(0.08) ? 0 : 1 + rng.int(3) }, () =>
          labelValue(rng, pools, key),
        );
  }
  return spec;
}

/** A list of 0–3 strings; sometimes `null` (the same as leaving it out). */
function list(rng: Random, draw: () => string): string[] | null {
  if (rng.chance(0.05)) return null;
  return Array.from({ length: rng.chance(0.08) ? 0 : 1 + rng.int(3) }, draw);
}

function resourceId(rng: Random, pools: Pools): string {
  return rng.chance(0.1)
    ? rng.pick(["prefect.flow-run.", "nope", "PREFECT.FLOW-RUN.1", ""])
    : rng.pick(pools.resourceIds);
}

function idPrefix(rng: Random, pools: Pools): string {
  return rng.chance(0.2)
    ? rng.pick(["", "prefect.", "prefect.flow-run.1", "acme.🚀", "acme.%", "Acme.", "nope."])
    : prefixOf(rng, rng.pick(pools.resourceIds));
}

/** A time bound: an event's own `occurred` text, a microsecond off it, or any instant. */
function bound(rng: Random, pools: Pools): string {
  const form = rng.int(10);
  if (form < 4) return rng.pick(pools.events).occurred;
  if (form < 6) return addSeconds(rng.pick(pools.events).occurred, rng.pick([-1e-6, 1e-6]));
  return randomInstant(rng);
}

function occurredFilter(rng: Random, pools: Pools): Json {
  const f: Json = {};
  if (rng.chance(0.75)) f.since = bound(rng, pools);
  if (rng.chance(0.75)) f.until = bound(rng, pools);
  return f;
}

function nameFilter(rng: Random, pools: Pools): Json {
  const prefix = () =>
    rng.chance(0.2)
      ? rng.pick(["", "prefect.", "acme.🚀", "acme.100%", "acme.100_", "ACME.", "nope."])
      : prefixOf(rng, rng.pick(EVENT_NAMES));
  const name = () =>
    rng.chance(0.15)
      ? rng.pick(["acme.thing", "prefect.flow-run.completed", ""])
      : rng.pick(pools.events).event;
  const f: Json = {};
  if (rng.chance(0.45)) f.prefix = list(rng, prefix);
  if (rng.chance(0.35)) f.exclude_prefix = list(rng, prefix);
  if (rng.chance(0.35)) f.name = list(rng, name);
  if (rng.chance(0.3)) f.exclude_name = list(rng, name);
  return f;
}

function resourceFilter(rng: Random, pools: Pools): Json {
  const f: Json = {};
  if (rng.chance(0.35)) f.id = list(rng, () => resourceId(rng, pools));
  if (rng.chance(0.35)) f.id_prefix = list(rng, () => idPrefix(rng, pools));
  if (rng.chance(0.6)) f.labels = labelSpec(rng, pools);
  if (rng.chance(0.2)) f.distinct = rng.chance(0.8);
  return f;
}

/** A filter of resources that names nothing (and so filters nothing), however it is spelled. */
function unconstrained(rng: Random): Json {
  return rng.pick([{}, { labels: {} }, { id: [], labels: {} }, { id: null, labels: null }]);
}

function relatedFilter(rng: Random, pools: Pools): Json {
  if (rng.chance(0.1)) return unconstrained(rng);
  const f: Json = {};
  if (rng.chance(0.35)) f.id = list(rng, () => resourceId(rng, pools));
  if (rng.chance(0.4)) f.role = list(rng, () => rng.pick([...ROLES, "", "nope"]));
  if (rng.chance(0.25)) {
    f.resources_in_roles = Array.from({ length: rng.int(4) }, () =>
      rng.chance(0.75)
        ? rng.pick(pools.pairs)
        : [rng.pick(pools.resourceIds), rng.pick([...ROLES, ""])],
    );
  }
  if (rng.chance(0.45)) f.labels = labelSpec(rng, pools);
  return f;
}

function anyResourceFilter(rng: Random, pools: Pools): Json {
  if (rng.chance(0.1)) return unconstrained(rng);
  const f: Json = {};
  if (rng.chance(0.35)) f.id = list(rng, () => resourceId(rng, pools));
  if (rng.chance(0.35)) f.id_prefix = list(rng, () => idPrefix(rng, pools));
  if (rng.chance(0.55)) f.labels = labelSpec(rng, pools);
  return f;
}

const TEXT_TERMS = [
  "timeout",
  "TIMEOUT",
  '"connection timeout"',
  "retry_after",
  "retry%after",
  "100%",
  "%",
  "_",
  "prod",
  "alpha",
  "über",
  "ÜBER",
  "flow-run.1",
  "prefect.resource.role",
  "rocket",
  "🚀",
  "c:\\\\temp",
  "disk",
  "completed",
  "nothing-matches-this",
  "tag",
];

function textFilter(rng: Random): Json {
  if (rng.chance(0.05)) return { query: "   " };
  const terms = rng
    .some(TEXT_TERMS, 1, 3)
    .map((t) => `${rng.pick(["", "", "", "-", "+"])}${t}`)
    .join(" ");
  return { query: terms };
}

function idFilter(rng: Random, pools: Pools): Json {
  if (rng.chance(0.1)) return { id: rng.chance(0.5) ? [] : null };
  const ids = Array.from({ length: 1 + rng.int(5) }, () =>
    rng.chance(0.8) ? rng.pick(pools.events).id : rng.uuid(),
  );
  return { id: ids.map((id) => (rng.chance(0.2) ? id.toUpperCase() : id.toLowerCase())) };
}

const CRITERIA = [
  "occurred",
  "event",
  "resource",
  "related",
  "any_resource",
  "id",
  "text",
] as const;
type Criterion = (typeof CRITERIA)[number];

function criterion(rng: Random, pools: Pools, which: Criterion): unknown {
  switch (which) {
    case "occurred":
      return occurredFilter(rng, pools);
    case "event":
      return nameFilter(rng, pools);
    case "resource":
      return resourceFilter(rng, pools);
    case "related":
      return rng.chance(0.5)
        ? relatedFilter(rng, pools)
        : Array.from({ length: rng.int(4) }, () => relatedFilter(rng, pools));
    case "any_resource":
      return rng.chance(0.5)
        ? anyResourceFilter(rng, pools)
        : Array.from({ length: rng.int(4) }, () => anyResourceFilter(rng, pools));
    case "id":
      return idFilter(rng, pools);
    case "text":
      return textFilter(rng);
  }
}

/** A filter body: one criterion alone half of the time, else a random combination. */
function generateFilter(rng: Random, pools: Pools): Json {
  const f: Json = {};
  const chosen = rng.chance(0.5)
    ? [rng.pick(CRITERIA)]
    : CRITERIA.filter((c) => rng.chance(c === "id" ? 0.1 : c === "text" ? 0.2 : 0.35));
  for (const c of chosen) f[c] = criterion(rng, pools, c);
  if (rng.chance(0.5)) f.order = rng.pick(["ASC", "DESC"]);
  return f;
}

// ---------------------------------------------------------------------------------------------
// The reference: the matcher over every stored event, in the store's order
// ---------------------------------------------------------------------------------------------

/** The events in the store's ascending order: by `occurred`, then by id. */
function inStoreOrder(events: readonly ReceivedEvent[]): ReceivedEvent[] {
  const keyed = events.map((e) => ({ e, at: isoToMicros(e.occurred), id: e.id.toLowerCase() }));
  keyed.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.id < b.id ? -1 : 1));
  return keyed.map(({ e }) => e);
}

/**
 * Ids the store should answer, in order (`ascending`: the events in the store's order): the
 * events the matcher accepts, only the first of each resource if distinct.
 */
function expectedIds(filter: EventFilter, ascending: readonly ReceivedEvent[]): string[] {
  const matching = ascending.filter((e) => eventMatches(filter, e));
  if (filter.order === "DESC") matching.reverse();
  const seen = new Set<string>();
  const kept = filter.resource?.distinct
    ? matching.filter((e) => {
        const resource = e.resource[ID] ?? "";
        if (seen.has(resource)) return false;
        seen.add(resource);
        return true;
      })
    : matching;
  return kept.map((e) => e.id.toLowerCase());
}

interface Disagreement {
  filter: Json;
  /** Matched in memory, not returned by the store. */
  missing: string[];
  /** Returned by the store, not matched in memory. */
  extra: string[];
  /** Same events, another order. */
  misordered: boolean;
}

function describeDisagreements(
  dialect: string,
  found: Disagreement[],
  events: readonly ReceivedEvent[],
  total: number,
): string {
  const byId = new Map(events.map((e) => [e.id.toLowerCase(), e]));
  const shown = found.slice(0, 4).map((d, i) => {
    const sample = [...d.missing.slice(0, 1), ...d.extra.slice(0, 1)].map((id) =>
      JSON.stringify(byId.get(id)),
    );
    return [
      `#${i + 1} filter ${JSON.stringify(d.filter)}`,
      `   matched in memory only (${d.missing.length}): ${d.missing.slice(0, 5).join(", ")}`,
      `   returned by SQL only (${d.extra.length}): ${d.extra.slice(0, 5).join(", ")}`,
      d.misordered ? "   same events, in another order" : "",
      ...sample.map((s) => `   e.g. ${s}`),
    ]
      .filter(Boolean)
      .join("\n");
  });
  return `${dialect}, seed ${SEED} (EVENT_MATCHER_SEED=${SEED}): the store and eventMatches disagree on ${found.length} of ${total} filters\n${shown.join("\n")}`;
}

// ---------------------------------------------------------------------------------------------
// The random test
// ---------------------------------------------------------------------------------------------

const rng = new Random(SEED);
const ALL_EVENTS = generateEvents(rng, EVENT_COUNT);
const ALL_POOLS = poolsOf(ALL_EVENTS);
const ALL_FILTERS = Array.from({ length: FILTER_COUNT }, () => generateFilter(rng, ALL_POOLS));

async function storedIds(t: TestDatabase, filter: EventFilter): Promise<string[]> {
  const rows = await readEvents(t.database, filter, 100_000);
  return rows.map((e) => e.id.toLowerCase());
}

function disagreement(filter: Json, expected: string[], actual: string[]): Disagreement | null {
  const want = new Set(expected);
  const got = new Set(actual);
  const missing = expected.filter((id) => !got.has(id));
  const extra = actual.filter((id) => !want.has(id));
  const misordered =
    missing.length === 0 && extra.length === 0 && expected.join() !== actual.join();
  return missing.length || extra.length || misordered
    ? { filter, missing, extra, misordered }
    : null;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the event store's SQL against eventMatches, on random filters`, () => {
    const events = ALL_EVENTS;
    const ascending = inStoreOrder(events);
    const filters = ALL_FILTERS;
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
      assert.equal(await insertEvents(t.database, events), EVENT_COUNT);
    });
    after(async () => {
      await t.dispose();
    });

    it(`returns exactly the events the matcher accepts, for ${FILTER_COUNT} filters (seed ${SEED})`, async (context) => {
      const found: Disagreement[] = [];
      const sizes: number[] = [];
      const used = new Map<string, number>();
      for (const body of filters) {
        const filter = resolveEventFilter(EventFilterSchema.parse(body), NOW);
        const expected = expectedIds(filter, ascending);
        sizes.push(expected.length);
        for (const key of Object.keys(body)) used.set(key, (used.get(key) ?? 0) + 1);
        const d = disagreement(body, expected, await storedIds(t, filter));
        if (d) found.push(d);
      }
      if (found.length > 0) {
        assert.fail(describeDisagreements(dialect, found, events, FILTER_COUNT));
      }

      // the filters discriminate: most select some but not all events, and every criterion is used
      const partial = sizes.filter((n) => n > 0 && n < EVENT_COUNT).length;
      const none = sizes.filter((n) => n === 0).length;
      context.diagnostic(
        `${EVENT_COUNT} events, ${FILTER_COUNT} filters: ${partial} select some events, ${none} none, ${FILTER_COUNT - partial - none} all`,
      );
      assert.ok(
        partial >= FILTER_COUNT * 0.4,
        `seed ${SEED}: only ${partial} of ${FILTER_COUNT} filters select a proper subset`,
      );
      for (const c of CRITERIA) {
        assert.ok((used.get(c) ?? 0) >= 15, `seed ${SEED}: criterion ${c} used too rarely`);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What the random test found, one case each
// ---------------------------------------------------------------------------------------------

/** A hand-made event at `2027-01-01T00:00:0<n>Z`. */
function handMade(n: number, over: Partial<ReceivedEvent>): ReceivedEvent {
  return {
    occurred: `2027-01-01T00:00:0${n}.000000Z`,
    event: "acme.thing.done",
    resource: { [ID]: `acme.thing.${n}` },
    related: [],
    payload: {},
    id: `00000000-0000-4000-8000-00000000000${n}`,
    follows: null,
    received: "2027-01-01T00:01:00.000000Z",
    ...over,
  };
}

const ROCKET = handMade(1, {
  event: "acme.🚀.launched",
  resource: { [ID]: "acme.🚀.1", "prefect.resource.name": "🚀 rocket" },
  related: [{ [ID]: "acme.🚀.crew", [ROLE]: "owner", "acme.team": "🚀 crew" }],
});
const BACKSLASH = handMade(2, {
  event: "acme.thing.backslash",
  resource: { [ID]: "acme.thing.2", "acme.back\\slash": "w" },
  related: [{ [ID]: "prefect.tag.prod", [ROLE]: "tag", "acme.back\\slash": "w" }],
});
const UMLAUT = handMade(3, {
  event: "acme.thing.umlaut",
  related: [{ [ID]: "prefect.tag.Über", [ROLE]: "tag" }],
  payload: { message: "Über alles" },
});
const LONELY = handMade(4, { event: "acme.thing.alone" });
const HAND_MADE = [ROCKET, BACKSLASH, UMLAUT, LONELY];

for (const dialect of DIALECTS) {
  describe(`${dialect}: the disagreements the random test found`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
      assert.equal(await insertEvents(t.database, HAND_MADE), HAND_MADE.length);
    });
    after(async () => {
      await t.dispose();
    });

    /** For each case, the hand-made events each side selects must be those Prefect selects. */
    async function check(cases: [body: Json, prefect: ReceivedEvent[]][]): Promise<void> {
      const occurred = { since: "2027-01-01T00:00:00Z", until: "2027-01-01T00:00:10Z" };
      const names = (ids: string[]) =>
        JSON.stringify(ids.map((id) => HAND_MADE.find((e) => e.id === id)?.event ?? id).sort());
      const wrong: string[] = [];
      for (const [body, prefect] of cases) {
        const filter = resolveEventFilter(EventFilterSchema.parse({ occurred, ...body }), NOW);
        const memory = names(HAND_MADE.filter((e) => eventMatches(filter, e)).map((e) => e.id));
        const sql = names(await storedIds(t, filter));
        const want = names(prefect.map((e) => e.id));
        if (sql !== want || memory !== want) {
          wrong.push(
            `${JSON.stringify(body)}\n  Prefect ${want}\n  SQL     ${sql}\n  memory  ${memory}`,
          );
        }
      }
      if (wrong.length > 0) {
        assert.fail(
          `${dialect}: ${wrong.length} of ${cases.length} cases wrong\n${wrong.join("\n")}`,
        );
      }
    }

    it("an empty label specification filters nothing (fixed in the matcher, which required a related resource)", async () => {
      // Prefect: `if self.labels:` — an empty specification adds no clause
      await check([
        [{ related: { labels: {} } }, HAND_MADE],
        [{ related: [{}, { labels: {} }] }, HAND_MADE],
        [{ any_resource: { labels: {} } }, HAND_MADE],
        [{ resource: { labels: {} } }, HAND_MADE],
        [{ related: { role: [], labels: {} } }, HAND_MADE],
      ]);
    });

    it("a prefix holding a character outside the BMP matches by characters, as in JavaScript", async () => {
      // JS counts UTF-16 units (🚀 is 2), SQL counts characters (🚀 is 1): `startsWith` cuts by
      // characters (it once cut one character too long, and nothing matched)
      const others = HAND_MADE.filter((e) => e !== ROCKET);
      await check([
        [{ event: { prefix: ["acme.🚀"] } }, [ROCKET]],
        [{ event: { exclude_prefix: ["acme.🚀"] } }, others],
        [{ resource: { id_prefix: ["acme.🚀"] } }, [ROCKET]],
        [{ any_resource: { id_prefix: ["acme.🚀.c"] } }, [ROCKET]],
        [{ resource: { labels: { "prefect.resource.name": "🚀*" } } }, [ROCKET]],
        [{ related: { labels: { "acme.team": "!🚀*" } } }, []],
        [{ any_resource: { labels: { [ID]: "acme.🚀*" } } }, [ROCKET]],
      ]);
    });

    it("a label whose name holds a backslash is found", async () => {
      // SQLite's JSON path reads `\s` as an escape: the label's name is quoted with `\` escaped
      await check([
        [{ resource: { labels: { "acme.back\\slash": "w" } } }, [BACKSLASH]],
        [{ related: { labels: { "acme.back\\slash": "w*" } } }, [BACKSLASH]],
        [{ any_resource: { labels: { "acme.back\\slash": ["!x"] } } }, [BACKSLASH]],
      ]);
    });

    it("text search folds an event's uppercase non-ASCII letters, as Prefect does", async () => {
      // SQLite's `lower()` folds ASCII only: the store lowers with `unicode_lower` there (Prefect
      // lowers both sides in Python, as the matcher does in JS)
      const others = HAND_MADE.filter((e) => e !== UMLAUT);
      await check([
        [{ text: { query: "über" } }, [UMLAUT]],
        [{ text: { query: "+ÜBER alles" } }, [UMLAUT]],
        [{ text: { query: "-über" } }, others],
        [{ text: { query: "prefect.tag.über" } }, [UMLAUT]],
      ]);
    });
  });
}

/**
 * The event store (Prefect's `events` / `event_resources`): bulk writes that ignore event ids
 * already stored (PostgreSQL's, which reads events from the JSON they arrived in, is in
 * `pg-event-insert.ts`), and the `EventFilter` grammar as one `where` per query, written once for
 * SQLite and PostgreSQL. What differs by dialect in reading — a label out of a JSON column,
 * seconds since the epoch — lives in `DialectOps`.
 */
import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type {
  EventAnyResourceFilter,
  EventFilter,
  EventRelatedFilter,
  ResourceSpecification,
} from "../../core/event-filter.ts";
import type { ReceivedEvent } from "../../core/events.ts";
import { parseTextQuery } from "../../core/text-query.ts";
import { normalizeIso, nowIso } from "../../core/time.ts";
import { type BulkInsert, sqliteStatement } from "../../storage/bulk-insert.ts";
import type { Database, Db } from "../../storage/database.ts";
import { postgresDialect, sqliteDialect } from "../../storage/dialect.ts";
import type { EventResourcesTable, EventsTable } from "../../storage/schema.ts";
import { epochSeconds } from "../history/queries.ts";
import { type EventDocument, eventDocument, insertEventsPostgres } from "./pg-insert.ts";

type Cond = Expression<SqlBool>;
type Labels = Record<string, string>;

export type { ReceivedEvent };

const RESOURCE_ID = "prefect.resource.id";
const RESOURCE_ROLE = "prefect.resource.role";

// ---------------------------------------------------------------------------------------------
// Dialect differences
// ---------------------------------------------------------------------------------------------

interface DialectOps {
  /** A label of a resource JSON object, as text (NULL when missing). */
  label(column: RawBuilder<unknown>, label: string): RawBuilder<string | null>;
  /** Seconds since the epoch of a timestamp column (fractional). */
  epoch(column: RawBuilder<unknown>): RawBuilder<number>;
  /** Text in lower case, every letter folded as JavaScript's `toLowerCase` folds it. */
  lower(text: RawBuilder<unknown>): RawBuilder<string>;
}

const sqliteOps: DialectOps = {
  // a JSON path reads `"` and `\` as escapes: both are escaped in the label's name
  label: (column, label) =>
    sql<string | null>`json_extract(${column}, ${`$."${label.replace(/["\\]/g, "\\$&")}"`})`,
  epoch: (column) => epochSeconds(sqliteDialect, column),
  // SQLite's lower() folds ASCII only: `unicode_lower` is registered on every connection
  lower: (text) => sql<string>`unicode_lower(${text})`,
};

const postgresOps: DialectOps = {
  label: (column, label) => sql<string | null>`${column} ->> ${label}`,
  epoch: (column) => epochSeconds(postgresDialect, column),
  lower: (text) => sql<string>`lower(${text})`,
};

function opsOf(database: Database): DialectOps {
  return database.dialect.name === "postgres" ? postgresOps : sqliteOps;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

function withoutIdAndRole(labels: Labels): Labels {
  const { [RESOURCE_ID]: _id, [RESOURCE_ROLE]: _role, ...rest } = labels;
  return rest;
}

function eventRow(database: Database, e: ReceivedEvent, recorded: string): EventsTable {
  const toJson = database.dialect.toJson;
  return {
    id: e.id.toLowerCase(),
    occurred: normalizeIso(e.occurred),
    event: e.event,
    resource_id: e.resource[RESOURCE_ID] ?? "",
    resource: toJson(e.resource),
    related_resource_ids: toJson(e.related.map((r) => r[RESOURCE_ID] ?? "")),
    related: toJson(e.related),
    payload: toJson(e.payload),
    received: normalizeIso(e.received),
    recorded,
    follows: e.follows ? e.follows.toLowerCase() : null,
  };
}

function resourceRows(database: Database, e: ReceivedEvent, occurred: string, id: string) {
  const toJson = database.dialect.toJson;
  const rows: EventResourcesTable[] = [
    {
      occurred,
      resource_id: e.resource[RESOURCE_ID] ?? "",
      resource_role: "",
      resource: toJson(withoutIdAndRole(e.resource)),
      event_id: id,
    },
  ];
  for (const r of e.related) {
    rows.push({
      occurred,
      resource_id: r[RESOURCE_ID] ?? "",
      resource_role: r[RESOURCE_ROLE] ?? "",
      resource: toJson(withoutIdAndRole(r)),
      event_id: id,
    });
  }
  return rows;
}

/** SQLite's inserts of the event store: an id already stored is ignored (with its resources). */
function sqliteInserts(database: Database) {
  const { db } = database;
  const events: BulkInsert<EventsTable> = {
    key: "events.insert-or-ignore",
    rows: [],
    query: (rows) =>
      db
        .insertInto("events")
        .values(rows)
        .onConflict((oc) => oc.column("id").doNothing()),
  };
  const resources: BulkInsert<EventResourcesTable> = {
    key: "event_resources.insert",
    rows: [],
    query: (rows) => db.insertInto("event_resources").values(rows),
  };
  return { events, resources };
}

/** An event to store: decoded, or as the JSON text PostgreSQL's store takes. */
export type StorableEvent = ReceivedEvent | EventDocument;

function isDocument(event: StorableEvent): event is EventDocument {
  return "json" in event;
}

/** A document decoded again (its JSON text is one the server produced or validated). */
function decodedEvent(document: EventDocument): ReceivedEvent {
  const json = typeof document.json === "string" ? document.json : document.json.toString("utf8");
  const { resource, related, payload } = JSON.parse(json) as Pick<
    ReceivedEvent,
    "resource" | "related" | "payload"
  >;
  const { json: _json, ...columns } = document;
  return { ...columns, resource, related, payload };
}

/**
 * Store events, each with one `event_resources` row per resource involved, in one transaction.
 * An event whose id is already stored (or repeated in the batch) is skipped with its resources,
 * as Prefect does. Returns how many events were stored.
 */
export async function insertEvents(
  database: Database,
  storable: readonly StorableEvent[],
  recorded: string = nowIso(),
): Promise<number> {
  if (storable.length === 0) return 0;
  const native = database.native;
  if (native) {
    const events = storable.map((e) => (isDocument(e) ? decodedEvent(e) : e));
    const rows = events.map((e) => eventRow(database, e, recorded));
    const ops = sqliteInserts(database);
    return database.db.connection().execute(async () => {
      const ev = sqliteStatement(database, ops.events, rows[0] as EventsTable);
      const firstResources = resourceRows(database, events[0] as ReceivedEvent, "", "");
      const res = sqliteStatement(
        database,
        ops.resources,
        firstResources[0] as EventResourcesTable,
      );
      const evParams = new Array<unknown>(ev.columns.length);
      const resParams = new Array<unknown>(res.columns.length);
      return native.transaction(() => {
        let stored = 0;
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i] as unknown as Record<string, unknown>;
          for (let c = 0; c < ev.columns.length; c++) evParams[c] = row[ev.columns[c] as string];
          // an id already stored changes nothing: its resources are skipped too
          if (ev.stmt.run(evParams).changes === 0) continue;
          stored++;
          const r = rows[i] as EventsTable;
          for (const rr of resourceRows(database, events[i] as ReceivedEvent, r.occurred, r.id)) {
            const o = rr as unknown as Record<string, unknown>;
            for (let c = 0; c < res.columns.length; c++) resParams[c] = o[res.columns[c] as string];
            res.stmt.run(resParams);
          }
        }
        return stored;
      })();
    });
  }
  const documents = storable.map((e) => (isDocument(e) ? e : eventDocument(e)));
  return insertEventsPostgres(database, documents, recorded);
}

/**
 * Store a few events inside an open write transaction (the outbox of a change): each with its
 * `event_resources` rows; an id already stored is skipped with its resources.
 */
export async function insertEventsInTransaction(
  database: Database,
  trx: Db,
  events: readonly ReceivedEvent[],
  recorded: string = nowIso(),
): Promise<void> {
  // PostgreSQL: one statement (a round trip) for the events and their resources
  if (!database.native) {
    await insertEventsPostgres(
      database,
      events.map((e) => eventDocument(e)),
      recorded,
      trx,
    );
    return;
  }
  for (const event of events) {
    const row = eventRow(database, event, recorded);
    const inserted = await trx
      .insertInto("events")
      .values(row)
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
    await trx
      .insertInto("event_resources")
      .values(resourceRows(database, event, row.occurred, row.id))
      .execute();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading: the filter grammar
// ---------------------------------------------------------------------------------------------

const TRUE: Cond = sql<SqlBool>`1 = 1`;
const FALSE: Cond = sql<SqlBool>`1 = 0`;

function allOf(conds: readonly Cond[]): Cond {
  if (conds.length === 0) return TRUE;
  if (conds.length === 1) return conds[0] as Cond;
  return sql<SqlBool>`(${sql.join(conds, sql` and `)})`;
}

function anyOf(conds: readonly Cond[]): Cond {
  if (conds.length === 0) return FALSE;
  if (conds.length === 1) return conds[0] as Cond;
  return sql<SqlBool>`(${sql.join(conds, sql` or `)})`;
}

function not(cond: Cond): Cond {
  return sql<SqlBool>`not (${cond})`;
}

function inList(expr: Expression<unknown>, values: readonly string[]): Cond {
  return values.length === 0 ? FALSE : sql<SqlBool>`${expr} in (${sql.join(values)})`;
}

/**
 * Case-sensitive prefix test on both dialects (SQLite's LIKE ignores case). The length is in
 * characters, as SQL's `substr` counts them (a character outside the BMP is two JavaScript units).
 */
function startsWith(expr: Expression<unknown>, prefix: string): Cond {
  return sql<SqlBool>`substr(${expr}, 1, ${sql.lit([...prefix].length)}) = ${prefix}`;
}

const ev = (column: string) => sql`${sql.ref(`events.${column}`)}`;
const er = (column: string) => sql`${sql.ref(`event_resources.${column}`)}`;

/**
 * Label values as Prefect reads them: `!value` excludes, `value*` is a prefix. A label matches
 * when it equals or starts with one of the positive values (if any) and none of the negative
 * ones; with negative values the label must exist. An empty list matches nothing.
 */
function labelCond(expr: Expression<unknown>, values: readonly string[]): Cond {
  if (values.length === 0) return FALSE;
  const positive: Cond[] = [];
  const negative: Cond[] = [];
  for (const raw of values) {
    const negated = raw.startsWith("!");
    const value = negated ? raw.slice(1) : raw;
    const cond = value.endsWith("*")
      ? startsWith(expr, value.replace(/\*+$/, ""))
      : sql<SqlBool>`${expr} = ${value}`;
    (negated ? negative : positive).push(cond);
  }
  const conds: Cond[] = [];
  if (negative.length > 0) conds.push(sql<SqlBool>`${expr} is not null`, ...negative.map(not));
  if (positive.length > 0) conds.push(anyOf(positive));
  return allOf(conds);
}

function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** A resource specification on `event_resources` rows (id and role are columns there). */
function specCond(ops: DialectOps, spec: ResourceSpecification, withRole: boolean): Cond[] {
  const conds: Cond[] = [];
  for (const [label, value] of Object.entries(spec)) {
    const values = asList(value);
    if (label === RESOURCE_ID) conds.push(labelCond(er("resource_id"), values));
    else if (label === RESOURCE_ROLE) {
      // the primary resource has no role: a resource filter ignores the label
      if (withRole) conds.push(labelCond(er("resource_role"), values));
    } else conds.push(labelCond(ops.label(er("resource"), label), values));
  }
  return conds;
}

/** `events.id IN (event_resources rows in the window matching conds)`. */
function hasResource(f: EventFilter, conds: readonly Cond[]): Cond {
  return sql<SqlBool>`${ev("id")} in (select ${er("event_id")} from event_resources where ${er("occurred")} >= ${f.occurred.since} and ${er("occurred")} <= ${f.occurred.until} and ${allOf(conds)})`;
}

function relatedCond(ops: DialectOps, f: EventFilter, r: EventRelatedFilter): Cond | undefined {
  const conds: Cond[] = [];
  if (r.id?.length) conds.push(inList(er("resource_id"), r.id));
  if (r.role?.length) conds.push(inList(er("resource_role"), r.role));
  if (r.resources_in_roles?.length) {
    conds.push(
      anyOf(
        r.resources_in_roles.map(
          ([id, role]) =>
            sql<SqlBool>`(${er("resource_id")} = ${id} and ${er("resource_role")} = ${role})`,
        ),
      ),
    );
  }
  if (r.labels) conds.push(...specCond(ops, r.labels, true));
  if (conds.length === 0) return undefined;
  // a related-resource filter never matches the primary resource unless it names roles
  if (!r.role?.length) conds.push(sql<SqlBool>`${er("resource_role")} <> ''`);
  return hasResource(f, conds);
}

function anyResourceCond(
  ops: DialectOps,
  f: EventFilter,
  a: EventAnyResourceFilter,
): Cond | undefined {
  const conds: Cond[] = [];
  if (a.id?.length) conds.push(inList(er("resource_id"), a.id));
  if (a.id_prefix?.length) {
    conds.push(anyOf(a.id_prefix.map((p) => startsWith(er("resource_id"), p))));
  }
  if (a.labels) conds.push(...specCond(ops, a.labels, true));
  return conds.length === 0 ? undefined : hasResource(f, conds);
}

function textCond(ops: DialectOps, query: string): Cond | undefined {
  if (!query.trim()) return undefined;
  const { include, exclude, required } = parseTextQuery(query);
  const text = ops.lower(
    sql`${ev("event")} || ' ' || cast(${ev("resource")} as text) || ' ' || cast(${ev("related")} as text) || ' ' || cast(${ev("payload")} as text)`,
  );
  const contains = (term: string) =>
    sql<SqlBool>`${text} like ${`%${term.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`} escape '\\'`;
  return allOf([
    ...(include.length ? [anyOf(include.map(contains))] : []),
    ...exclude.map((t) => not(contains(t))),
    ...required.map(contains),
  ]);
}

/** The filter as a condition on `events`. */
export function eventsWhere(database: Database, f: EventFilter): Cond {
  const ops = opsOf(database);
  const conds: (Cond | undefined)[] = [
    sql<SqlBool>`${ev("occurred")} >= ${f.occurred.since}`,
    sql<SqlBool>`${ev("occurred")} <= ${f.occurred.until}`,
  ];
  const name = f.event;
  if (name?.prefix?.length) conds.push(anyOf(name.prefix.map((p) => startsWith(ev("event"), p))));
  if (name?.exclude_prefix?.length) {
    conds.push(...name.exclude_prefix.map((p) => not(startsWith(ev("event"), p))));
  }
  if (name?.name?.length) conds.push(inList(ev("event"), name.name));
  if (name?.exclude_name?.length) conds.push(not(inList(ev("event"), name.exclude_name)));
  const res = f.resource;
  if (res?.id?.length) conds.push(inList(ev("resource_id"), res.id));
  if (res?.id_prefix?.length) {
    conds.push(anyOf(res.id_prefix.map((p) => startsWith(ev("resource_id"), p))));
  }
  if (res?.labels) {
    conds.push(
      hasResource(f, [
        sql<SqlBool>`${er("resource_role")} = ''`,
        ...specCond(ops, res.labels, false),
      ]),
    );
  }
  for (const r of f.related) conds.push(relatedCond(ops, f, r));
  for (const a of f.any_resource) conds.push(anyResourceCond(ops, f, a));
  if (f.id) conds.push(inList(ev("id"), f.id));
  if (f.text !== null) conds.push(textCond(ops, f.text));
  return allOf(conds.filter((c): c is Cond => c !== undefined));
}

interface EventRowOut {
  id: string;
  occurred: string;
  event: string;
  resource: unknown;
  related: unknown;
  payload: unknown;
  received: string;
  follows: string | null;
}

function eventFromRow(database: Database, row: EventRowOut): ReceivedEvent {
  const fromJson = database.dialect.fromJson;
  return {
    occurred: row.occurred,
    event: row.event,
    resource: fromJson<Labels>(row.resource),
    related: fromJson<Labels[]>(row.related),
    payload: fromJson<Record<string, unknown>>(row.payload),
    id: row.id,
    follows: row.follows,
    received: row.received,
  };
}

const OUT_COLUMNS = sql.raw(
  "id, occurred, event, resource, related, payload, received, follows",
) as RawBuilder<unknown>;

/**
 * Events matching the filter, by `occurred` in the filter's order (then id), from `offset`.
 * `resource.distinct` keeps the first event of each resource in that order.
 */
export async function readEvents(
  database: Database,
  f: EventFilter,
  limit: number,
  offset = 0,
): Promise<ReceivedEvent[]> {
  const dir = sql.raw(f.order === "ASC" ? "asc" : "desc");
  const where = eventsWhere(database, f);
  const max = f.id ? Math.min(limit, f.id.length) : limit;
  const query = f.resource?.distinct
    ? sql<EventRowOut>`select ${OUT_COLUMNS} from (
        select events.*, row_number() over (partition by ${ev("resource_id")} order by ${ev("occurred")} ${dir}, ${ev("id")} ${dir}) as rn
        from events where ${where}) as events
      where rn = 1 order by occurred ${dir}, id ${dir} limit ${max} offset ${offset}`
    : sql<EventRowOut>`select ${OUT_COLUMNS} from events where ${where}
      order by occurred ${dir}, id ${dir} limit ${max} offset ${offset}`;
  const { rows } = await query.execute(database.db);
  return rows.map((r) => eventFromRow(database, r));
}

/** How many events match (distinct resources with `resource.distinct`). */
export async function countEvents(database: Database, f: EventFilter): Promise<number> {
  const what = f.resource?.distinct ? sql`count(distinct ${ev("resource_id")})` : sql`count(*)`;
  const { rows } = await sql<{
    n: number | string;
  }>`select ${what} as n from events where ${eventsWhere(database, f)}`.execute(database.db);
  return Number(rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Counting
// ---------------------------------------------------------------------------------------------

export interface EventGroupCount {
  value: string;
  label: string;
  count: number;
  start_time: string;
  end_time: string;
}

/**
 * Events grouped by name (`event`) or by primary resource (`resource`, labelled with the latest
 * `prefect.resource.name`, else `prefect.name`, else the id): most events first, then by label.
 */
export async function countEventsByValue(
  database: Database,
  f: EventFilter,
  by: "event" | "resource",
): Promise<EventGroupCount[]> {
  const ops = opsOf(database);
  const value = by === "event" ? ev("event") : ev("resource_id");
  const label =
    by === "event"
      ? ev("event")
      : sql`coalesce(${ops.label(ev("resource"), "prefect.resource.name")}, ${ops.label(ev("resource"), "prefect.name")}, ${ev("resource_id")})`;
  const { rows } = await sql<{
    value: string;
    label: string;
    n: number | string;
    oldest: string;
    latest: string;
  }>`select ${value} as value, ${label} as label, count(*) as n,
      min(${ev("occurred")}) as oldest, max(${ev("occurred")}) as latest
    from events where ${eventsWhere(database, f)}
    group by 1, 2`.execute(database.db);
  // (grouped by position: PostgreSQL sees a parameterised expression repeated as another one)
  // one group per value, labelled as its most recent events are
  const groups = new Map<string, EventGroupCount & { labelAt: string }>();
  for (const r of rows) {
    const oldest = normalizeIso(r.oldest);
    const latest = normalizeIso(r.latest);
    const g = groups.get(r.value);
    if (!g) {
      groups.set(r.value, {
        value: r.value,
        label: r.label,
        count: Number(r.n),
        start_time: oldest,
        end_time: latest,
        labelAt: latest,
      });
      continue;
    }
    g.count += Number(r.n);
    if (oldest < g.start_time) g.start_time = oldest;
    if (latest > g.end_time) g.end_time = latest;
    if (latest > g.labelAt) {
      g.label = r.label;
      g.labelAt = latest;
    }
  }
  return [...groups.values()]
    .map(({ labelAt: _, ...g }) => g)
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/**
 * Events per time bucket: bucket `i` holds events with
 * `pivot + i·step <= occurred < pivot + (i+1)·step`. Only buckets with events are returned.
 */
export async function countEventsPerBucket(
  database: Database,
  f: EventFilter,
  pivotEpochSeconds: number,
  stepSeconds: number,
): Promise<Map<number, number>> {
  const ops = opsOf(database);
  const bucket = sql`floor((${ops.epoch(ev("occurred"))} - ${sql.lit(pivotEpochSeconds)}) / ${sql.lit(stepSeconds)})`;
  const { rows } = await sql<{
    bucket: number | string;
    n: number | string;
  }>`select ${bucket} as bucket, count(*) as n from events where ${eventsWhere(database, f)}
    group by 1`.execute(database.db);
  return new Map(rows.map((r) => [Number(r.bucket), Number(r.n)]));
}

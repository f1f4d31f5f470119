/**
 * The event store's write on PostgreSQL: a batch of events, and the `event_resources` rows of the
 * ones not stored before, as one statement.
 *
 * Each event's resource, related resources and payload travel as the JSON text the event arrived
 * in when the server has it (a frame of `/events/in`), all of them as one `jsonb` array, and
 * PostgreSQL takes the columns and the resource rows out of it. Nothing of an event is serialised
 * again here, and PostgreSQL parses each document once instead of once per column.
 *
 * Events wait for this write as `EventDocument`s: a few fields each, where the decoded event is a
 * tree of hundreds of small objects. A stream of task-run events keeps tens of thousands waiting
 * while task runs are recorded first; held decoded, they would survive every young-generation
 * collection meanwhile and make each one copy them.
 */
import { CompiledQuery } from "kysely";
import type { ReceivedEvent } from "../../core/events.ts";
import { normalizeIso } from "../../core/time.ts";
import type { Database, Db } from "../../storage/database.ts";
import { arrayLiteral, MAX_INSERT_ROWS } from "../../storage/pg-array-insert.ts";

/**
 * An event as PostgreSQL's event store takes it: its scalar columns, and a JSON object with at
 * least its `resource`, `related` and `payload` — as text, or as UTF-8 bytes (the whole event as
 * it arrived, when it did as JSON: a frame's buffer lies outside the JS heap).
 */
export interface EventDocument {
  id: string;
  occurred: string;
  event: string;
  follows: string | null;
  received: string;
  json: string | Buffer;
}

/** `event` as an `EventDocument`; `json` is the JSON it arrived in, if there is one. */
export function eventDocument(event: ReceivedEvent, json?: string | Buffer): EventDocument {
  return {
    id: event.id,
    occurred: event.occurred,
    event: event.event,
    follows: event.follows,
    received: event.received,
    json:
      json ??
      JSON.stringify({ resource: event.resource, related: event.related, payload: event.payload }),
  };
}

const STATEMENT = `
with "i" as (
  select * from rows from (
    unnest($1::uuid[]), unnest($2::timestamptz[]), unnest($3::text[]), unnest($4::uuid[]),
    unnest($5::timestamptz[]), jsonb_array_elements($6::jsonb)
  ) as "i"("id", "occurred", "event", "follows", "received", "doc")
), "e" as (
  insert into "events" ("id", "occurred", "event", "resource_id", "resource",
    "related_resource_ids", "related", "payload", "received", "recorded", "follows")
  select "i"."id", "i"."occurred", "i"."event",
    "i"."doc" -> 'resource' ->> 'prefect.resource.id',
    "i"."doc" -> 'resource',
    coalesce((
      select jsonb_agg("r"."value" -> 'prefect.resource.id' order by "r"."ordinality")
      from jsonb_array_elements(coalesce("i"."doc" -> 'related', '[]'::jsonb))
        with ordinality as "r"("value", "ordinality")
    ), '[]'::jsonb),
    coalesce("i"."doc" -> 'related', '[]'::jsonb),
    coalesce("i"."doc" -> 'payload', '{}'::jsonb),
    "i"."received", $7::timestamptz, "i"."follows"
  from "i"
  on conflict ("id") do nothing
  returning "id"
), "r" as (
  insert into "event_resources" ("occurred", "resource_id", "resource_role", "resource",
    "event_id")
  select "i"."occurred", "x"."labels" ->> 'prefect.resource.id', "x"."role",
    "x"."labels" - 'prefect.resource.id' - 'prefect.resource.role', "i"."id"
  from "e" join "i" on "i"."id" = "e"."id"
  cross join lateral (
    select "i"."doc" -> 'resource' as "labels", '' as "role"
    union all
    select "related", coalesce("related" ->> 'prefect.resource.role', '')
    from jsonb_array_elements(coalesce("i"."doc" -> 'related', '[]'::jsonb)) as "related"
  ) as "x"
)
select "id" from "e"`;

/**
 * Store events not stored before (the first of a repeated id), with their resources, in one
 * transaction — `trx`'s when given (the outbox of a change). Returns how many were stored.
 */
export async function insertEventsPostgres(
  database: Database,
  events: readonly EventDocument[],
  recorded: string,
  trx?: Db,
): Promise<number> {
  const byId = new Map<string, EventDocument>();
  for (const event of events) {
    const id = event.id.toLowerCase();
    if (!byId.has(id)) byId.set(id, event);
  }
  const unique = [...byId];
  const statements: CompiledQuery<{ id: string }>[] = [];
  for (let start = 0; start < unique.length; start += MAX_INSERT_ROWS) {
    const chunk = unique.slice(start, start + MAX_INSERT_ROWS);
    statements.push(
      CompiledQuery.raw(STATEMENT, [
        arrayLiteral(chunk.map(([id]) => id)),
        arrayLiteral(chunk.map(([, e]) => normalizeIso(e.occurred))),
        arrayLiteral(chunk.map(([, e]) => e.event)),
        arrayLiteral(chunk.map(([, e]) => e.follows?.toLowerCase() ?? null)),
        arrayLiteral(chunk.map(([, e]) => normalizeIso(e.received))),
        jsonArrayText(chunk.map(([, e]) => e.json)),
        recorded,
      ]) as CompiledQuery<{ id: string }>,
    );
  }
  const inTransaction = async (executor: Db) => {
    let stored = 0;
    for (const statement of statements) {
      stored += (await executor.executeQuery(statement)).rows.length;
    }
    return stored;
  };
  if (trx) return inTransaction(trx);
  if (statements.length === 1) {
    const result = await database.db.executeQuery(statements[0] as CompiledQuery<{ id: string }>);
    return result.rows.length;
  }
  return database.db.transaction().execute(inTransaction);
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/** JSON documents, as text or UTF-8 bytes, as the text of one JSON array of them. */
function jsonArrayText(documents: readonly (string | Buffer)[]): string {
  if (documents.every((d) => typeof d === "string")) return `[${documents.join(",")}]`;
  const parts: Buffer[] = [OPEN];
  for (const [i, d] of documents.entries()) {
    if (i > 0) parts.push(COMMA);
    parts.push(typeof d === "string" ? Buffer.from(d) : d);
  }
  parts.push(CLOSE);
  return Buffer.concat(parts).toString("utf8");
}

/**
 * The real Prefect 3 Python client's traffic (`../shared/prefect-wire-transcripts/*.jsonl`),
 * replayed in order against our server on each database: every HTTP request of this server's
 * routes gets the status code the real server answered and a body of the same shape — the same
 * keys at every depth, the same JSON types, `null` where it answered `null` and nowhere else, lists
 * of the same length — and the task-run events sent on `/api/events/in` are recorded as task runs.
 *
 * Ids the real server handed out are mapped to ours as the replay goes, read from each pair of
 * answers. WebSocket frames go to their socket (`/api/events/in`, `/api/events/out`): the server's
 * frames must have the real ones' shape, and the server must not close a socket the real one kept.
 * Requests for routes of later capabilities (automations, v2 concurrency limits) are left out,
 * with every request that names something only they created; `more/deploy-and-worker.jsonl` (work
 * pools, the process worker's channel and polls) is replayed too.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const TRANSCRIPTS = join(import.meta.dirname, "../../../shared/prefect-wire-transcripts");

/** Paths of capabilities later than this server's routes: their requests are not replayed. */
const LATER = /^\/api\/(v2\/concurrency_limits|automations)\b/;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface HttpRecord {
  method: string;
  url: string;
  ua?: string;
  req?: unknown;
  status: number;
  res?: unknown;
}
interface SocketRecord {
  ws: "open" | "client->server" | "server->client";
  url: string;
  msg?: unknown;
}
type TranscriptRecord = HttpRecord | SocketRecord;

function readTranscript(file: string): TranscriptRecord[] {
  return readFileSync(join(TRANSCRIPTS, file), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as TranscriptRecord);
}

/** JSON type of a value. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Where two bodies differ in field names, JSON types or null-ness (paths such as
 * `state.state_details.x`), at every depth. Arrays must hold as many items; items are compared in
 * order.
 */
function shapeDifferences(real: unknown, ours: unknown, path = "body"): string[] {
  const a = jsonType(real);
  const b = jsonType(ours);
  if (a !== b)
    return [
      `${path}: ${b === "null" ? "null" : `${b} ${JSON.stringify(ours)}`.slice(0, 80)}, real ${a === "null" ? "null" : `${a} ${JSON.stringify(real)}`.slice(0, 80)}`,
    ];
  if (a === "array") {
    const r = real as unknown[];
    const o = ours as unknown[];
    const out = r.length === o.length ? [] : [`${path}: ${o.length} items, real ${r.length}`];
    return out.concat(
      r.slice(0, o.length).flatMap((x, i) => shapeDifferences(x, o[i], `${path}[${i}]`)),
    );
  }
  if (a !== "object") return [];
  const r = real as Record<string, unknown>;
  const o = ours as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(r)) {
    if (!(key in o)) out.push(`${path}.${key}: missing`);
    else out.push(...shapeDifferences(r[key], o[key], `${path}.${key}`));
  }
  for (const key of Object.keys(o))
    if (!(key in r)) out.push(`${path}.${key}: not sent by Prefect`);
  return out;
}

/** Ids of one transcript: the real server's, mapped to ours, and those only skipped routes made. */
class IdMap {
  readonly #ids = new Map<string, string>();
  readonly #unreachable = new Set<string>();

  map(text: string): string {
    return text.replace(UUID, (id) => this.#ids.get(id) ?? id);
  }

  /** Whether `text` names something made by a request that was not replayed. */
  unreachable(text: string): boolean {
    return (text.match(UUID) ?? []).some((id) => this.#unreachable.has(id));
  }

  /** Learn the ids of the real answer from ours, field by field. */
  learn(real: unknown, ours: unknown): void {
    if (typeof real === "string" && typeof ours === "string") {
      if (/^[0-9a-f-]{36}$/.test(real) && real !== ours) this.#ids.set(real, ours);
      return;
    }
    if (!real || !ours || typeof real !== "object" || typeof ours !== "object") return;
    if (Array.isArray(real)) {
      if (Array.isArray(ours)) for (const [i, r] of real.entries()) this.learn(r, ours[i]);
      return;
    }
    const o = ours as Record<string, unknown>;
    for (const [key, value] of Object.entries(real)) this.learn(value, o[key]);
  }

  skip(real: unknown): void {
    for (const id of JSON.stringify(real ?? null).match(UUID) ?? []) {
      if (!this.#ids.has(id)) this.#unreachable.add(id);
    }
  }
}

/** A WebSocket whose messages are read in order; `closedBy` says how the server closed it, if it did. */
async function openSocket(url: string) {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  let wake: (() => void) | null = null;
  let closedBy: string | null = null;
  let closing = false;
  socket.on("message", (data: Buffer) => {
    messages.push(JSON.parse(data.toString()));
    wake?.();
  });
  socket.on("close", (code: number, reason: Buffer) => {
    if (!closing) closedBy = `${code} ${reason.toString()}`;
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return {
    send: (text: string) => socket.send(text),
    async next(): Promise<unknown> {
      while (messages.length === 0 && closedBy === null) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return messages.shift();
    },
    closedBy: () => closedBy,
    async close(): Promise<void> {
      if (closedBy !== null || socket.readyState === WebSocket.CLOSED) return;
      closing = true;
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.close();
      await closed;
    },
  };
}

/** A server on a database of its own. */
async function ownServer(dialect: (typeof DIALECTS)[number]) {
  const t = await createTestDatabase(dialect);
  const app = await createCheckedApp({ database: t.database });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    app,
    base,
    close: async () => {
      await app.close();
      await t.dispose();
    },
  };
}

const FILES = readdirSync(TRANSCRIPTS).filter((f) => f.endsWith(".jsonl"));

/**
 * Captures of `more/` whose capabilities this server has, replayed too, with the differences we
 * keep on purpose: the worker metadata view offers the process worker only (Prefect's registry
 * lists the integration packages' workers too), and a run a worker polls names its queue (Prefect
 * leaves the column `work_queue_name` empty for runs of deployments and fills it only in
 * `FlowRunResponse`).
 */
const MORE: Record<string, RegExp[]> = {
  "more/deploy-and-worker.jsonl": [
    /^GET \/api\/collections\/views\/aggregate-worker-metadata: body\.prefect-\w+: missing$/,
    /^POST \/api\/work_pools\/[^/]+\/get_scheduled_flow_runs: body\[\d+\]\.flow_run\.work_queue_name: string "default", real null$/,
  ],
};

for (const dialect of DIALECTS) {
  describe(`${dialect}: the real Prefect client's transcripts, replayed`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let base: string;
    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("covers the seven transcripts", () => assert.equal(FILES.length, 7));

    for (const file of [...FILES, ...Object.keys(MORE)]) {
      const kept = MORE[file] ?? [];
      it(`${file}: same status codes and fields, task runs recorded`, async () => {
        // a capture of `more/` runs on a database of its own (its listings count what it made)
        const own = file in MORE ? await ownServer(dialect) : null;
        const server = own?.app ?? app;
        const url = own?.base ?? base;
        const ids = new IdMap();
        const mismatches: string[] = [];
        const taskRunIds = new Set<string>();
        const sockets = new Map<string, Awaited<ReturnType<typeof openSocket>>>();
        const closeSocket = async (url: string) => {
          const socket = sockets.get(url);
          if (!socket) return;
          const closedBy = socket.closedBy();
          if (closedBy !== null) mismatches.push(`${url}: closed by the server (${closedBy})`);
          await socket.close();
          sockets.delete(url);
        };
        let replayed = 0;
        for (const record of readTranscript(file)) {
          if ("ws" in record) {
            if (record.ws === "open") {
              await closeSocket(record.url);
              sockets.set(
                record.url,
                await openSocket(`${url.replace(/^http/, "ws")}${record.url}`),
              );
              continue;
            }
            const socket = sockets.get(record.url);
            if (record.ws === "client->server") {
              const text = ids.map(JSON.stringify(record.msg));
              socket?.send(text);
              if (record.url !== "/api/events/in") continue;
              // a task run of a flow run that only a later capability made cannot be recorded
              if (ids.unreachable(text)) continue;
              const resource = (JSON.parse(text) as { resource?: Record<string, string> }).resource;
              const id = resource?.["prefect.resource.id"]?.match(/^prefect\.task-run\.(.+)$/)?.[1];
              if (id) taskRunIds.add(id);
            } else if (record.ws === "server->client") {
              const answer = await socket?.next();
              mismatches.push(...shapeDifferences(record.msg, answer, `${record.url} frame`));
            }
            continue;
          }
          const path = record.url.split("?")[0] ?? "";
          const request = `${record.method} ${record.url}`;
          if (LATER.test(path) || ids.unreachable(request + JSON.stringify(record.req ?? null))) {
            ids.skip(record.res);
            continue;
          }
          const res = await fetch(url + ids.map(record.url), {
            method: record.method,
            headers: { "content-type": "application/json", "user-agent": record.ua ?? "replay" },
            body: record.req === undefined ? undefined : ids.map(JSON.stringify(record.req)),
          });
          const text = await res.text();
          const body: unknown = text ? JSON.parse(text) : undefined;
          replayed++;
          // the real server had seen these flow names before: it read them where we create them
          const created = record.method === "POST" && path === "/api/flows/";
          const sameStatus =
            res.status === record.status || (created && [200, 201].includes(res.status));
          if (!sameStatus) {
            mismatches.push(`${request} → ${res.status}, real ${record.status}`);
            continue;
          }
          mismatches.push(...shapeDifferences(record.res, body).map((d) => `${request}: ${d}`));
          ids.learn(record.res, body);
        }
        for (const url of [...sockets.keys()]) await closeSocket(url);
        assert.ok(replayed > 10, `only ${replayed} requests replayed`);
        assert.deepEqual(
          mismatches.filter((m) => !kept.some((k) => k.test(m))),
          [],
        );

        await server.flushEvents();
        for (const id of taskRunIds) {
          const res = await fetch(`${url}/api/task_runs/${id}`);
          assert.equal(res.status, 200, `task run ${id} of the events is not recorded`);
        }
        await own?.close();
      });
    }
  });
}

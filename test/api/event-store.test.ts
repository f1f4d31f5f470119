import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

type Labels = Record<string, string>;
interface WireEvent {
  occurred: string;
  event: string;
  resource: Labels;
  related: Labels[];
  payload: Record<string, unknown>;
  id: string;
  follows: string | null;
  received?: string;
}

const WINDOW = { since: "2026-01-01T00:00:00Z", until: "2026-12-31T00:00:00Z" };

function makeEvent(
  name: string,
  occurred: string,
  resource: Labels,
  related: Labels[] = [],
  payload: Record<string, unknown> = {},
): WireEvent {
  return { occurred, event: name, resource, related, payload, id: randomUUID(), follows: null };
}

/** A small world of events: two flow runs of one flow, a deployment, a custom event. */
function sampleEvents() {
  const flow = {
    "prefect.resource.id": "prefect.flow.f1",
    "prefect.resource.role": "flow",
    "prefect.resource.name": "etl",
  };
  const tagA = { "prefect.resource.id": "prefect.tag.a", "prefect.resource.role": "tag" };
  const run = (id: string, name: string) => ({
    "prefect.resource.id": `prefect.flow-run.${id}`,
    "prefect.resource.name": name,
    "prefect.state-type": "RUNNING",
  });
  return [
    makeEvent("prefect.flow-run.Pending", "2026-06-01T10:00:00Z", run("r1", "brave-fox"), [
      flow,
      tagA,
    ]),
    makeEvent(
      "prefect.flow-run.Running",
      "2026-06-01T10:00:01Z",
      run("r1", "brave-fox"),
      [flow, tagA],
      {
        note: "went RUNNING after a Connection Timeout",
      },
    ),
    makeEvent("prefect.flow-run.Pending", "2026-06-02T09:00:00Z", run("r2", "calm-owl"), [flow]),
    makeEvent("custom.thing.happened", "2026-06-03T00:00:00Z", {
      "prefect.resource.id": "acme.widget.7",
      "acme.color": "blue",
    }),
  ];
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the event store and its routes`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    const post = (url: string, payload: unknown) =>
      app.inject({ method: "POST", url: `/api${url}`, payload: payload as object });
    const filter = async (f: Record<string, unknown>, limit?: number) => {
      const res = await post("/events/filter", { filter: { occurred: WINDOW, ...f }, limit });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { events: WireEvent[]; total: number; next_page: string | null };
    };
    const names = async (f: Record<string, unknown>) =>
      (await filter({ order: "ASC", ...f })).events.map(
        (e) => `${e.event}@${e.occurred.slice(0, 10)}`,
      );

    let sample: WireEvent[] = [];
    // sockets a failed assertion may leave open are ended before the server closes
    const sockets: WebSocket[] = [];
    const connect = (url: string) => {
      const socket = new WebSocket(url, ["prefect"]);
      sockets.push(socket);
      return socket;
    };
    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
      sample = sampleEvents();
      assert.equal((await post("/events", sample)).statusCode, 204);
      // redelivered (same ids, another batch): ignored
      assert.equal((await post("/events", sample.slice(0, 2))).statusCode, 204);
      await app.flushEvents();
    });
    after(async () => {
      for (const socket of sockets) socket.terminate();
      await app.close();
      await t.dispose();
    });

    it("stores every posted event once and answers Prefect's EventPage, newest first", async () => {
      const page = await filter({});
      assert.equal(page.total, 4);
      assert.equal(page.next_page, null);
      assert.deepEqual(
        page.events.map((e) => e.id),
        [...sample].reverse().map((e) => e.id),
      );
      const first = page.events[3];
      assert.ok(first);
      assert.deepEqual(Object.keys(first), [
        "occurred",
        "event",
        "resource",
        "related",
        "payload",
        "id",
        "follows",
        "received",
      ]);
      assert.equal(first.occurred, "2026-06-01T10:00:00.000000Z");
      assert.deepEqual(first.resource, sample[0]?.resource);
      assert.deepEqual(first.related, sample[0]?.related);
      assert.ok(first.received && Date.parse(first.received) > 0);
      const rows = await t.database.db.selectFrom("event_resources").select("event_id").execute();
      assert.equal(rows.length, 3 + 3 + 2 + 1, "one row per resource of each stored event");
    });

    it("filters by time, name, resource, related resources, any resource, id and text", async () => {
      assert.deepEqual(
        await names({ occurred: { since: "2026-06-02T00:00:00Z", until: WINDOW.until } }),
        ["prefect.flow-run.Pending@2026-06-02", "custom.thing.happened@2026-06-03"],
      );
      assert.deepEqual(
        await names({
          event: { prefix: ["prefect.flow-run."], exclude_name: ["prefect.flow-run.Running"] },
        }),
        ["prefect.flow-run.Pending@2026-06-01", "prefect.flow-run.Pending@2026-06-02"],
      );
      assert.deepEqual(await names({ event: { exclude_prefix: ["prefect."] } }), [
        "custom.thing.happened@2026-06-03",
      ]);
      assert.deepEqual(await names({ resource: { id: ["prefect.flow-run.r2"] } }), [
        "prefect.flow-run.Pending@2026-06-02",
      ]);
      assert.deepEqual(await names({ resource: { id_prefix: ["acme."] } }), [
        "custom.thing.happened@2026-06-03",
      ]);
      assert.deepEqual(await names({ resource: { labels: { "acme.color": ["blue", "red"] } } }), [
        "custom.thing.happened@2026-06-03",
      ]);
      assert.deepEqual(
        await names({ resource: { labels: { "prefect.resource.name": "brave*" } } }),
        ["prefect.flow-run.Pending@2026-06-01", "prefect.flow-run.Running@2026-06-01"],
      );
      assert.deepEqual(
        await names({
          resource: {
            labels: {
              "prefect.resource.id": "prefect.flow-run.*",
              "prefect.resource.name": "!brave-fox",
            },
          },
        }),
        ["prefect.flow-run.Pending@2026-06-02"],
      );
      assert.deepEqual(await names({ related: { id: ["prefect.tag.a"] } }), [
        "prefect.flow-run.Pending@2026-06-01",
        "prefect.flow-run.Running@2026-06-01",
      ]);
      assert.equal((await filter({ related: { role: ["flow"] } })).total, 3);
      // a related filter does not match the primary resource
      assert.equal((await filter({ related: { id: ["prefect.flow-run.r1"] } })).total, 0);
      assert.equal(
        (
          await filter({
            related: [
              { resources_in_roles: [["prefect.flow.f1", "flow"]] },
              { labels: { "prefect.resource.role": "tag" } },
            ],
          })
        ).total,
        2,
      );
      assert.equal((await filter({ any_resource: { id: ["prefect.flow-run.r1"] } })).total, 2);
      assert.equal((await filter({ any_resource: { id_prefix: ["prefect.flow."] } })).total, 3);
      assert.equal(
        (await filter({ any_resource: { labels: { "prefect.resource.name": "etl" } } })).total,
        3,
      );
      assert.deepEqual(
        (await filter({ id: { id: [sample[2]?.id] } })).events.map((e) => e.id),
        [sample[2]?.id],
      );
      assert.deepEqual(await names({ text: { query: "connection timeout" } }), [
        "prefect.flow-run.Running@2026-06-01",
      ]);
      assert.deepEqual(await names({ text: { query: "owl -pending" } }), []);
      const distinct = await filter({
        resource: { distinct: true, id_prefix: ["prefect.flow-run."] },
      });
      assert.equal(distinct.total, 2);
      assert.deepEqual(
        distinct.events.map((e) => e.event),
        ["prefect.flow-run.Pending", "prefect.flow-run.Running"],
        "the latest event of each resource",
      );
    });

    it("pages through many events with next_page URLs carrying Prefect's page token", async () => {
      const many = Array.from({ length: 57 }, (_, i) =>
        makeEvent("bulk.tick", new Date(Date.UTC(2026, 6, 1, 0, 0, i)).toISOString(), {
          "prefect.resource.id": `bulk.${i}`,
        }),
      );
      assert.equal((await post("/events", many)).statusCode, 204);
      await app.flushEvents();
      const first = await filter({ event: { name: ["bulk.tick"] }, order: "ASC" }, 25);
      assert.equal(first.total, 57);
      assert.equal(first.events.length, 25);
      const seen = first.events.map((e) => e.id);
      let next = first.next_page;
      while (next) {
        const url = new URL(next);
        assert.equal(url.pathname, "/api/events/filter/next");
        const token = url.searchParams.get("page-token") ?? "";
        const inner = JSON.parse(
          Buffer.from(Buffer.from(token, "base64").toString(), "base64").toString(),
        );
        assert.deepEqual(Object.keys(inner), ["filter", "count", "page_size", "offset"]);
        const res = await app.inject({ method: "GET", url: `${url.pathname}${url.search}` });
        assert.equal(res.statusCode, 200);
        const page = res.json() as { events: WireEvent[]; total: number; next_page: string | null };
        assert.equal(page.total, 57);
        seen.push(...page.events.map((e) => e.id));
        next = page.next_page;
      }
      assert.deepEqual(
        seen,
        many.map((e) => e.id),
      );
      const bad = await app.inject({
        method: "GET",
        url: "/api/events/filter/next?page-token=bm9wZQ==",
      });
      assert.equal(bad.statusCode, 403);
      assert.deepEqual(bad.json(), { detail: "Forbidden" });
      const missing = await app.inject({ method: "GET", url: "/api/events/filter/next" });
      assert.equal(missing.statusCode, 422);
    });

    it("counts events by event name, resource and time buckets", async () => {
      const f = { occurred: WINDOW, event: { prefix: ["prefect.", "custom."] } };
      const byEvent = (await post("/events/count-by/event", { filter: f })).json();
      assert.deepEqual(
        byEvent.map((c: { value: string; count: number }) => [c.value, c.count]),
        [
          ["prefect.flow-run.Pending", 2],
          ["custom.thing.happened", 1],
          ["prefect.flow-run.Running", 1],
        ],
      );
      assert.equal(byEvent[0].start_time, "2026-06-01T10:00:00.000000Z");
      assert.equal(byEvent[0].end_time, "2026-06-02T09:00:00.000000Z");
      const byResource = (await post("/events/count-by/resource", { filter: f })).json();
      assert.deepEqual(
        byResource.map((c: { value: string; label: string; count: number }) => [
          c.value,
          c.label,
          c.count,
        ]),
        [
          ["prefect.flow-run.r1", "brave-fox", 2],
          ["acme.widget.7", "acme.widget.7", 1],
          ["prefect.flow-run.r2", "calm-owl", 1],
        ],
      );
      const days = (
        await post("/events/count-by/day", {
          filter: {
            ...f,
            occurred: { since: "2026-05-31T12:00:00Z", until: "2026-06-03T12:00:00Z" },
          },
        })
      ).json();
      assert.deepEqual(
        days.map(
          (c: {
            value: string;
            label: string;
            count: number;
            start_time: string;
            end_time: string;
          }) => [c.value, c.label, c.count, c.start_time, c.end_time],
        ),
        [
          [
            "0",
            "2026-05-31T00:00:00+00:00",
            0,
            "2026-05-31T00:00:00.000000Z",
            "2026-05-31T23:59:59.999999Z",
          ],
          [
            "1",
            "2026-06-01T00:00:00+00:00",
            2,
            "2026-06-01T00:00:00.000000Z",
            "2026-06-01T23:59:59.999999Z",
          ],
          [
            "2",
            "2026-06-02T00:00:00+00:00",
            1,
            "2026-06-02T00:00:00.000000Z",
            "2026-06-02T23:59:59.999999Z",
          ],
          [
            "3",
            "2026-06-03T00:00:00+00:00",
            1,
            "2026-06-03T00:00:00.000000Z",
            "2026-06-03T23:59:59.999999Z",
          ],
        ],
      );
      const hours = (
        await post("/events/count-by/time", {
          filter: {
            ...f,
            occurred: { since: "2026-06-01T09:00:00Z", until: "2026-06-01T11:00:00Z" },
          },
          time_unit: "minute",
          time_interval: 30,
        })
      ).json();
      assert.deepEqual(
        hours.map((c: { count: number }) => c.count),
        [0, 0, 2, 0],
      );
      const tooMany = await post("/events/count-by/time", { filter: f, time_unit: "second" });
      assert.equal(tooMany.statusCode, 422);
      assert.match(tooMany.json().detail, /buckets, which is too many/);
    });

    it("emits prefect.flow-run.<State> events when a flow run's state is set through the API", async () => {
      const flow = (await post("/flows/", { name: "evented" })).json();
      const run = (await post("/flow_runs/", { flow_id: flow.id, tags: ["nightly"] })).json();
      const set = await post(`/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } });
      assert.equal(set.statusCode, 201);
      await app.flushEvents();
      const page = await filter({
        occurred: { since: "2000-01-01T00:00:00Z", until: "2100-01-01T00:00:00Z" },
        resource: { id: [`prefect.flow-run.${run.id}`] },
        order: "ASC",
      });
      assert.deepEqual(
        page.events.map((e) => e.event),
        ["prefect.flow-run.Pending", "prefect.flow-run.Running"],
      );
      const running = page.events[1];
      assert.ok(running);
      assert.equal(running.resource["prefect.state-type"], "RUNNING");
      assert.equal(running.resource["prefect.resource.name"], run.name);
      assert.deepEqual(
        running.related.map((r) => [r["prefect.resource.id"], r["prefect.resource.role"]]),
        [
          [`prefect.flow.${flow.id}`, "flow"],
          ["prefect.tag.nightly", "tag"],
        ],
      );
      assert.deepEqual(running.payload.intended, { from: "PENDING", to: "RUNNING" });
      assert.equal((running.payload.validated_state as { type: string }).type, "RUNNING");
      assert.equal(running.follows, page.events[0]?.id);
      assert.equal(running.id, set.json().state.id);
    });

    it("streams matching events on /events/out: backfill first, then live ones", async () => {
      await app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = app.server.address() as AddressInfo;
      const ws = connect(`ws://127.0.0.1:${port}/api/events/out`);
      ws.on("error", () => undefined);
      const frames: Record<string, unknown>[] = [];
      const waiters: (() => void)[] = [];
      ws.on("message", (data) => {
        frames.push(JSON.parse(data.toString()));
        for (const w of waiters.splice(0)) w();
      });
      const framesReach = async (n: number) => {
        while (frames.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      };
      await new Promise<void>((resolve) => ws.on("open", () => resolve()));
      ws.send(JSON.stringify({ type: "auth", token: null }));
      await framesReach(1);
      assert.deepEqual(frames[0], { type: "auth_success" });
      ws.send(
        JSON.stringify({
          type: "filter",
          filter: {
            occurred: { since: "2026-01-01T00:00:00Z", until: "2100-01-01T00:00:00Z" },
            event: { prefix: ["prefect.flow-run.P"], name: null },
            resource: null,
            related: { id: ["prefect.flow.f1"] },
            any_resource: null,
            id: { id: [] },
            text: null,
            order: "DESC",
          },
        }),
      );
      await framesReach(3);
      assert.deepEqual(
        frames.slice(1).map((f) => [f.type, (f.event as WireEvent).id]),
        [
          ["event", sample[0]?.id],
          ["event", sample[2]?.id],
        ],
        "the backfill, oldest first",
      );
      const live = [
        makeEvent("custom.not.matching", new Date().toISOString(), {
          "prefect.resource.id": "x.1",
        }),
        makeEvent(
          "prefect.flow-run.Paused",
          new Date().toISOString(),
          { "prefect.resource.id": "x.2" },
          [{ "prefect.resource.id": "prefect.flow.f1", "prefect.resource.role": "flow" }],
        ),
      ];
      assert.equal((await post("/events", live)).statusCode, 204);
      await framesReach(4);
      const liveFrame = frames[3] as { event: WireEvent };
      assert.equal(liveFrame.event.id, live[1]?.id);
      assert.ok(liveFrame.event.received);
      const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
      ws.close();
      await closed;

      // a second frame that is not a filter closes the socket with 1002
      const rude = connect(`ws://127.0.0.1:${port}/api/events/out`);
      rude.on("error", () => undefined);
      const rudeClosed = new Promise<[number, string]>((resolve) =>
        rude.on("close", (code, reason) => resolve([code, reason.toString()])),
      );
      await new Promise<void>((resolve) => rude.on("open", () => resolve()));
      rude.send(JSON.stringify({ type: "auth", token: "x" }));
      rude.send(JSON.stringify({ type: "filter", filter: { bogus: 1 } }));
      const [code, reason] = await rudeClosed;
      assert.equal(code, 1002);
      assert.match(reason, /^Invalid filter/);
    });

    it("answers bad input with 4xx in Prefect's shape and stores nothing of a refused batch", async () => {
      await app.flushEvents();
      const before = await filter({
        occurred: { since: "2000-01-01T00:00:00Z", until: "2100-01-01T00:00:00Z" },
      });
      const cases: [string, unknown, number][] = [
        ["/events/filter", { limit: 51 }, 422],
        ["/events/filter", { limit: -1 }, 422],
        ["/events/filter", { filter: { bogus: true } }, 422],
        ["/events/filter", { filter: { occurred: { since: "yesterday" } } }, 422],
        ["/events/filter", { filter: { id: { id: ["not-a-uuid"] } } }, 422],
        ["/events/filter", { filter: { order: "SIDEWAYS" } }, 422],
        ["/events/filter", { filter: { text: { query: "x".repeat(201) } } }, 422],
        ["/events/filter", { filter: { related: { resources_in_roles: [["only-one"]] } } }, 422],
        ["/events/count-by/day", {}, 422],
        ["/events/count-by/weekday", { filter: {} }, 422],
        ["/events/count-by/time", { filter: {}, time_interval: 0.001 }, 422],
        ["/events/count-by/time", { filter: {}, time_unit: "fortnight" }, 422],
        [
          "/events",
          [
            { ...makeEvent("ok.event", "2026-06-01T00:00:00Z", { "prefect.resource.id": "ok" }) },
            { event: "bad" },
          ],
          422,
        ],
        [
          "/events",
          [makeEvent("no.id", "2026-06-01T00:00:00Z", { "prefect.resource.id": "" })],
          422,
        ],
        ["/events", { not: "an array" }, 422],
      ];
      for (const [url, body, status] of cases) {
        const res = await post(url, body);
        assert.equal(res.statusCode, status, `${url} ${JSON.stringify(body)} → ${res.body}`);
        const json = res.json();
        assert.ok("exception_detail" in json || "detail" in json, res.body);
      }
      const malformed = await app.inject({
        method: "POST",
        url: "/api/events/filter",
        headers: { "content-type": "application/json" },
        payload: "{not json",
      });
      assert.equal(malformed.statusCode, 422);
      await app.flushEvents();
      const after = await filter({
        occurred: { since: "2000-01-01T00:00:00Z", until: "2100-01-01T00:00:00Z" },
      });
      assert.equal(after.total, before.total, "nothing of a refused batch is stored");
    });
  });
}

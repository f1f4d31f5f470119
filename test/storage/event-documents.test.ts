/**
 * The event store takes an event decoded or as an `EventDocument` (its JSON as text or UTF-8 bytes,
 * as the server keeps events waiting for PostgreSQL's store): all are stored alike, on either
 * database, and a document is taken as sent — with the event's other keys in it, as in a frame of
 * `/events/in`.
 */

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { nowIso } from "../../src/core/time.ts";
import { EventFilterSchema, resolveEventFilter } from "../../src/resources/events/filter-schema.ts";
import { eventDocument } from "../../src/resources/events/pg-insert.ts";
import {
  insertEvents,
  type ReceivedEvent,
  readEvents,
} from "../../src/resources/events/queries.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

function sampleEvent(name: string): ReceivedEvent {
  return {
    occurred: "2026-11-22T06:00:00.123456Z",
    event: name,
    resource: {
      "prefect.resource.id": `prefect.task-run.${randomUUID()}`,
      "prefect.resource.name": 'répété "quoted" \\ name',
    },
    related: [
      {
        "prefect.resource.id": `prefect.flow-run.${randomUUID()}`,
        "prefect.resource.role": "flow-run",
      },
      { "prefect.resource.id": "prefect.tag.a", "prefect.resource.role": "tag" },
    ],
    payload: { task_run: { name: "t", tags: ["a"], nested: { n: 1.5, none: null } } },
    id: randomUUID(),
    follows: null,
    received: "2026-11-22T06:00:00.200000Z",
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: events stored from their JSON text`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await t.dispose();
    });

    it("stores an event given as a document as it stores the decoded event, resources included", async () => {
      const decoded = sampleEvent("test.decoded");
      const asFrame = sampleEvent("test.document");
      const asBytes = sampleEvent("test.bytes");
      const frameOf = ({ received: _received, ...frame }: ReceivedEvent) => JSON.stringify(frame);
      const documents = [
        eventDocument(asFrame, frameOf(asFrame)),
        eventDocument(sampleEvent("test.serialised")),
        eventDocument(asBytes, Buffer.from(frameOf(asBytes))),
      ];
      assert.equal(await insertEvents(t.database, [decoded, ...documents]), 4);
      // a repeated id is skipped, whatever form it comes in
      assert.equal(await insertEvents(t.database, [eventDocument(decoded)]), 0);

      const occurred = { since: "2026-11-22T00:00:00Z", until: "2026-11-23T00:00:00Z" };
      const filter = (more: object = {}) =>
        resolveEventFilter(EventFilterSchema.parse({ occurred, ...more }), nowIso());
      const stored = await readEvents(t.database, filter(), 10);
      assert.deepEqual(stored.map((e) => e.event).sort(), [
        "test.bytes",
        "test.decoded",
        "test.document",
        "test.serialised",
      ]);
      for (const sent of [asFrame, asBytes]) {
        const back = stored.find((e) => e.id === sent.id);
        assert.deepEqual(
          { ...back, occurred: Date.parse(back?.occurred ?? ""), received: undefined },
          { ...sent, occurred: Date.parse(sent.occurred), received: undefined },
        );
      }
      // found by a related resource: its event_resources rows were written from the document
      const byTag = await readEvents(
        t.database,
        filter({ related: { id: ["prefect.tag.a"], role: ["tag"] } }),
        10,
      );
      assert.equal(byTag.length, 4);
    });
  });
}

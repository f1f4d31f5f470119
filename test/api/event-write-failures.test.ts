/**
 * Writes of the event bus that fail: one event that cannot be written takes no other with it, and
 * none is dropped silently (each is logged at error level, naming it, and counted).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Event } from "../../src/core/events.ts";
import { EventPipeline } from "../../src/resources/events/pipeline.ts";
import type { AppLogger } from "../../src/services/context.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

function event(n: number, payload: Record<string, unknown> = {}): Event {
  return {
    occurred: new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString(),
    event: `test.write-failure.${n}`,
    resource: { "prefect.resource.id": `test.thing.${n}` },
    related: [],
    payload: { n, ...payload },
    id: randomUUID(),
  };
}

/** A logger that keeps what was logged at error level. */
function recordingLog() {
  const errors: { details: Record<string, unknown>; message: string }[] = [];
  const log: AppLogger = {
    info: () => undefined,
    warn: () => undefined,
    error: (details, message) =>
      errors.push({ details: details as Record<string, unknown>, message }),
  };
  return { log, errors };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: event writes that fail`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await t.dispose();
    });

    it("a consumer's bad item is isolated: the rest of its batch is written, it is logged and counted", async () => {
      const { log, errors } = recordingLog();
      const pipeline = new EventPipeline(t.database, { log, maxAttempts: 2, flushIntervalMs: 5 });
      const written: number[] = [];
      let writes = 0;
      pipeline.addConsumer<number>({
        name: "test consumer",
        accepts: (e) => e.event.startsWith("test.write-failure."),
        read: (e) => Number(e.payload.n),
        write: async (items) => {
          writes++;
          if (items.includes(37)) throw new Error("item 37 cannot be written");
          written.push(...items);
        },
        describe: (n) => ({ item: n }),
      });
      const events = Array.from({ length: 100 }, (_, i) => event(i));
      pipeline.receive(events);
      await pipeline.flush();
      // the item at fault waits for its retry; an explicit flush tries it at once
      await pipeline.flush();
      await pipeline.close();
      assert.deepEqual(
        written.sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 37),
      );
      assert.equal(pipeline.dropped, 1);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.details.item, 37);
      assert.match(errors[0]?.message ?? "", /test consumer failed 2 times: dropped/);
      assert.equal(errors[0]?.details.attempts, 2);
      assert.ok(writes > 2, "the failing batch was split and written again");
    });

    it("a database that is away is waited for: its failures use up no attempt, nothing is dropped", async () => {
      const { log, errors } = recordingLog();
      const pipeline = new EventPipeline(t.database, { log, maxAttempts: 2, flushIntervalMs: 5 });
      const written: number[] = [];
      let failures = 0;
      let allWritten: () => void = () => undefined;
      const done = new Promise<void>((resolve) => {
        allWritten = resolve;
      });
      pipeline.addConsumer<number>({
        name: "test consumer",
        accepts: (e) => e.event.startsWith("test.write-failure."),
        read: (e) => Number(e.payload.n),
        write: async (items) => {
          if (failures < 3) {
            failures++;
            throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
              code: "ECONNREFUSED",
            });
          }
          written.push(...items);
          if (written.length === 10) allWritten();
        },
      });
      pipeline.receive(Array.from({ length: 10 }, (_, i) => event(2000 + i)));
      // the lane's retry timer does not keep a process alive: this test waits for it
      const keepAlive = setInterval(() => undefined, 1000);
      await done.finally(() => clearInterval(keepAlive));
      await pipeline.close();
      assert.equal(failures, 3, "three failed writes, each of the whole batch (no split)");
      assert.equal(written.length, 10);
      assert.equal(pipeline.dropped, 0);
      assert.deepEqual(errors, []);
    });

    if (dialect === "postgres") {
      it("an event the store cannot hold (a NUL character) is dropped alone, and says so", async () => {
        const { log, errors } = recordingLog();
        const pipeline = new EventPipeline(t.database, { log, maxAttempts: 1 });
        const events = Array.from({ length: 50 }, (_, i) =>
          event(1000 + i, i === 20 ? { text: "nul \u0000 here" } : {}),
        );
        pipeline.receive(events);
        await pipeline.flush();
        const stored = await t.database.db
          .selectFrom("events")
          .select("id")
          .where(
            "id",
            "in",
            events.map((e) => e.id),
          )
          .execute();
        const ids = new Set(stored.map((r) => r.id));
        assert.equal(ids.size, 49);
        assert.ok(!ids.has(events[20]?.id ?? ""));
        assert.equal(pipeline.dropped, 1);
        assert.equal(errors[0]?.details.eventId, events[20]?.id);
      });
    }
  });
}

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, beforeEach, describe, it, mock } from "node:test";
import { ErrorCode, PrefectTsError } from "../../src/core/errors.ts";
import { addSeconds, type Clock } from "../../src/core/time.ts";
import { insertEvents, type ReceivedEvent } from "../../src/resources/events/queries.ts";
import {
  deleteEventBatch,
  deleteEventsOlderThan,
  EVENT_DELETE_BATCH_SIZE,
} from "../../src/resources/events/retention-queries.ts";
import {
  EVENT_TRIM_INTERVAL_MS,
  EventRetention,
  type EventRetentionLog,
} from "../../src/services/event-retention.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

const NOW = "2026-06-10T12:00:00.000000Z";
const HOUR = 3600;

/** An event `ageSeconds` before NOW, with its primary resource and one related resource. */
function eventAged(ageSeconds: number, name = "test.thing.happened"): ReceivedEvent {
  const id = randomUUID();
  return {
    occurred: addSeconds(NOW, -ageSeconds),
    event: name,
    resource: { "prefect.resource.id": `test.thing.${id}` },
    related: [{ "prefect.resource.id": "prefect.tag.retention", "prefect.resource.role": "tag" }],
    payload: {},
    id,
    follows: null,
    received: NOW,
  };
}

/** A clock standing at `now` until moved. */
function fixedClock(now: string): Clock & { now: string } {
  return {
    now,
    nowIso() {
      return this.now;
    },
  };
}

/** Log lines as they come, and a way to wait for the n-th one (no sleeping). */
function recordingLog() {
  const lines: string[] = [];
  let wake: () => void = () => undefined;
  const log: EventRetentionLog = {
    info: (line) => {
      lines.push(line);
      wake();
    },
    error: (line) => {
      lines.push(`error: ${line}`);
      wake();
    },
  };
  const lineCount = (n: number) =>
    new Promise<void>((resolve) => {
      // the service's timer is unref'd: something must keep the process up while we wait
      const keepAlive = setInterval(() => undefined, 60_000);
      wake = () => {
        if (lines.length < n) return;
        clearInterval(keepAlive);
        resolve();
      };
      wake();
    });
  return { lines, log, lineCount };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: event retention`, () => {
    let t: TestDatabase;
    const db = () => t.database.db;
    const storedIds = async () =>
      (await db().selectFrom("events").select("id").orderBy("occurred").execute()).map((r) => r.id);
    const resourceEventIds = async () =>
      [
        ...new Set(
          (await db().selectFrom("event_resources").select("event_id").execute()).map(
            (r) => r.event_id,
          ),
        ),
      ].sort();
    const resourceCount = async () =>
      Number(
        (
          await db()
            .selectFrom("event_resources")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const store = async (events: ReceivedEvent[]) => {
      assert.equal(await insertEvents(t.database, events), events.length);
    };

    before(async () => {
      t = await createTestDatabase(dialect);
    });
    after(async () => {
      await t.dispose();
    });
    beforeEach(async () => {
      await db().deleteFrom("event_resources").execute();
      await db().deleteFrom("events").execute();
    });

    it("deletes the events that occurred before the cutoff with their resources, and keeps the rest", async () => {
      const old = [eventAged(10 * 86_400), eventAged(8 * 86_400), eventAged(HOUR + 1)];
      const atCutoff = eventAged(HOUR);
      const recent = [atCutoff, eventAged(60), eventAged(0)];
      await store([...recent, ...old]);
      const cutoff = addSeconds(NOW, -HOUR);

      const result = await deleteEventsOlderThan(t.database, cutoff);

      assert.deepEqual(result, { events: 3, resources: 6, batches: 1 });
      const kept = recent.map((e) => e.id);
      assert.deepEqual(new Set(await storedIds()), new Set(kept));
      assert.deepEqual(await resourceEventIds(), [...kept].sort());
      assert.equal(await resourceCount(), 6);
      // nothing left to delete: a second pass is a no-op
      assert.deepEqual(await deleteEventsOlderThan(t.database, cutoff), {
        events: 0,
        resources: 0,
        batches: 0,
      });
    });

    it("deletes batch after batch until no old event is left", async () => {
      const old = Array.from({ length: 25 }, (_, i) => eventAged(2 * HOUR + i));
      const recent = [eventAged(10), eventAged(20)];
      await store([...old, ...recent]);

      const result = await deleteEventsOlderThan(t.database, addSeconds(NOW, -HOUR), {
        batchSize: 10,
      });

      assert.deepEqual(result, { events: 25, resources: 50, batches: 3 });
      assert.deepEqual(new Set(await storedIds()), new Set(recent.map((e) => e.id)));
      assert.equal(await resourceCount(), 4);
      assert.equal(EVENT_DELETE_BATCH_SIZE, 10_000);
    });

    it("deletes at most the batch size per batch, oldest first", async () => {
      const old = [eventAged(5 * HOUR), eventAged(4 * HOUR), eventAged(3 * HOUR)];
      await store(old);
      const batch = await deleteEventBatch(t.database, addSeconds(NOW, -HOUR), 2);
      assert.deepEqual(batch, { events: 2, resources: 4 });
      assert.deepEqual(await storedIds(), [old[2]?.id]);
      assert.deepEqual(await resourceEventIds(), [old[2]?.id]);
    });

    it("leaves the resources of an event the batch did not take, even at the same time", async () => {
      const same = [eventAged(2 * HOUR), eventAged(2 * HOUR), eventAged(2 * HOUR)];
      await store(same);
      assert.deepEqual(await deleteEventBatch(t.database, addSeconds(NOW, -HOUR), 2), {
        events: 2,
        resources: 4,
      });
      const left = await storedIds();
      assert.equal(left.length, 1);
      assert.deepEqual(await resourceEventIds(), left);
      assert.equal(await resourceCount(), 2);
    });

    it("starts no batch once its signal is aborted", async () => {
      await store([eventAged(2 * HOUR)]);
      const abort = new AbortController();
      abort.abort();
      const result = await deleteEventsOlderThan(t.database, addSeconds(NOW, -HOUR), {
        signal: abort.signal,
      });
      assert.deepEqual(result, { events: 0, resources: 0, batches: 0 });
      assert.equal((await storedIds()).length, 1);
    });

    it("the service trims at start and again at each interval, logging what it deleted", async () => {
      const clock = fixedClock(NOW);
      const { lines, log, lineCount } = recordingLog();
      const first = eventAged(2 * HOUR);
      const second = eventAged(HOUR / 2);
      await store([first, second]);
      const service = new EventRetention(t.database, {
        retentionSeconds: HOUR,
        intervalMs: 1,
        clock,
        log,
      });
      try {
        await service.start();
        assert.deepEqual(await storedIds(), [second.id]);
        assert.deepEqual(lines, [
          `Trimmed 1 events and 2 event resources older than ${addSeconds(NOW, -HOUR)}.`,
        ]);
        // an hour later the second event is past the retention period too
        clock.now = addSeconds(NOW, HOUR);
        await lineCount(2);
        assert.deepEqual(await storedIds(), []);
        assert.equal(await resourceCount(), 0);
        assert.equal(lines[1], `Trimmed 1 events and 2 event resources older than ${NOW}.`);
      } finally {
        await service.stop();
      }
    });

    it("the service's timer is unref'd and cleared on stop", async () => {
      const interval = 86_400_000 + 17;
      const setTimeoutSpy = mock.method(globalThis, "setTimeout");
      const clearTimeoutSpy = mock.method(globalThis, "clearTimeout");
      try {
        const service = new EventRetention(t.database, {
          retentionSeconds: HOUR,
          intervalMs: interval,
          clock: fixedClock(NOW),
        });
        await service.start();
        const timers = setTimeoutSpy.mock.calls
          .filter((c) => c.arguments[1] === interval)
          .map((c) => c.result as NodeJS.Timeout);
        assert.equal(timers.length, 1);
        const timer = timers[0] as NodeJS.Timeout;
        assert.equal(timer.hasRef(), false);
        await service.stop();
        assert.ok(clearTimeoutSpy.mock.calls.some((c) => c.arguments[0] === timer));
        // stopping twice is harmless
        await service.stop();
      } finally {
        setTimeoutSpy.mock.restore();
        clearTimeoutSpy.mock.restore();
      }
      assert.equal(EVENT_TRIM_INTERVAL_MS, 15 * 60 * 1000);
    });

    it("a failed trim is logged, not thrown", async () => {
      const { lines, log } = recordingLog();
      const service = new EventRetention(t.database, {
        retentionSeconds: HOUR,
        batchSize: 0,
        clock: fixedClock(NOW),
        log,
      });
      assert.equal(await service.trim(), null);
      assert.match(lines[0] ?? "", /^error: Error trimming events older than .*batchSize/);
    });

    it("a retention period reaching before year 1 deletes nothing", async () => {
      await store([eventAged(2 * HOUR)]);
      const service = new EventRetention(t.database, {
        retentionSeconds: 1e15,
        clock: fixedClock(NOW),
      });
      assert.equal(service.cutoff(), null);
      assert.deepEqual(await service.trim(), { events: 0, resources: 0, batches: 0 });
      assert.equal((await storedIds()).length, 1);
    });

    it("the API server trims once ready, and not at all unless asked", async () => {
      const old = eventAged(8 * 86_400);
      const recent = eventAged(86_400);
      await store([old, recent]);

      const plain = await createCheckedApp({ database: t.database });
      await plain.ready();
      await plain.close();
      assert.equal((await storedIds()).length, 2);

      const { lines, log, lineCount } = recordingLog();
      const app = await createCheckedApp({
        database: t.database,
        clock: fixedClock(NOW),
        eventRetention: { retentionSeconds: 7 * 86_400, log },
      });
      try {
        await app.ready();
        await lineCount(1);
        assert.match(lines[0] ?? "", /^Trimmed 1 events and 2 event resources older than /);
        assert.deepEqual(await storedIds(), [recent.id]);
      } finally {
        await app.close();
      }
    });
  });
}

describe("prefect-ts server start with PREFECT_SERVER_EVENTS_RETENTION_PERIOD", () => {
  const dialect = DIALECTS[0] ?? "sqlite";
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase(dialect);
  });
  after(async () => {
    await t.dispose();
  });

  it(`${dialect}: trims the events older than the period at start and says so`, async () => {
    // relative to the real clock: the server uses it
    const now = new Date().toISOString();
    const aged = (seconds: number) => ({ ...eventAged(0), occurred: addSeconds(now, -seconds) });
    const old = aged(3 * HOUR);
    const recent = aged(60);
    assert.equal(await insertEvents(t.database, [old, recent]), 2);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "server", "start", "--port", "0"],
      {
        env: {
          ...process.env,
          PREFECT_HOME: t.home,
          PREFECT_API_DATABASE_CONNECTION_URL: t.url,
          PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "PT1H",
          PREFECT_UI_ENABLED: "false",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = once(child, "exit");
    try {
      let trimmed = "";
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.startsWith("Trimmed")) {
          trimmed = line;
          break;
        }
      }
      assert.match(trimmed, /^Trimmed 1 events and 2 event resources older than \S+Z\.$/);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = await exited;
    assert.equal(code, 0);
    const ids = (await t.database.db.selectFrom("events").select("id").execute()).map((r) => r.id);
    assert.deepEqual(ids, [recent.id]);
  });
});

describe("PREFECT_SERVER_EVENTS_RETENTION_PERIOD", () => {
  const retention = (env: NodeJS.ProcessEnv) => loadSettings(env).eventsRetentionSeconds;

  it("defaults to 7 days", () => {
    assert.equal(retention({}), 7 * 86_400);
    assert.equal(retention({ PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "" }), 7 * 86_400);
  });

  it("takes seconds or an ISO 8601 duration", () => {
    const of = (value: string) => retention({ PREFECT_SERVER_EVENTS_RETENTION_PERIOD: value });
    assert.equal(of("P7D"), 7 * 86_400);
    assert.equal(of("PT1H"), 3600);
    assert.equal(of("P1DT12H30M"), 86_400 + 12 * 3600 + 30 * 60);
    assert.equal(of("P2W"), 14 * 86_400);
    assert.equal(of("3600"), 3600);
    assert.equal(of(" 90.5 "), 90.5);
    assert.equal(of("0"), 0);
  });

  it("also reads Prefect's older name, PREFECT_EVENTS_RETENTION_PERIOD; the newer wins", () => {
    assert.equal(retention({ PREFECT_EVENTS_RETENTION_PERIOD: "PT2H" }), 7200);
    assert.equal(
      retention({
        PREFECT_EVENTS_RETENTION_PERIOD: "PT2H",
        PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "P1D",
      }),
      86_400,
    );
  });

  it("refuses anything else with an error naming the variable", () => {
    for (const [value, why] of [
      ["7 days", /'7 days' is not a duration: give seconds \(3600\) or an ISO 8601 duration/],
      ["P", /not a duration/],
      ["PT", /not a duration/],
      ["P1Y", /not a duration/],
      ["Infinity", /not a duration/],
      ["-60", /'-60' is negative/],
    ] as const) {
      assert.throws(
        () => loadSettings({ PREFECT_SERVER_EVENTS_RETENTION_PERIOD: value }),
        (error: unknown) => {
          assert.ok(error instanceof PrefectTsError);
          assert.equal(error.code, ErrorCode.SETTINGS);
          assert.match(error.message, /PREFECT_SERVER_EVENTS_RETENTION_PERIOD: /);
          assert.match(error.message, why);
          return true;
        },
      );
    }
  });
});

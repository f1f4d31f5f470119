/**
 * The fast path of `/events/in` (`ordinaryEvent`) accepts only what `UnsizedEventSchema` accepts,
 * as the same event; and the events clients send take it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uuid7 } from "../../src/core/ids.ts";
import { defaultTaskRunPolicy, type TaskRun } from "../../src/core/runs.ts";
import { taskRunEventText } from "../../src/core/task-run-events.ts";
import { nowIso } from "../../src/core/time.ts";
import { ordinaryEvent } from "../../src/resources/events/ordinary-event.ts";
import { UnsizedEventSchema } from "../../src/resources/events/schema.ts";
import { assertFastPathAgrees } from "../helpers/fast-path.ts";
import { stateRecord } from "../helpers/records.ts";

function clientEventText(): string {
  const now = nowIso();
  const state = stateRecord("COMPLETED", "Completed");
  const run: TaskRun = {
    id: uuid7(),
    created: now,
    updated: now,
    name: "t-0",
    flow_run_id: uuid7(),
    task_key: "t",
    dynamic_key: "0",
    cache_key: null,
    cache_expiration: null,
    task_version: null,
    empirical_policy: defaultTaskRunPolicy(),
    tags: ["a", 'b"c'],
    labels: {},
    task_inputs: { x: [] },
    flow_run_run_count: 1,
    state_id: state.id,
    state_type: state.type,
    state_name: state.name,
    state_timestamp: state.timestamp,
    run_count: 1,
    expected_start_time: now,
    next_scheduled_start_time: null,
    start_time: now,
    end_time: now,
    total_run_time: 0.5,
    state,
  };
  return taskRunEventText(run, state, stateRecord("RUNNING", "Running"), {
    name: "run",
    flowId: uuid7(),
    flowName: "flow",
  });
}

type Json = Record<string, unknown>;
const base = (): Json => JSON.parse(clientEventText()) as Json;
const labels = (n: number) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [i === 0 ? "prefect.resource.id" : `l${i}`, "v"]),
  );

/** Events the schema accepts and events it rejects, each a change to a client's event. */
const variants: [string, (e: Json) => void][] = [
  ["as sent", () => undefined],
  [
    "without related, payload and follows",
    (e) => {
      delete e.related;
      delete e.payload;
      delete e.follows;
    },
  ],
  [
    "follows null",
    (e) => {
      e.follows = null;
    },
  ],
  [
    "an unknown key",
    (e) => {
      e.received = nowIso();
    },
  ],
  [
    "a __proto__ key",
    (e) => {
      Object.defineProperty(e, "__proto__", { value: {}, enumerable: true });
    },
  ],
  [
    "a __proto__ label",
    (e) => {
      Object.defineProperty(e.resource as Json, "__proto__", { value: "x", enumerable: true });
    },
  ],
  [
    "a __proto__ payload key",
    (e) => {
      Object.defineProperty(e.payload as Json, "__proto__", { value: 1, enumerable: true });
    },
  ],
  [
    "a number label",
    (e) => {
      (e.resource as Json)["prefect.run-count"] = 1;
    },
  ],
  [
    "an empty resource id",
    (e) => {
      (e.resource as Json)["prefect.resource.id"] = "";
    },
  ],
  [
    "no resource id",
    (e) => {
      delete (e.resource as Json)["prefect.resource.id"];
    },
  ],
  [
    "500 labels",
    (e) => {
      e.resource = labels(500);
    },
  ],
  [
    "501 labels",
    (e) => {
      e.resource = labels(501);
    },
  ],
  [
    "a related resource without a role",
    (e) => {
      delete ((e.related as Json[])[0] as Json)["prefect.resource.role"];
    },
  ],
  [
    "100 related resources",
    (e) => {
      e.related = Array.from({ length: 100 }, () => ({
        ...labels(2),
        "prefect.resource.role": "r",
      }));
    },
  ],
  [
    "101 related resources",
    (e) => {
      e.related = Array.from({ length: 101 }, () => ({
        ...labels(2),
        "prefect.resource.role": "r",
      }));
    },
  ],
  [
    "related not an array",
    (e) => {
      e.related = {};
    },
  ],
  [
    "payload an array",
    (e) => {
      e.payload = [];
    },
  ],
  [
    "payload null",
    (e) => {
      e.payload = null;
    },
  ],
  [
    "an empty event name",
    (e) => {
      e.event = "";
    },
  ],
  [
    "an event name of 1024 characters",
    (e) => {
      e.event = "x".repeat(1024);
    },
  ],
  [
    "an event name of 1025 characters",
    (e) => {
      e.event = "x".repeat(1025);
    },
  ],
  [
    "an id that is no UUID",
    (e) => {
      e.id = "not-a-uuid";
    },
  ],
  [
    "an upper-case id",
    (e) => {
      e.id = String(e.id).toUpperCase();
    },
  ],
  [
    "follows not a UUID",
    (e) => {
      e.follows = 7;
    },
  ],
  [
    "occurred with an offset",
    (e) => {
      e.occurred = "2026-11-22T01:33:24.5+01:00";
    },
  ],
  [
    "occurred not a time",
    (e) => {
      e.occurred = "yesterday";
    },
  ],
  [
    "occurred missing",
    (e) => {
      delete e.occurred;
    },
  ],
  [
    "not an object",
    (e) => {
      for (const k of Object.keys(e)) delete e[k];
    },
  ],
];

/** Variants the fast path takes (the others it may leave to the schema). */
const TAKEN = new Set([
  "as sent",
  "without related, payload and follows",
  "follows null",
  "500 labels",
  "100 related resources",
  "an event name of 1024 characters",
  "an upper-case id",
  "occurred with an offset",
]);

describe("the fast path of /events/in", () => {
  for (const [name, change] of variants) {
    it(`agrees with the schema: ${name}`, () => {
      const fastInput = base();
      change(fastInput);
      const schemaInput = structuredCloneKeepingProto(fastInput);
      assertFastPathAgrees(
        ordinaryEvent(fastInput),
        UnsizedEventSchema.safeParse(schemaInput),
        TAKEN.has(name),
      );
    });
  }

  it("takes the events clients send", () => {
    assert.notEqual(ordinaryEvent(base()), null);
    const bare = base();
    delete bare.related;
    delete bare.payload;
    const event = ordinaryEvent(bare);
    assert.deepEqual(event?.related, []);
    assert.deepEqual(event?.payload, {});
  });
});

/** A deep copy that keeps own `__proto__` keys as own keys (as JSON.parse makes them). */
function structuredCloneKeepingProto(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structuredCloneKeepingProto);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, {
      value: structuredCloneKeepingProto((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

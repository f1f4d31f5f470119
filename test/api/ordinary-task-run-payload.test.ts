import { describe, it } from "node:test";
import { uuid7 } from "../../src/core/ids.ts";
import { nowIso } from "../../src/core/time.ts";
import { RecordablePayloadSchema } from "../../src/resources/task-runs/event-payload-schema.ts";
import { ordinaryTaskRunPayload } from "../../src/resources/task-runs/ordinary-event-payload.ts";
import { assertFastPathAgrees } from "../helpers/fast-path.ts";

type Json = Record<string, unknown>;

/** A payload as Prefect's Python client sends it (see the wire transcripts). */
function clientPayload(): Json {
  return {
    intended: { from: "PENDING", to: "RUNNING" },
    initial_state: { type: "PENDING", name: "Pending", message: "", state_details: {} },
    validated_state: {
      type: "RUNNING",
      name: "Running",
      message: "",
      state_details: {},
      data: null,
    },
    task_run: {
      name: "flaky-10c",
      task_key: "flaky-445e76e3",
      dynamic_key: "10c97baa-a19f-49f4-8ef1-b05a926c903e",
      empirical_policy: { max_retries: 0, retry_delay_seconds: 0, retries: 2, retry_delay: 0 },
      tags: [],
      labels: {},
      task_inputs: { n: [], attempts: [] },
      run_count: 1,
      flow_run_run_count: 1,
      expected_start_time: "2026-11-22T01:33:24.174282Z",
      start_time: "2026-11-22T01:33:24.176556Z",
      total_run_time: 0,
    },
  };
}

const run = (p: Json) => p.task_run as Json;
const state = (p: Json) => p.validated_state as Json;
const policy = (p: Json) => run(p).empirical_policy as Json;

const variants: [string, (p: Json) => void][] = [
  ["as sent", () => undefined],
  [
    "with every run field set",
    (p) => {
      Object.assign(run(p), {
        id: uuid7(),
        flow_run_id: uuid7(),
        cache_key: "k",
        cache_expiration: nowIso(),
        task_version: "1",
        next_scheduled_start_time: nowIso(),
        end_time: nowIso(),
        tags: ["a", "b"],
        labels: { a: 1, b: { c: [] } },
      });
      Object.assign(state(p), { id: uuid7(), timestamp: nowIso(), data: { x: 1 } });
      Object.assign(policy(p), { retry_delay: [1, 2.5], retry_jitter_factor: 0.5 });
    },
  ],
  [
    "with nulls where the schema allows them",
    (p) => {
      Object.assign(run(p), { name: null, flow_run_id: null, tags: null, task_inputs: null });
      Object.assign(state(p), { name: null, message: null, state_details: null });
      run(p).empirical_policy = null;
    },
  ],
  [
    "an unknown run key",
    (p) => {
      run(p).estimated_run_time = 0;
    },
  ],
  [
    "an unknown policy key",
    (p) => {
      policy(p).extra = 1;
    },
  ],
  [
    "an unknown state key",
    (p) => {
      state(p).extra = 1;
    },
  ],
  [
    "a task_key that is null",
    (p) => {
      run(p).task_key = null;
    },
  ],
  [
    "no dynamic_key",
    (p) => {
      delete run(p).dynamic_key;
    },
  ],
  [
    "an id that is null",
    (p) => {
      run(p).id = null;
    },
  ],
  [
    "a flow_run_id that is no UUID",
    (p) => {
      run(p).flow_run_id = "x";
    },
  ],
  [
    "a fractional run_count",
    (p) => {
      run(p).run_count = 1.5;
    },
  ],
  [
    "a total_run_time as text",
    (p) => {
      run(p).total_run_time = "0";
    },
  ],
  [
    "a start_time that is no time",
    (p) => {
      run(p).start_time = "soon";
    },
  ],
  [
    "a start_time with an offset",
    (p) => {
      run(p).start_time = "2026-11-22T01:33:24.5+01:00";
    },
  ],
  [
    "tags that are not strings",
    (p) => {
      run(p).tags = [1];
    },
  ],
  [
    "labels that are an array",
    (p) => {
      run(p).labels = [];
    },
  ],
  [
    "an upstream task input",
    (p) => {
      run(p).task_inputs = { x: [{ input_type: "task_run", id: uuid7() }] };
    },
  ],
  [
    "a task input that is not a list",
    (p) => {
      run(p).task_inputs = { x: 1 };
    },
  ],
  [
    "max_retries null",
    (p) => {
      policy(p).max_retries = null;
    },
  ],
  [
    "a negative jitter factor",
    (p) => {
      policy(p).retry_jitter_factor = -1;
    },
  ],
  [
    "51 retry delays",
    (p) => {
      policy(p).retry_delay = Array.from({ length: 51 }, () => 1);
    },
  ],
  [
    "an unknown state type",
    (p) => {
      state(p).type = "DONE";
    },
  ],
  [
    "a state timestamp that is null",
    (p) => {
      state(p).timestamp = null;
    },
  ],
  [
    "state details",
    (p) => {
      state(p).state_details = { cache_key: "k", retriable: true };
    },
  ],
  [
    "state details that are an array",
    (p) => {
      state(p).state_details = [];
    },
  ],
  [
    "no validated_state",
    (p) => {
      delete p.validated_state;
    },
  ],
  [
    "no task_run",
    (p) => {
      delete p.task_run;
    },
  ],
];

/** Variants the fast path takes (the others it may leave to the schema). */
const TAKEN = new Set([
  "as sent",
  "with every run field set",
  "with nulls where the schema allows them",
  "a start_time with an offset",
]);

describe("the fast path of the task-run recorder", () => {
  for (const [name, change] of variants) {
    it(`agrees with the schema: ${name}`, () => {
      const payload = clientPayload();
      change(payload);
      assertFastPathAgrees(
        ordinaryTaskRunPayload(structuredClone(payload)),
        RecordablePayloadSchema.safeParse(structuredClone(payload)),
        TAKEN.has(name),
      );
    });
  }
});

/**
 * The `PrefectClient` contract, held to by both implementations: the embedded client (the models,
 * in process) and the HTTP client (the REST API of a real server on an ephemeral port), over the
 * same database, on SQLite and on PostgreSQL. `contract(name, makeClient)` registers the same tests
 * for each client; the agreement tests run the same calls through both over one shared fixture and
 * compare what they answer, id for id and field for field; the event tests read, through the
 * server, the events the clients' transitions leave behind.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { HttpClient } from "../../src/client/http-client.ts";
import type { PrefectClient } from "../../src/client/prefect-client.ts";
import {
  ErrorCode,
  isPrefectTsError,
  ObjectNotFoundError,
  ValidationError,
} from "../../src/core/errors.ts";
import { FlowRunSort, FlowSort, TaskRunSort } from "../../src/core/filters.ts";
import { uuid4, uuid7 } from "../../src/core/ids.ts";
import type {
  FlowListOptions,
  FlowRunListOptions,
  LogListOptions,
  TaskRunListOptions,
} from "../../src/core/list-options.ts";
import type { Flow, FlowRun, LogRecord, TaskRun, TaskRunTransition } from "../../src/core/runs.ts";
import {
  emptyStateDetails,
  type OrchestrationResult,
  type StateCreate,
  type StateRecord,
} from "../../src/core/state.ts";
import { isTerminalType, StateType } from "../../src/core/state-types.ts";
import { normalizeIso, nowIso, secondsBetween } from "../../src/core/time.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import { loadSettings } from "../../src/settings/settings.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { taskRunRecord } from "../helpers/records.ts";

// ---------------------------------------------------------------------------------------------
// The fields of each record type, checked against the types at compile time
// ---------------------------------------------------------------------------------------------

/** The keys of `T` not in `K` (none, for a complete list). */
type Unlisted<T, K> = Exclude<keyof T, K>;
const complete = <T>(_: [T] extends [never] ? true : T) => undefined;

const FLOW_FIELDS = ["id", "created", "updated", "name", "tags", "labels"] as const;
/** An extension of Prefect's flow record the wire does not carry (`FlowResponse` leaves it out). */
const FLOW_OPTIONAL = ["parameter_openapi_schema"] as const;
complete<Unlisted<Flow, (typeof FLOW_FIELDS)[number] | (typeof FLOW_OPTIONAL)[number]>>(true);

const RUN_TIME_FIELDS = [
  "state_id",
  "state_type",
  "state_name",
  "state_timestamp",
  "run_count",
  "expected_start_time",
  "next_scheduled_start_time",
  "start_time",
  "end_time",
  "total_run_time",
  "state",
] as const;

const FLOW_RUN_FIELDS = [
  "id",
  "created",
  "updated",
  "name",
  "flow_id",
  "deployment_id",
  "deployment_version",
  "work_queue_id",
  "work_queue_name",
  "flow_version",
  "parameters",
  "idempotency_key",
  "context",
  "empirical_policy",
  "tags",
  "labels",
  "parent_task_run_id",
  "auto_scheduled",
  "infrastructure_document_id",
  "infrastructure_pid",
  "created_by",
  "work_pool_id",
  "work_pool_name",
  "job_variables",
  ...RUN_TIME_FIELDS,
] as const satisfies readonly (keyof FlowRun)[];
complete<Unlisted<FlowRun, (typeof FLOW_RUN_FIELDS)[number]>>(true);

const TASK_RUN_FIELDS = [
  "id",
  "created",
  "updated",
  "name",
  "flow_run_id",
  "task_key",
  "dynamic_key",
  "cache_key",
  "cache_expiration",
  "task_version",
  "empirical_policy",
  "tags",
  "labels",
  "task_inputs",
  "flow_run_run_count",
  ...RUN_TIME_FIELDS,
] as const satisfies readonly (keyof TaskRun)[];
complete<Unlisted<TaskRun, (typeof TASK_RUN_FIELDS)[number]>>(true);

const LOG_FIELDS = [
  "id",
  "created",
  "updated",
  "name",
  "level",
  "message",
  "timestamp",
  "flow_run_id",
  "task_run_id",
] as const satisfies readonly (keyof LogRecord)[];
complete<Unlisted<LogRecord, (typeof LOG_FIELDS)[number]>>(true);

const STATE_FIELDS = [
  "id",
  "type",
  "name",
  "timestamp",
  "message",
  "data",
  "state_details",
] as const satisfies readonly (keyof StateRecord)[];
complete<Unlisted<StateRecord, (typeof STATE_FIELDS)[number]>>(true);

/** What the HTTP answer adds to a run: Prefect's computed estimates (they depend on the time). */
const RUN_ESTIMATES = ["estimated_run_time", "estimated_start_time_delta"];

/** The record's fields of its type (what the two clients must agree on). */
function pick(record: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = (record as Record<string, unknown>)[field];
  return out;
}

/**
 * Every field of the record's type is there (none undefined), and nothing else but `allowed`
 * (optional fields, the HTTP answer's estimates).
 */
function assertShape(
  record: object,
  fields: readonly string[],
  allowed: readonly string[],
  label: string,
): void {
  const values = record as Record<string, unknown>;
  const missing = fields.filter((f) => values[f] === undefined);
  const unknown = Object.keys(values).filter((k) => !fields.includes(k) && !allowed.includes(k));
  assert.deepEqual({ missing, unknown }, { missing: [], unknown: [] }, `${label}: its fields`);
}

/** A run's denormalised state fields are its state's. */
function assertStateFields(run: FlowRun | TaskRun, label: string): void {
  assert.deepEqual(
    {
      state_id: run.state_id,
      state_type: run.state_type,
      state_name: run.state_name,
      state_timestamp: run.state_timestamp,
    },
    {
      state_id: run.state?.id ?? null,
      state_type: run.state?.type ?? null,
      state_name: run.state?.name ?? null,
      state_timestamp: run.state?.timestamp ?? null,
    },
    `${label}: state fields`,
  );
}

// ---------------------------------------------------------------------------------------------
// Expected orders: each sort's key (DESC puts nulls last, ASC first), then the id, same direction
// ---------------------------------------------------------------------------------------------

type SortSpec<T> = readonly [(row: T) => string | null, "asc" | "desc"];

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The ids of `rows` in the order a sort by `spec` gives them. */
function ordered<T extends { id?: string }>(rows: readonly T[], [key, direction]: SortSpec<T>) {
  const sign = direction === "asc" ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      let c = 0;
      if (x === y) c = 0;
      else if (x === null) c = direction === "asc" ? -1 : 1;
      else if (y === null) c = direction === "asc" ? 1 : -1;
      else c = sign * compareText(x, y);
      return c !== 0 ? c : sign * compareText(a.id ?? "", b.id ?? "");
    })
    .map((row) => row.id);
}

const FLOW_SORTS: Record<FlowSort, SortSpec<Flow>> = {
  CREATED_DESC: [(f) => f.created, "desc"],
  UPDATED_DESC: [(f) => f.updated, "desc"],
  NAME_ASC: [(f) => f.name, "asc"],
  NAME_DESC: [(f) => f.name, "desc"],
};

function runSorts<R extends FlowRun | TaskRun>() {
  return {
    ID_DESC: [(r: R) => r.id, "desc"],
    EXPECTED_START_TIME_ASC: [(r: R) => r.expected_start_time, "asc"],
    EXPECTED_START_TIME_DESC: [(r: R) => r.expected_start_time, "desc"],
    NAME_ASC: [(r: R) => r.name, "asc"],
    NAME_DESC: [(r: R) => r.name, "desc"],
    NEXT_SCHEDULED_START_TIME_ASC: [(r: R) => r.next_scheduled_start_time, "asc"],
    END_TIME_DESC: [(r: R) => r.end_time, "desc"],
  } as const satisfies Record<TaskRunSort, SortSpec<R>>;
}

const FLOW_RUN_SORTS: Record<FlowRunSort, SortSpec<FlowRun>> = {
  ...runSorts<FlowRun>(),
  START_TIME_ASC: [(r) => r.start_time ?? r.expected_start_time, "asc"],
  START_TIME_DESC: [(r) => r.start_time ?? r.expected_start_time, "desc"],
};
const TASK_RUN_SORTS: Record<TaskRunSort, SortSpec<TaskRun>> = runSorts<TaskRun>();
const LOG_ORDER = {
  asc: [(l: LogRecord) => l.timestamp, "asc"],
  desc: [(l: LogRecord) => l.timestamp, "desc"],
} as const satisfies Record<"asc" | "desc", SortSpec<LogRecord>>;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A name of lowercase letters and digits (sorted alike by every collation), unique. */
const unique = (prefix: string) => `${prefix}${uuid4().replaceAll("-", "").slice(0, 12)}`;

const T0 = Date.parse("2024-03-01T10:00:00.000Z");
/** A fixed time, `minutes` after T0. */
const at = (minutes: number) => normalizeIso(new Date(T0 + minutes * 60_000));

const ids = (rows: readonly { id?: string }[]) => rows.map((r) => r.id);

const state = (type: StateType, more: Omit<StateCreate, "type"> = {}): StateCreate => ({
  type,
  ...more,
});

/**
 * Transitions of a task run through `steps`, each with the run as it stands after it: the
 * bookkeeping the engine does for a client-orchestrated task run (run count, start and end times,
 * run time, the state fields).
 */
function transitionsOf(
  run: TaskRun,
  steps: readonly (readonly [StateType, string, string, string?])[],
): TaskRunTransition[] {
  const out: TaskRunTransition[] = [];
  let current: TaskRun = { ...run };
  for (const [type, name, timestamp, message] of steps) {
    const record: StateRecord = {
      id: uuid7(Date.parse(timestamp)),
      type,
      name,
      timestamp,
      message: message ?? null,
      data: null,
      state_details: {
        ...emptyStateDetails(),
        task_run_id: run.id,
        flow_run_id: run.flow_run_id,
      },
    };
    const next: TaskRun = { ...current };
    if (current.state_type === StateType.RUNNING && current.state_timestamp) {
      next.total_run_time += secondsBetween(current.state_timestamp, timestamp);
    }
    if (type === StateType.RUNNING) {
      next.run_count += 1;
      next.start_time ??= timestamp;
    }
    if (isTerminalType(type)) {
      next.end_time ??= timestamp;
      next.start_time ??= timestamp;
    }
    next.expected_start_time ??= timestamp;
    next.state_id = record.id;
    next.state_type = type;
    next.state_name = name;
    next.state_timestamp = timestamp;
    next.updated = timestamp;
    next.state = record;
    out.push({ run: next, state: record });
    current = next;
  }
  return out;
}

/** The parts of an orchestration result that do not depend on ids and times. */
function outcome(result: OrchestrationResult) {
  return {
    status: result.status,
    details: result.details,
    state: result.state && {
      type: result.state.type,
      name: result.state.name,
      message: result.state.message,
    },
  };
}

/** What an error is, as a caller tells errors apart. */
async function failure(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error) {
    assert.ok(isPrefectTsError(error), `a PrefectTsError, not ${String(error)}`);
    return { class: error.constructor.name, code: error.code, message: error.message };
  }
  assert.fail("the call succeeded");
}

interface StoredEvent {
  id: string;
  event: string;
  occurred: string;
  follows: string | null;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: the PrefectClient contract`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let apiUrl: string;
    let embedded: EmbeddedClient;
    let http: HttpClient;

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({
        database: t.database,
        // the server's late-runs service would rename old Scheduled runs `Late` on one side only
        settings: loadSettings({
          ...process.env,
          PREFECT_API_SERVICES_LATE_RUNS_ENABLED: "false",
          PREFECT_API_SERVICES_SCHEDULER_ENABLED: "false",
        }),
      });
      apiUrl = `${await app.listen({ host: "127.0.0.1", port: 0 })}/api`;
      embedded = new EmbeddedClient(t.database, { ownsDatabase: false });
      http = new HttpClient(apiUrl);
    });
    after(async () => {
      try {
        await http?.close();
        await embedded?.close();
      } finally {
        try {
          await app?.close();
        } finally {
          await t?.dispose();
        }
      }
    });

    /**
     * Wait until task-run transitions recorded through `client` are readable: the HTTP client's
     * events confirmed by the server, and written by its task-run recorder (the embedded client
     * writes them before `recordTaskRunTransitions` resolves).
     */
    async function settle(client: PrefectClient): Promise<void> {
      if (client instanceof HttpClient) {
        await client.confirmEvents();
        await app.flushEvents();
      }
    }

    /** The fields a record of `client` may carry beyond its type's. */
    const runExtras = (client: PrefectClient) => (client.mode === "http" ? RUN_ESTIMATES : []);

    /** The events stored for a resource, oldest first. */
    async function eventsOf(resourceId: string): Promise<StoredEvent[]> {
      const res = await fetch(`${apiUrl}/events/filter`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          filter: {
            occurred: { since: "2000-01-01T00:00:00Z" },
            resource: { id: [resourceId] },
            order: "ASC",
          },
          limit: 50,
        }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { events: StoredEvent[] }).events;
    }

    // -----------------------------------------------------------------------------------------
    // The contract, for each client
    // -----------------------------------------------------------------------------------------

    function contract(name: string, makeClient: () => PrefectClient): void {
      describe(`${name} client`, () => {
        let c: PrefectClient;
        before(() => {
          c = makeClient();
        });

        const assertFlowRun = (run: FlowRun, label: string) => {
          assertShape(run, FLOW_RUN_FIELDS, runExtras(c), label);
          assertStateFields(run, label);
        };
        const assertTaskRun = (run: TaskRun, label: string) => {
          assertShape(run, TASK_RUN_FIELDS, runExtras(c), label);
          assertStateFields(run, label);
        };

        // --- flows ---------------------------------------------------------------------------

        it("createFlow is idempotent by name; readFlow and readFlowByName return the flow", async () => {
          const flowName = unique("flow");
          const flow = await c.createFlow({
            name: flowName,
            tags: ["a", "b"],
            labels: { team: "x" },
          });
          assertShape(flow, FLOW_FIELDS, FLOW_OPTIONAL, "createFlow");
          assert.equal(flow.name, flowName);
          assert.deepEqual(flow.tags, ["a", "b"]);
          assert.equal(flow.labels.team, "x");
          const again = await c.createFlow({ name: flowName, tags: ["other"] });
          assert.deepEqual(pick(again, FLOW_FIELDS), pick(flow, FLOW_FIELDS));
          const read = await c.readFlow(flow.id);
          assertShape(read, FLOW_FIELDS, FLOW_OPTIONAL, "readFlow");
          assert.deepEqual(pick(read, FLOW_FIELDS), pick(flow, FLOW_FIELDS));
          assert.deepEqual(
            pick(await c.readFlowByName(flowName), FLOW_FIELDS),
            pick(flow, FLOW_FIELDS),
          );
          assert.notEqual((await c.createFlow({ name: unique("flow") })).id, flow.id);
        });

        it("readFlows filters by nameLike (case-insensitive), pages, and sorts newest first by default", async () => {
          const prefix = unique("list");
          const flows: Flow[] = [];
          for (const suffix of ["c", "a", "d", "b"]) {
            flows.push(await c.createFlow({ name: `${prefix}${suffix}` }));
          }
          const newestFirst = [...flows].reverse().map((f) => f.id);
          const list = (o: FlowListOptions) => c.readFlows(o).then(ids);
          assert.deepEqual(await list({ nameLike: prefix }), newestFirst);
          assert.deepEqual(await list({ nameLike: prefix.toUpperCase() }), newestFirst);
          assert.deepEqual(await list({ nameLike: `${prefix}d` }), [flows[2]?.id]);
          assert.deepEqual(await list({ nameLike: prefix, limit: 2 }), newestFirst.slice(0, 2));
          assert.deepEqual(
            await list({ nameLike: prefix, limit: 2, offset: 1 }),
            newestFirst.slice(1, 3),
          );
          assert.deepEqual(await list({ nameLike: prefix, offset: 3 }), newestFirst.slice(3));
          assert.deepEqual(await list({ nameLike: prefix, offset: 4 }), []);
          for (const sort of Object.values(FlowSort)) {
            assert.deepEqual(
              await list({ nameLike: prefix, sort }),
              ordered(flows, FLOW_SORTS[sort]),
              sort,
            );
          }
          // Prefect's criteria directly: a shorthand sets its field over them
          assert.deepEqual(
            await list({ flows: { id: { any_: [flows[0]?.id ?? "", flows[1]?.id ?? ""] } } }),
            [flows[1]?.id, flows[0]?.id],
          );
          assert.deepEqual(
            await list({ flows: { id: { any_: ids(flows) as string[] } }, nameLike: `${prefix}a` }),
            [flows[1]?.id],
          );
        });

        // --- flow runs -----------------------------------------------------------------------

        it("createFlowRun stores tags and parameters; an idempotency key gives the same run back", async () => {
          const flow = await c.createFlow({ name: unique("create") });
          const key = unique("key");
          const parameters = { x: 1, nested: { y: [1, "two", null] }, s: "text" };
          const run = await c.createFlowRun({
            flow_id: flow.id,
            name: "first",
            tags: ["t1", "t2"],
            parameters,
            idempotency_key: key,
          });
          assertFlowRun(run, "createFlowRun");
          assert.equal(run.flow_id, flow.id);
          assert.equal(run.name, "first");
          assert.deepEqual(run.tags, ["t1", "t2"]);
          assert.deepEqual(run.parameters, parameters);
          assert.equal(run.idempotency_key, key);
          assert.equal(run.labels["prefect.flow.id"], flow.id);
          assert.equal(run.state_type, StateType.PENDING);
          assert.equal(run.state?.name, "Pending");
          assert.equal(run.state?.state_details.flow_run_id, run.id);
          assert.equal(run.run_count, 0);
          assert.equal(run.start_time, null);
          assert.equal(run.expected_start_time, run.state?.timestamp);
          const read = await c.readFlowRun(run.id);
          assertFlowRun(read, "readFlowRun");
          assert.deepEqual(pick(read, FLOW_RUN_FIELDS), pick(run, FLOW_RUN_FIELDS));
          // the same key: the same run, as it was
          const again = await c.createFlowRun({
            flow_id: flow.id,
            idempotency_key: key,
            parameters: { x: 2 },
          });
          assert.deepEqual(pick(again, FLOW_RUN_FIELDS), pick(run, FLOW_RUN_FIELDS));
          // no key, or the key on another flow: new runs
          const other = await c.createFlowRun({ flow_id: flow.id, parameters: { x: 2 } });
          assert.notEqual(other.id, run.id);
          assert.deepEqual(other.parameters, { x: 2 });
          const otherFlow = await c.createFlow({ name: unique("create") });
          const elsewhere = await c.createFlowRun({ flow_id: otherFlow.id, idempotency_key: key });
          assert.notEqual(elsewhere.id, run.id);
          // a run created in a given state (its id and timestamp are for in-process callers: the
          // HTTP client leaves them out, as Prefect's StateCreate has neither)
          const scheduled = await c.createFlowRun({
            flow_id: flow.id,
            state: state(StateType.SCHEDULED, {
              id: uuid7(),
              timestamp: nowIso(),
              state_details: { scheduled_time: at(0) },
            }),
          });
          assert.equal(scheduled.state_type, StateType.SCHEDULED);
          assert.equal(scheduled.expected_start_time, at(0));
          assert.equal(scheduled.next_scheduled_start_time, at(0));
        });

        it("setFlowRunState accepts PENDING → RUNNING → COMPLETED; readFlowRunStates lists them in order", async () => {
          const flow = await c.createFlow({ name: unique("states") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          const running = await c.setFlowRunState(run.id, state(StateType.RUNNING));
          assert.equal(running.status, "ACCEPT");
          assert.deepEqual(running.details, { type: "accept_details" });
          assert.equal(running.state?.type, StateType.RUNNING);
          assert.equal(running.state?.state_details.flow_run_id, run.id);
          const mid = await c.readFlowRun(run.id);
          assertFlowRun(mid, "running");
          assert.equal(mid.state_id, running.state?.id);
          assert.equal(mid.run_count, 1);
          assert.equal(mid.start_time, running.state?.timestamp);
          const completed = await c.setFlowRunState(
            run.id,
            state(StateType.COMPLETED, { message: "done", data: { value: 42 } }),
          );
          assert.equal(completed.status, "ACCEPT");
          assert.equal(completed.state?.type, StateType.COMPLETED);
          assert.equal(completed.state?.message, "done");
          const done = await c.readFlowRun(run.id);
          assertFlowRun(done, "completed");
          assert.equal(done.state_type, StateType.COMPLETED);
          assert.equal(done.state_name, "Completed");
          assert.equal(done.end_time, completed.state?.timestamp);
          assert.equal(done.run_count, 1);
          assert.ok(done.total_run_time > 0);
          const history = await c.readFlowRunStates(run.id);
          assert.deepEqual(
            history.map((s) => s.type),
            [StateType.PENDING, StateType.RUNNING, StateType.COMPLETED],
          );
          assert.deepEqual(ids(history), [run.state?.id, running.state?.id, completed.state?.id]);
          for (const s of history) assertShape(s, STATE_FIELDS, [], "state");
          assert.deepEqual(history[1], running.state);
          assert.deepEqual(history[2], completed.state);
          assert.deepEqual(done.state, completed.state);
        });

        it("setFlowRunState rejects and aborts what the policy refuses, writing nothing", async () => {
          const flow = await c.createFlow({ name: unique("refused") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          // a pending run cannot pause: REJECT, the run keeps its state
          const paused = await c.setFlowRunState(run.id, state(StateType.PAUSED));
          assert.equal(paused.status, "REJECT");
          assert.deepEqual(paused.details, {
            type: "reject_details",
            reason: "Cannot pause a run that is not running.",
          });
          assert.equal(paused.state?.id, run.state?.id);
          assert.deepEqual(ids(await c.readFlowRunStates(run.id)), [run.state?.id]);
          const running = await c.setFlowRunState(run.id, state(StateType.RUNNING));
          assert.equal(running.status, "ACCEPT");
          // a running run cannot go back to PENDING: ABORT
          const pending = await c.setFlowRunState(run.id, state(StateType.PENDING));
          assert.equal(pending.status, "ABORT");
          assert.deepEqual(pending.details, {
            type: "abort_details",
            reason: "This run is in a RUNNING state and cannot transition to a PENDING state.",
          });
          // the answer carries the run's state, unchanged (Prefect's validated state)
          assert.deepEqual(pending.state, running.state);
          const after = await c.readFlowRun(run.id);
          assert.equal(after.state_id, running.state?.id);
          assert.equal(after.state_type, StateType.RUNNING);
          assert.deepEqual(ids(await c.readFlowRunStates(run.id)), [
            run.state?.id,
            running.state?.id,
          ]);
          // forced, the same proposal is accepted
          const forced = await c.setFlowRunState(run.id, state(StateType.PENDING), { force: true });
          assert.equal(forced.status, "ACCEPT");
          assert.equal((await c.readFlowRun(run.id)).state_type, StateType.PENDING);
        });

        /** Two flows with runs in various states, names with ties, a subflow; read back. */
        async function flowRunFixture() {
          const a = await c.createFlow({ name: unique("lista") });
          const b = await c.createFlow({ name: unique("listb") });
          const tagX = unique("tagx");
          const tagY = unique("tagy");
          const scheduled = state(StateType.SCHEDULED, {
            state_details: { scheduled_time: at(0) },
          });
          const r1 = await c.createFlowRun({ flow_id: a.id, name: "bravo", tags: [tagX] });
          const r2 = await c.createFlowRun({ flow_id: a.id, name: "alpha", tags: [tagX, tagY] });
          await c.setFlowRunState(r2.id, state(StateType.RUNNING));
          const r3 = await c.createFlowRun({ flow_id: a.id, name: "bravo" });
          await c.setFlowRunState(r3.id, state(StateType.RUNNING));
          await c.setFlowRunState(r3.id, state(StateType.COMPLETED, { name: "Cached" }));
          const r4 = await c.createFlowRun({ flow_id: a.id, name: "charlie", state: scheduled });
          const r5 = await c.createFlowRun({ flow_id: b.id, name: "alpha", tags: [tagY] });
          await c.setFlowRunState(r5.id, state(StateType.RUNNING));
          await c.setFlowRunState(r5.id, state(StateType.FAILED));
          const parent = await c.createTaskRun({
            flow_run_id: r2.id,
            task_key: "parent",
            dynamic_key: "0",
          });
          const r6 = await c.createFlowRun({
            flow_id: b.id,
            name: "delta",
            parent_task_run_id: parent.id,
          });
          const r7 = await c.createFlowRun({ flow_id: b.id, name: "charlie", state: scheduled });
          const created = [r1, r2, r3, r4, r5, r6, r7];
          const runs = await Promise.all(created.map((r) => c.readFlowRun(r.id)));
          const [f1, f2, f3, f4, f5, f6, f7] = runs.map((r) => r.id);
          return { a, b, tagX, tagY, parent, runs, f1, f2, f3, f4, f5, f6, f7 };
        }

        it("readFlowRuns and countFlowRuns honour every shorthand option, and Prefect's criteria", async () => {
          const { a, b, tagX, tagY, parent, runs, f1, f2, f3, f4, f5, f6, f7 } =
            await flowRunFixture();
          const scope = { flowIds: [a.id, b.id] };
          const byDefault = (selected: (string | undefined)[]) =>
            ordered(
              runs.filter((r) => selected.includes(r.id)),
              FLOW_RUN_SORTS.EXPECTED_START_TIME_DESC,
            );
          const all = byDefault([f1, f2, f3, f4, f5, f6, f7]);
          const cases: [string, FlowRunListOptions, (string | undefined)[]][] = [
            ["flowIds", { flowIds: [a.id] }, [f1, f2, f3, f4]],
            ["flowIds of both", scope, all],
            ["flowNames", { flowNames: [b.name] }, [f5, f6, f7]],
            ["flowNames and flowIds", { flowNames: [b.name], flowIds: [a.id] }, []],
            [
              "stateTypes",
              { ...scope, stateTypes: [StateType.RUNNING, StateType.FAILED] },
              [f2, f5],
            ],
            ["stateNames", { ...scope, stateNames: ["Cached", "Scheduled"] }, [f3, f4, f7]],
            [
              "stateTypes and stateNames",
              { ...scope, stateTypes: [StateType.COMPLETED], stateNames: ["Completed"] },
              [],
            ],
            [
              "stateTypes and stateNames (matching)",
              { ...scope, stateTypes: [StateType.COMPLETED], stateNames: ["Cached"] },
              [f3],
            ],
            ["parentTaskRunIds", { parentTaskRunIds: [parent.id] }, [f6]],
            ["ids", { ids: [f1 ?? "", f5 ?? "", f6 ?? ""] }, [f1, f5, f6]],
            ["ids (none)", { ids: [] }, []],
            ["tags all_", { flow_runs: { tags: { all_: [tagX] } } }, [f1, f2]],
            ["tags all_ (two)", { flow_runs: { tags: { all_: [tagX, tagY] } } }, [f2]],
            [
              "tags and stateTypes",
              { flow_runs: { tags: { all_: [tagX] } }, stateTypes: [StateType.PENDING] },
              [f1],
            ],
            ["tags and flowIds", { flow_runs: { tags: { all_: [tagY] } }, flowIds: [b.id] }, [f5]],
            ["name like_", { ...scope, flow_runs: { name: { like_: "alph" } } }, [f2, f5]],
            ["flows name any_", { flows: { name: { any_: [a.name] } } }, [f1, f2, f3, f4]],
            [
              "parent_task_run_id is_null_",
              { ...scope, flow_runs: { parent_task_run_id: { is_null_: false } } },
              [f6],
            ],
            [
              "state type criterion and stateNames",
              {
                ...scope,
                flow_runs: { state: { type: { any_: [StateType.RUNNING] } } },
                stateNames: ["Failed", "Running"],
              },
              [f2],
            ],
            [
              "state name criterion and stateTypes",
              {
                ...scope,
                flow_runs: { state: { name: { any_: ["Cached", "Pending"] } } },
                stateTypes: [StateType.COMPLETED],
              },
              [f3],
            ],
            ["task_runs criterion", { ...scope, task_runs: { id: { any_: [parent.id] } } }, [f2]],
          ];
          for (const [label, options, expected] of cases) {
            const want = byDefault(expected);
            assert.deepEqual(ids(await c.readFlowRuns(options)), want, label);
            assert.equal(await c.countFlowRuns(options), want.length, label);
          }
          // pages: limit and offset cut the listing, not the count
          for (const page of [{ limit: 3 }, { offset: 2 }, { offset: 2, limit: 2 }, { limit: 0 }]) {
            const options = { ...scope, ...page };
            const from = page.offset ?? 0;
            assert.deepEqual(
              ids(await c.readFlowRuns(options)),
              all.slice(from, page.limit === undefined ? undefined : from + page.limit),
              JSON.stringify(page),
            );
            assert.equal(await c.countFlowRuns(options), all.length, JSON.stringify(page));
          }
          // the records listed are the records read
          for (const run of await c.readFlowRuns(scope)) {
            assertFlowRun(run, "readFlowRuns");
            const read = runs.find((r) => r.id === run.id);
            assert.ok(read);
            assert.deepEqual(pick(run, FLOW_RUN_FIELDS), pick(read, FLOW_RUN_FIELDS));
          }
        });

        it("readFlowRuns sorts by every FlowRunSort (expected start time, newest first, by default)", async () => {
          const { a, b, runs } = await flowRunFixture();
          const scope = { flowIds: [a.id, b.id] };
          assert.deepEqual(
            ids(await c.readFlowRuns(scope)),
            ordered(runs, FLOW_RUN_SORTS.EXPECTED_START_TIME_DESC),
            "default",
          );
          for (const sort of Object.values(FlowRunSort)) {
            assert.deepEqual(
              ids(await c.readFlowRuns({ ...scope, sort })),
              ordered(runs, FLOW_RUN_SORTS[sort]),
              sort,
            );
            assert.deepEqual(
              ids(await c.readFlowRuns({ ...scope, sort, offset: 1, limit: 3 })),
              ordered(runs, FLOW_RUN_SORTS[sort]).slice(1, 4),
              `${sort}, paged`,
            );
          }
        });

        it("deleteFlowRun deletes the run with its task runs", async () => {
          const flow = await c.createFlow({ name: unique("delete") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          const kept = await c.createFlowRun({ flow_id: flow.id });
          const task = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "0",
          });
          await c.deleteFlowRun(run.id);
          await assert.rejects(() => c.readFlowRun(run.id), ObjectNotFoundError);
          await assert.rejects(() => c.readTaskRun(task.id), ObjectNotFoundError);
          assert.deepEqual(await c.readFlowRunStates(run.id), []);
          await assert.rejects(() => c.deleteFlowRun(run.id), ObjectNotFoundError);
          assert.deepEqual(ids(await c.readFlowRuns({ flowIds: [flow.id] })), [kept.id]);
        });

        // --- task runs -----------------------------------------------------------------------

        it("createTaskRun is idempotent by flow run, task key and dynamic key", async () => {
          const flow = await c.createFlow({ name: unique("tasks") });
          const run = await c.createFlowRun({ flow_id: flow.id, labels: { env: "test" } });
          const task = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "double",
            dynamic_key: "0",
            name: "double-0",
            tags: ["tt"],
            task_inputs: { x: [{ input_type: "parameter", name: "x" }] },
            empirical_policy: { retries: 2, retry_delay: 5 },
          });
          assertTaskRun(task, "createTaskRun");
          assert.equal(task.flow_run_id, run.id);
          assert.equal(task.name, "double-0");
          assert.deepEqual(task.tags, ["tt"]);
          assert.deepEqual(task.task_inputs, { x: [{ input_type: "parameter", name: "x" }] });
          assert.equal(task.empirical_policy.retries, 2);
          assert.equal(task.labels["prefect.flow-run.id"], run.id);
          assert.equal(task.labels.env, "test");
          assert.equal(task.state_type, StateType.PENDING);
          assert.equal(task.state?.state_details.task_run_id, task.id);
          const read = await c.readTaskRun(task.id);
          assertTaskRun(read, "readTaskRun");
          assert.deepEqual(pick(read, TASK_RUN_FIELDS), pick(task, TASK_RUN_FIELDS));
          const again = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "double",
            dynamic_key: "0",
            name: "another name",
          });
          assert.deepEqual(pick(again, TASK_RUN_FIELDS), pick(task, TASK_RUN_FIELDS));
          const next = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "double",
            dynamic_key: "1",
          });
          assert.notEqual(next.id, task.id);
          const otherKey = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "triple",
            dynamic_key: "0",
          });
          assert.notEqual(otherKey.id, task.id);
          // without a flow run there is nothing to be idempotent within
          const loose = await c.createTaskRun({ task_key: "loose", dynamic_key: "0" });
          const loose2 = await c.createTaskRun({ task_key: "loose", dynamic_key: "0" });
          assert.notEqual(loose.id, loose2.id);
          assert.equal(loose.flow_run_id, null);
          assertTaskRun(loose, "a task run without a flow run");
        });

        it("setTaskRunState accepts PENDING → RUNNING → COMPLETED, aborts a start in a stopped flow, rejects a retry", async () => {
          const flow = await c.createFlow({ name: unique("taskstates") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          const task = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "0",
          });
          // the flow run is PENDING: the task run cannot start
          const early = await c.setTaskRunState(task.id, state(StateType.RUNNING));
          assert.equal(early.status, "ABORT");
          assert.deepEqual(early.details, {
            type: "abort_details",
            reason: "The enclosing flow run is PENDING; the task run cannot start.",
          });
          assert.deepEqual(early.state, task.state);
          assert.deepEqual(ids(await c.readTaskRunStates(task.id)), [task.state?.id]);
          await c.setFlowRunState(run.id, state(StateType.RUNNING));
          const running = await c.setTaskRunState(task.id, state(StateType.RUNNING));
          assert.equal(running.status, "ACCEPT");
          assert.equal(running.state?.state_details.task_run_id, task.id);
          const completed = await c.setTaskRunState(
            task.id,
            state(StateType.COMPLETED, { message: "ok" }),
          );
          assert.equal(completed.status, "ACCEPT");
          const done = await c.readTaskRun(task.id);
          assertTaskRun(done, "completed");
          assert.equal(done.state_type, StateType.COMPLETED);
          assert.equal(done.run_count, 1);
          assert.equal(done.start_time, running.state?.timestamp);
          assert.equal(done.end_time, completed.state?.timestamp);
          assert.equal(done.flow_run_run_count, 1);
          const history = await c.readTaskRunStates(task.id);
          assert.deepEqual(
            history.map((s) => s.type),
            [StateType.PENDING, StateType.RUNNING, StateType.COMPLETED],
          );
          assert.deepEqual(ids(history), [task.state?.id, running.state?.id, completed.state?.id]);
          assert.deepEqual(history[2], completed.state);
          // a failure with retries left is rejected: AwaitingRetry instead
          const retried = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "1",
            empirical_policy: { retries: 1, retry_delay: 0 },
          });
          await c.setTaskRunState(retried.id, state(StateType.RUNNING));
          const failed = await c.setTaskRunState(retried.id, state(StateType.FAILED));
          assert.equal(failed.status, "REJECT");
          assert.deepEqual(failed.details, { type: "reject_details", reason: "Retrying" });
          assert.equal(failed.state?.type, StateType.SCHEDULED);
          assert.equal(failed.state?.name, "AwaitingRetry");
          assert.equal((await c.readTaskRun(retried.id)).state_name, "AwaitingRetry");
          const rerun = await c.setTaskRunState(retried.id, state(StateType.RUNNING));
          assert.equal(rerun.status, "ACCEPT");
          assert.equal(rerun.state?.name, "Retrying");
          assert.equal((await c.readTaskRun(retried.id)).run_count, 2);
        });

        it("recordTaskRunTransitions makes the runs and their states readable", async () => {
          const flow = await c.createFlow({ name: unique("record") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          await c.setFlowRunState(run.id, state(StateType.RUNNING));
          const base = taskRunRecord(run.id, {
            name: "recorded",
            task_key: "rec",
            tags: ["rt"],
            task_version: "1.0",
            task_inputs: { y: [{ input_type: "constant", type: "int" }] },
          });
          const steps = [
            [StateType.PENDING, "Pending", at(1)],
            [StateType.RUNNING, "Running", at(2), "on its way"],
            [StateType.COMPLETED, "Completed", at(4)],
          ] as const;
          const transitions = transitionsOf(base, steps);
          // as Prefect's recorder stores them: a state without a message has "" (what Prefect's
          // client sends in its events), and the run's created and updated are the recording's
          const stored = transitions.map((tr) => ({
            ...tr.state,
            message: tr.state.message ?? "",
          }));
          const before = nowIso();
          // a second run, failed in one go, in the same batch
          const other = taskRunRecord(run.id, { name: "other", task_key: "rec", dynamic_key: "1" });
          const batch = [
            ...transitions,
            ...transitionsOf(other, [[StateType.FAILED, "Failed", at(3)]]),
          ];
          await c.recordTaskRunTransitions(batch);
          await settle(c);
          const last = transitions.at(-1)?.run;
          assert.ok(last);
          const read = await c.readTaskRun(base.id);
          assertTaskRun(read, "a recorded task run");
          for (const field of [
            "id",
            "name",
            "flow_run_id",
            "task_key",
            "dynamic_key",
            "task_version",
            "tags",
            "task_inputs",
            "empirical_policy",
            "state_id",
            "state_type",
            "state_name",
            "state_timestamp",
            "run_count",
            "start_time",
            "end_time",
            "expected_start_time",
            "total_run_time",
            "flow_run_run_count",
          ] as const) {
            assert.deepEqual(read[field], last[field], field);
          }
          assert.ok(read.created >= before, `created ${read.created} is the recording's`);
          assert.ok(read.updated >= read.created, `updated ${read.updated} is the recording's`);
          assert.deepEqual(read.state, stored.at(-1));
          const history = await c.readTaskRunStates(base.id);
          assert.deepEqual(history, stored);
          const failed = await c.readTaskRun(other.id);
          assert.equal(failed.state_type, StateType.FAILED);
          assert.equal(failed.end_time, at(3));
          assert.equal(
            await c.countTaskRuns({ flowRunIds: [run.id], stateTypes: [StateType.COMPLETED] }),
            1,
          );
          // recording the same transitions again changes nothing
          await c.recordTaskRunTransitions(transitions);
          await settle(c);
          assert.deepEqual(await c.readTaskRunStates(base.id), history);
          assert.deepEqual(
            pick(await c.readTaskRun(base.id), TASK_RUN_FIELDS),
            pick(read, TASK_RUN_FIELDS),
          );
        });

        /** Task runs of two flow runs (and one of none) in various states, names with ties. */
        async function taskRunFixture() {
          const flow = await c.createFlow({ name: unique("tlist") });
          const other = await c.createFlow({ name: unique("tlist") });
          const r1 = await c.createFlowRun({ flow_id: flow.id });
          const r2 = await c.createFlowRun({ flow_id: other.id });
          for (const r of [r1, r2]) await c.setFlowRunState(r.id, state(StateType.RUNNING));
          const tagX = unique("tagx");
          const make = (flowRunId: string | null, key: string, name: string, more = {}) =>
            c.createTaskRun({
              flow_run_id: flowRunId,
              task_key: key,
              dynamic_key: "0",
              name,
              ...more,
            });
          const t1 = await make(r1.id, "a", "bravo", { tags: [tagX] });
          await c.setTaskRunState(t1.id, state(StateType.RUNNING));
          await c.setTaskRunState(t1.id, state(StateType.COMPLETED));
          const t2 = await make(r1.id, "b", "alpha");
          await c.setTaskRunState(t2.id, state(StateType.RUNNING));
          const t3 = await make(r1.id, "c", "bravo");
          const t4 = await make(r2.id, "a", "alpha", { tags: [tagX] });
          await c.setTaskRunState(t4.id, state(StateType.RUNNING));
          await c.setTaskRunState(t4.id, state(StateType.FAILED));
          const t5 = await make(r2.id, "b", "charlie", {
            state: state(StateType.SCHEDULED, {
              timestamp: nowIso(),
              state_details: { scheduled_time: at(0) },
            }),
          });
          const recorded = taskRunRecord(r2.id, { name: "charlie", task_key: "c" });
          await c.recordTaskRunTransitions(
            transitionsOf(recorded, [
              [StateType.PENDING, "Pending", at(0)],
              [StateType.RUNNING, "Running", at(1)],
              [StateType.COMPLETED, "Cached", at(2)],
            ]),
          );
          await settle(c);
          const t7 = await make(null, "loose", "delta");
          const all = [t1.id, t2.id, t3.id, t4.id, t5.id, recorded.id, t7.id];
          const runs = await Promise.all(all.map((id) => c.readTaskRun(id)));
          const [k1, k2, k3, k4, k5, k6, k7] = all;
          return { flow, r1, r2, tagX, runs, k1, k2, k3, k4, k5, k6, k7 };
        }

        it("readTaskRuns and countTaskRuns honour every shorthand option, and Prefect's criteria", async () => {
          const { flow, r1, r2, tagX, runs, k1, k2, k3, k4, k5, k6, k7 } = await taskRunFixture();
          const scope = { flowRunIds: [r1.id, r2.id] };
          const byDefault = (selected: (string | undefined)[]) =>
            ordered(
              runs.filter((r) => selected.includes(r.id)),
              TASK_RUN_SORTS.EXPECTED_START_TIME_DESC,
            );
          const inScope = byDefault([k1, k2, k3, k4, k5, k6]);
          const cases: [string, TaskRunListOptions, (string | undefined)[]][] = [
            ["flowRunIds", { flowRunIds: [r1.id] }, [k1, k2, k3]],
            ["flowRunIds of both", scope, [k1, k2, k3, k4, k5, k6]],
            ["stateTypes", { ...scope, stateTypes: [StateType.COMPLETED] }, [k1, k6]],
            ["stateNames", { ...scope, stateNames: ["Cached", "Scheduled"] }, [k5, k6]],
            [
              "stateTypes and stateNames",
              { ...scope, stateTypes: [StateType.COMPLETED], stateNames: ["Cached"] },
              [k6],
            ],
            ["ids", { ids: [k1 ?? "", k7 ?? ""] }, [k1, k7]],
            ["ids (none)", { ids: [] }, []],
            ["ids and flowRunIds", { ids: [k1 ?? "", k4 ?? ""], flowRunIds: [r2.id] }, [k4]],
            ["tags all_", { task_runs: { tags: { all_: [tagX] } } }, [k1, k4]],
            [
              "tags and stateTypes",
              { task_runs: { tags: { all_: [tagX] } }, stateTypes: [StateType.FAILED] },
              [k4],
            ],
            ["name like_", { ...scope, task_runs: { name: { like_: "alph" } } }, [k2, k4]],
            ["flows id any_", { flows: { id: { any_: [flow.id] } } }, [k1, k2, k3]],
            [
              "flow_run_id {} (Prefect: is_null_ false)",
              { ids: [k1 ?? "", k7 ?? ""], task_runs: { flow_run_id: {} } },
              [k1],
            ],
            [
              "flow_run_id is_null_",
              { ids: [k1 ?? "", k7 ?? ""], task_runs: { flow_run_id: { is_null_: true } } },
              [k7],
            ],
            [
              "state type criterion and stateNames",
              {
                ...scope,
                task_runs: { state: { type: { any_: [StateType.COMPLETED] } } },
                stateNames: ["Cached", "Failed"],
              },
              [k6],
            ],
          ];
          for (const [label, options, expected] of cases) {
            const want = byDefault(expected);
            assert.deepEqual(ids(await c.readTaskRuns(options)), want, label);
            assert.equal(await c.countTaskRuns(options), want.length, label);
          }
          for (const page of [{ limit: 3 }, { offset: 2 }, { offset: 1, limit: 2 }, { limit: 0 }]) {
            const options = { ...scope, ...page };
            const from = page.offset ?? 0;
            assert.deepEqual(
              ids(await c.readTaskRuns(options)),
              inScope.slice(from, page.limit === undefined ? undefined : from + page.limit),
              JSON.stringify(page),
            );
            assert.equal(await c.countTaskRuns(options), inScope.length, JSON.stringify(page));
          }
          for (const run of await c.readTaskRuns(scope)) {
            assertTaskRun(run, "readTaskRuns");
            const read = runs.find((r) => r.id === run.id);
            assert.ok(read);
            assert.deepEqual(pick(run, TASK_RUN_FIELDS), pick(read, TASK_RUN_FIELDS));
          }
        });

        it("readTaskRuns sorts by every TaskRunSort (expected start time, newest first, by default)", async () => {
          const { r1, r2, runs } = await taskRunFixture();
          const scope = { flowRunIds: [r1.id, r2.id] };
          const scoped = runs.filter((r) => r.flow_run_id !== null);
          assert.deepEqual(
            ids(await c.readTaskRuns(scope)),
            ordered(scoped, TASK_RUN_SORTS.EXPECTED_START_TIME_DESC),
            "default",
          );
          for (const sort of Object.values(TaskRunSort)) {
            assert.deepEqual(
              ids(await c.readTaskRuns({ ...scope, sort })),
              ordered(scoped, TASK_RUN_SORTS[sort]),
              sort,
            );
          }
        });

        it("deleteTaskRun deletes the run and its states", async () => {
          const flow = await c.createFlow({ name: unique("tdelete") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          const task = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "0",
          });
          const kept = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "1",
          });
          await c.deleteTaskRun(task.id);
          await assert.rejects(() => c.readTaskRun(task.id), ObjectNotFoundError);
          assert.deepEqual(await c.readTaskRunStates(task.id), []);
          await assert.rejects(() => c.deleteTaskRun(task.id), ObjectNotFoundError);
          assert.deepEqual(ids(await c.readTaskRuns({ flowRunIds: [run.id] })), [kept.id]);
          assert.equal((await c.readFlowRun(run.id)).id, run.id);
        });

        // --- logs ----------------------------------------------------------------------------

        it("createLogs and readLogs: by flow run, task run and level, in either order, paged", async () => {
          const flow = await c.createFlow({ name: unique("logs") });
          const run = await c.createFlowRun({ flow_id: flow.id });
          const task = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "k",
            dynamic_key: "0",
          });
          const line = (
            level: number,
            message: string,
            timestamp: string,
            taskRunId: string | null,
          ) => ({
            name: "prefect.flow_runs",
            level,
            message,
            timestamp,
            flow_run_id: run.id,
            task_run_id: taskRunId,
          });
          await c.createLogs([
            line(10, "debug", at(1), null),
            line(20, "info", at(2), task.id),
            line(30, "warning", at(3), null),
            line(40, "error", at(3), task.id),
            // a JavaScript timestamp (milliseconds): stored in Prefect's form
            line(50, "critical", new Date(T0 + 5 * 60_000).toISOString(), null),
          ]);
          const logs = await c.readLogs({ flowRunId: run.id });
          for (const log of logs) assertShape(log, LOG_FIELDS, [], "readLogs");
          // each line as written (by level), in timestamp order, ties by id
          assert.deepEqual(
            Object.fromEntries(
              logs.map((l) => [
                l.level,
                [l.name, l.message, l.timestamp, l.flow_run_id, l.task_run_id],
              ]),
            ),
            {
              10: ["prefect.flow_runs", "debug", at(1), run.id, null],
              20: ["prefect.flow_runs", "info", at(2), run.id, task.id],
              30: ["prefect.flow_runs", "warning", at(3), run.id, null],
              40: ["prefect.flow_runs", "error", at(3), run.id, task.id],
              50: ["prefect.flow_runs", "critical", at(5), run.id, null],
            },
          );
          assert.deepEqual(ids(logs), ordered(logs, LOG_ORDER.asc));
          const read = (o: LogListOptions) => c.readLogs(o).then(ids);
          assert.deepEqual(
            await read({ flowRunId: run.id, order: "desc" }),
            ordered(logs, LOG_ORDER.desc),
          );
          assert.deepEqual(
            await read({ flowRunId: run.id, order: "asc" }),
            ordered(logs, LOG_ORDER.asc),
          );
          const ofTask = logs.filter((l) => l.task_run_id === task.id);
          assert.deepEqual(await read({ taskRunId: task.id }), ordered(ofTask, LOG_ORDER.asc));
          const severe = logs.filter((l) => l.level >= 30);
          assert.deepEqual(
            await read({ flowRunId: run.id, minLevel: 30 }),
            ordered(severe, LOG_ORDER.asc),
          );
          assert.deepEqual(
            await read({ flowRunId: run.id, limit: 2 }),
            ordered(logs, LOG_ORDER.asc).slice(0, 2),
          );
          assert.deepEqual(
            await read({ flowRunId: run.id, order: "desc", limit: 2 }),
            ordered(logs, LOG_ORDER.desc).slice(0, 2),
          );
          assert.deepEqual(
            await read({ flowRunId: run.id, offset: 3 }),
            ordered(logs, LOG_ORDER.asc).slice(3),
          );
          assert.deepEqual(
            await read({ taskRunId: task.id, minLevel: 30, order: "desc" }),
            ids(logs.filter((l) => l.level === 40)),
          );
        });

        // --- errors --------------------------------------------------------------------------

        it("an unknown id is an ObjectNotFoundError on every read, delete and set_state", async () => {
          const missing = uuid4();
          const cases: [string, () => Promise<unknown>, string][] = [
            ["readFlow", () => c.readFlow(missing), "Flow not found"],
            ["readFlowByName", () => c.readFlowByName(unique("missing")), "Flow not found"],
            ["createFlowRun", () => c.createFlowRun({ flow_id: missing }), "Flow not found"],
            ["readFlowRun", () => c.readFlowRun(missing), "Flow run not found"],
            ["deleteFlowRun", () => c.deleteFlowRun(missing), "Flow run not found"],
            [
              "setFlowRunState",
              () => c.setFlowRunState(missing, state(StateType.RUNNING)),
              "Flow run not found",
            ],
            ["readTaskRun", () => c.readTaskRun(missing), "Task run not found"],
            ["deleteTaskRun", () => c.deleteTaskRun(missing), "Task run not found"],
            [
              "setTaskRunState",
              () => c.setTaskRunState(missing, state(StateType.RUNNING)),
              "Task run not found",
            ],
          ];
          for (const [label, call, message] of cases) {
            await assert.rejects(call, ObjectNotFoundError, label);
            assert.deepEqual(
              await failure(call),
              { class: "ObjectNotFoundError", code: ErrorCode.OBJECT_NOT_FOUND, message },
              label,
            );
          }
          // a run's states: none, as Prefect answers
          assert.deepEqual(await c.readFlowRunStates(missing), []);
          assert.deepEqual(await c.readTaskRunStates(missing), []);
        });

        it("an invalid sort or page through an untyped call is a ValidationError", async () => {
          const untyped = c as unknown as Record<string, (o: unknown) => Promise<unknown>>;
          const calls: [string, unknown][] = [
            ["readFlows", { sort: "NOT_A_SORT" }],
            ["readFlowRuns", { sort: "NOT_A_SORT" }],
            ["readFlowRuns", { sort: "CREATED_DESC" }],
            ["readTaskRuns", { sort: "START_TIME_ASC" }],
            ["readFlowRuns", { limit: 201 }],
            ["readTaskRuns", { limit: -1 }],
            ["readLogs", { offset: -1 }],
          ];
          for (const [method, options] of calls) {
            const label = `${method}(${JSON.stringify(options)})`;
            await assert.rejects(
              () => untyped[method]?.call(c, options) ?? Promise.resolve(),
              ValidationError,
              label,
            );
            const { code } = await failure(
              () => untyped[method]?.call(c, options) ?? Promise.resolve(),
            );
            assert.equal(code, ErrorCode.VALIDATION, label);
          }
        });
      });
    }

    contract("embedded", () => embedded);
    contract("http", () => http);

    // -----------------------------------------------------------------------------------------
    // Agreement: the same calls through both clients over the same data
    // -----------------------------------------------------------------------------------------

    describe("the embedded and HTTP clients agree", () => {
      const NAMES = ["alpha", "bravo", "charlie", "delta"];
      let flows: Flow[];
      let flowRuns: FlowRun[];
      let taskRuns: TaskRun[];
      let parentTask: TaskRun;
      let logRun: FlowRun;
      let logTask: TaskRun;

      /**
       * Three flows; twenty flow runs through embedded with fixed times (ties in their expected
       * start, start and end times and in their names), three of them subflows of one task run;
       * task runs orchestrated and recorded through both clients; logs with tied timestamps.
       */
      before(async () => {
        const e = embedded;
        flows = [];
        for (const n of ["one", "two", "three"]) {
          flows.push(await e.createFlow({ name: unique(`agree${n}`), tags: [n] }));
        }
        const created: FlowRun[] = [];
        for (let i = 0; i < 20; i++) {
          const flow = flows[i % 3] as Flow;
          if (i === 17) {
            const parentRun = created[2] as FlowRun;
            parentTask = await e.createTaskRun({
              flow_run_id: parentRun.id,
              task_key: "subflows",
              dynamic_key: "0",
              name: "subflows",
              state: state(StateType.PENDING, { timestamp: at(20) }),
            });
            await e.setTaskRunState(parentTask.id, state(StateType.RUNNING, { timestamp: at(21) }));
          }
          const run = await e.createFlowRun({
            flow_id: flow.id,
            name: NAMES[i % 4],
            tags: ["agree", i % 2 === 0 ? "even" : "odd"],
            parameters: { i },
            idempotency_key: i % 4 === 0 ? unique("agreekey") : null,
            parent_task_run_id: i >= 17 ? parentTask.id : null,
            state: state(StateType.SCHEDULED, {
              timestamp: at(-60 + i),
              state_details: { scheduled_time: at(i % 3) },
            }),
          });
          created.push(run);
          const pattern = i % 5;
          if (pattern === 0) continue;
          await e.setFlowRunState(
            run.id,
            state(StateType.PENDING, { timestamp: at(10 + (i % 2)) }),
          );
          if (pattern === 1) continue;
          await e.setFlowRunState(
            run.id,
            state(StateType.RUNNING, { timestamp: at(20 + (i % 2)) }),
          );
          if (pattern === 2) continue;
          const final =
            pattern === 3
              ? state(StateType.COMPLETED, { name: i % 2 ? "Completed" : "Cached" })
              : state(StateType.FAILED, { message: "boom" });
          await e.setFlowRunState(run.id, { ...final, timestamp: at(30 + (i % 2)) });
        }
        // task runs: orchestrated in the running flow runs (i % 5 === 2), some through HTTP
        for (const [n, run] of created.filter((_, i) => i % 5 === 2).entries()) {
          for (let j = 0; j < 3; j++) {
            const task = await e.createTaskRun({
              flow_run_id: run.id,
              task_key: `task${j}`,
              dynamic_key: String(n),
              name: NAMES[(n + j) % 4],
              tags: j === 0 ? ["agree"] : [],
              state: state(StateType.PENDING, { timestamp: at(22 + j) }),
            });
            if (j === 2) continue;
            await e.setTaskRunState(task.id, state(StateType.RUNNING, { timestamp: at(24) }));
            if (j === 1) continue;
            await e.setTaskRunState(
              task.id,
              state(n % 2 ? StateType.FAILED : StateType.COMPLETED, { timestamp: at(26) }),
            );
          }
          const throughHttp = await http.createTaskRun({
            flow_run_id: run.id,
            task_key: "http",
            dynamic_key: String(n),
            name: "echo",
          });
          await http.setTaskRunState(throughHttp.id, state(StateType.RUNNING));
        }
        // task runs recorded through both clients, with tied timestamps, one without expected start
        const recordIn = created[7] as FlowRun;
        for (const [k, client] of [embedded, http, embedded, http].entries()) {
          const run = taskRunRecord(recordIn.id, {
            name: NAMES[k % 2],
            task_key: "recorded",
            dynamic_key: String(k),
            tags: k % 2 ? ["agree"] : [],
          });
          const steps =
            k === 3
              ? ([[StateType.RUNNING, "Running", at(40)]] as const)
              : ([
                  [StateType.PENDING, "Pending", at(40)],
                  [StateType.RUNNING, "Running", at(41)],
                  [
                    k === 2 ? StateType.FAILED : StateType.COMPLETED,
                    k === 1 ? "Cached" : k === 2 ? "Failed" : "Completed",
                    at(42),
                  ],
                ] as const);
          const transitions = transitionsOf(run, steps);
          if (k === 3) for (const tr of transitions) tr.run.expected_start_time = null;
          await client.recordTaskRunTransitions(transitions);
        }
        await settle(http);
        // a task run of no flow run
        await e.createTaskRun({ task_key: "agreeloose", dynamic_key: "0", name: "alpha" });
        // logs, with tied timestamps, through both clients
        logRun = created[2] as FlowRun;
        logTask = parentTask;
        const line = (level: number, minute: number, taskRunId: string | null): LogRecord => ({
          name: "prefect.flow_runs",
          level,
          message: `level ${level} at ${minute}`,
          timestamp: at(minute),
          flow_run_id: logRun.id,
          task_run_id: taskRunId,
        });
        await e.createLogs([line(10, 50, null), line(20, 51, logTask.id), line(30, 51, null)]);
        await http.createLogs([line(40, 51, logTask.id), line(50, 52, null), line(20, 50, null)]);
        flowRuns = await Promise.all(created.map((r) => e.readFlowRun(r.id)));
        taskRuns = await e.readTaskRuns({ flowRunIds: ids(flowRuns) as string[], limit: 200 });
      });

      /** Run `call` through both clients; the answers, normalised, are equal. */
      async function agree<T>(
        label: string,
        call: (client: PrefectClient) => Promise<T>,
        normalise: (value: T) => unknown = (v) => v,
      ): Promise<T> {
        const fromEmbedded = await call(embedded);
        const fromHttp = await call(http);
        assert.deepEqual(normalise(fromHttp), normalise(fromEmbedded), label);
        return fromEmbedded;
      }

      /** Lists agree: the same ids in the same order, then the same records. */
      async function agreeOnList<T extends { id?: string }>(
        label: string,
        call: (client: PrefectClient) => Promise<T[]>,
        fields: readonly string[],
      ): Promise<T[]> {
        const fromEmbedded = await call(embedded);
        const fromHttp = await call(http);
        assert.deepEqual(ids(fromHttp), ids(fromEmbedded), `${label}: ids`);
        assert.deepEqual(
          fromHttp.map((r) => pick(r, fields)),
          fromEmbedded.map((r) => pick(r, fields)),
          `${label}: records`,
        );
        return fromEmbedded;
      }

      const flowRunOptions = (): [string, FlowRunListOptions][] => {
        const [one, two] = flows as [Flow, Flow];
        const some = ids(flowRuns).filter((_, i) => i % 3 === 1) as string[];
        return [
          ["no options", {}],
          ["flowIds", { flowIds: [one.id] }],
          ["flowNames", { flowNames: [two.name] }],
          ["stateTypes", { stateTypes: [StateType.RUNNING, StateType.COMPLETED] }],
          ["stateNames", { stateNames: ["Scheduled", "Cached", "Failed"] }],
          [
            "stateTypes and stateNames",
            { stateTypes: [StateType.COMPLETED], stateNames: ["Cached"] },
          ],
          ["parentTaskRunIds", { parentTaskRunIds: [parentTask.id] }],
          ["ids", { ids: some }],
          ["ids (none)", { ids: [] }],
          ["limit", { limit: 5 }],
          ["offset and limit", { offset: 3, limit: 4 }],
          ["offset past the end", { offset: 1000 }],
          ["tags all_", { flow_runs: { tags: { all_: ["agree", "even"] } } }],
          [
            "tags and stateTypes",
            { flow_runs: { tags: { all_: ["agree"] } }, stateTypes: [StateType.FAILED] },
          ],
          ["flows name like_", { flows: { name: { like_: "agreet" } } }],
          ["expected_start_time", { flow_runs: { expected_start_time: { after_: at(1) } } }],
          [
            "end_time is_null_",
            { flow_runs: { end_time: { is_null_: true } }, flowIds: [one.id, two.id] },
          ],
          ["task_runs state", { task_runs: { state: { type: { any_: [StateType.COMPLETED] } } } }],
        ];
      };

      it("readFlowRuns: every option with every FlowRunSort, and the default", async () => {
        for (const [label, options] of flowRunOptions()) {
          await agreeOnList(label, (c) => c.readFlowRuns(options), FLOW_RUN_FIELDS);
          for (const sort of Object.values(FlowRunSort)) {
            await agreeOnList(
              `${label}, ${sort}`,
              (c) => c.readFlowRuns({ ...options, sort }),
              FLOW_RUN_FIELDS,
            );
          }
        }
      });

      it("countFlowRuns: every option", async () => {
        for (const [label, options] of flowRunOptions()) {
          const count = await agree(label, (c) => c.countFlowRuns(options));
          if (label === "flowIds") assert.equal(count, 7);
        }
      });

      it("the fixture's flow runs have ties, and each client's order keeps the sort's rule", async () => {
        const agreeRuns = flowRuns;
        for (const field of ["expected_start_time", "start_time", "end_time", "name"] as const) {
          const values = agreeRuns.map((r) => r[field]).filter((v) => v !== null);
          assert.ok(new Set(values).size < values.length, `ties in ${field}`);
        }
        assert.deepEqual(
          new Set(agreeRuns.map((r) => r.state_type)),
          new Set([
            StateType.SCHEDULED,
            StateType.PENDING,
            StateType.RUNNING,
            StateType.COMPLETED,
            StateType.FAILED,
          ]),
        );
        assert.equal(agreeRuns.filter((r) => r.parent_task_run_id === parentTask.id).length, 3);
        for (const sort of Object.values(FlowRunSort)) {
          const listed = await agreeOnList(
            sort,
            (c) => c.readFlowRuns({ flowIds: ids(flows) as string[], sort }),
            FLOW_RUN_FIELDS,
          );
          assert.deepEqual(ids(listed), ordered(agreeRuns, FLOW_RUN_SORTS[sort]), sort);
        }
      });

      const taskRunOptions = (): [string, TaskRunListOptions][] => {
        const running = flowRuns.filter((_, i) => i % 5 === 2).map((r) => r.id);
        const some = ids(taskRuns).filter((_, i) => i % 2 === 0) as string[];
        return [
          ["no options", {}],
          ["flowRunIds", { flowRunIds: running.slice(0, 2) }],
          ["stateTypes", { stateTypes: [StateType.RUNNING, StateType.FAILED] }],
          ["stateNames", { stateNames: ["Cached", "Pending"] }],
          [
            "stateTypes and stateNames",
            { stateTypes: [StateType.COMPLETED], stateNames: ["Completed"] },
          ],
          ["ids", { ids: some }],
          ["ids (none)", { ids: [] }],
          ["limit", { limit: 4 }],
          ["offset and limit", { offset: 2, limit: 5 }],
          ["offset past the end", { offset: 1000 }],
          ["tags all_", { task_runs: { tags: { all_: ["agree"] } } }],
          ["flow_run_id {}", { task_runs: { flow_run_id: {} } }],
          ["flow_run_id is_null_", { task_runs: { flow_run_id: { is_null_: true } } }],
          ["flows", { flows: { id: { any_: [flows[1]?.id ?? ""] } } }],
          ["flow_runs tags", { flow_runs: { tags: { all_: ["agree", "odd"] } } }],
          ["name like_", { task_runs: { name: { like_: "ech" } } }],
        ];
      };

      it("readTaskRuns: every option with every TaskRunSort, and the default", async () => {
        for (const [label, options] of taskRunOptions()) {
          await agreeOnList(label, (c) => c.readTaskRuns(options), TASK_RUN_FIELDS);
          for (const sort of Object.values(TaskRunSort)) {
            await agreeOnList(
              `${label}, ${sort}`,
              (c) => c.readTaskRuns({ ...options, sort }),
              TASK_RUN_FIELDS,
            );
          }
        }
      });

      it("countTaskRuns: every option", async () => {
        for (const [label, options] of taskRunOptions()) {
          await agree(label, (c) => c.countTaskRuns(options));
        }
      });

      it("readFlows: every option with every FlowSort, and the default", async () => {
        const options: [string, FlowListOptions][] = [
          ["no options", {}],
          ["nameLike", { nameLike: "AGREE" }],
          ["limit and offset", { limit: 3, offset: 1 }],
          ["flows criteria", { flows: { tags: { all_: ["two"] } } }],
          ["flow_runs criteria", { flow_runs: { state: { type: { any_: [StateType.FAILED] } } } }],
        ];
        for (const [label, o] of options) {
          await agreeOnList(label, (c) => c.readFlows(o), FLOW_FIELDS);
          for (const sort of Object.values(FlowSort)) {
            await agreeOnList(`${label}, ${sort}`, (c) => c.readFlows({ ...o, sort }), FLOW_FIELDS);
          }
        }
      });

      it("reads by id and name, and state histories", async () => {
        for (const flow of flows) {
          await agree(
            `readFlow ${flow.name}`,
            (c) => c.readFlow(flow.id),
            (f) => pick(f, FLOW_FIELDS),
          );
          await agree(
            `readFlowByName ${flow.name}`,
            (c) => c.readFlowByName(flow.name),
            (f) => pick(f, FLOW_FIELDS),
          );
        }
        for (const run of flowRuns) {
          await agree(
            `readFlowRun ${run.id}`,
            (c) => c.readFlowRun(run.id),
            (r) => pick(r, FLOW_RUN_FIELDS),
          );
          await agree(`readFlowRunStates ${run.id}`, (c) => c.readFlowRunStates(run.id));
        }
        for (const run of taskRuns) {
          await agree(
            `readTaskRun ${run.id}`,
            (c) => c.readTaskRun(run.id),
            (r) => pick(r, TASK_RUN_FIELDS),
          );
          await agree(`readTaskRunStates ${run.id}`, (c) => c.readTaskRunStates(run.id));
        }
      });

      it("readLogs: every option", async () => {
        const options: [string, LogListOptions][] = [
          ["flowRunId", { flowRunId: logRun.id }],
          ["flowRunId, desc", { flowRunId: logRun.id, order: "desc" }],
          ["taskRunId", { taskRunId: logTask.id }],
          ["minLevel", { flowRunId: logRun.id, minLevel: 30 }],
          ["limit", { flowRunId: logRun.id, limit: 2 }],
          ["offset, desc", { flowRunId: logRun.id, offset: 2, order: "desc" }],
          ["logs criteria", { logs: { level: { le_: 20 } }, flowRunId: logRun.id }],
        ];
        for (const [label, o] of options) {
          const logs = await agreeOnList(label, (c) => c.readLogs(o), LOG_FIELDS);
          assert.ok(logs.length > 0, label);
        }
        const all = await embedded.readLogs({ flowRunId: logRun.id });
        assert.equal(all.length, 6);
        assert.deepEqual(ids(all), ordered(all, LOG_ORDER.asc));
      });

      it("errors: the same class, code and message", async () => {
        const missing = uuid4();
        const calls: [string, (c: PrefectClient) => Promise<unknown>][] = [
          ["readFlow", (c) => c.readFlow(missing)],
          ["readFlowByName", (c) => c.readFlowByName("agree-missing")],
          ["createFlowRun", (c) => c.createFlowRun({ flow_id: missing })],
          ["readFlowRun", (c) => c.readFlowRun(missing)],
          ["deleteFlowRun", (c) => c.deleteFlowRun(missing)],
          ["setFlowRunState", (c) => c.setFlowRunState(missing, state(StateType.RUNNING))],
          ["readTaskRun", (c) => c.readTaskRun(missing)],
          ["deleteTaskRun", (c) => c.deleteTaskRun(missing)],
          ["setTaskRunState", (c) => c.setTaskRunState(missing, state(StateType.RUNNING))],
        ];
        for (const [label, call] of calls) {
          const a = await failure(() => call(embedded));
          const b = await failure(() => call(http));
          assert.deepEqual(b, a, label);
        }
        const untyped = (c: PrefectClient) =>
          c as unknown as Record<string, (o: unknown) => Promise<unknown>>;
        for (const method of ["readFlows", "readFlowRuns", "readTaskRuns"]) {
          const a = await failure(
            () => untyped(embedded)[method]?.call(embedded, { sort: "NOPE" }) ?? Promise.resolve(),
          );
          const b = await failure(
            () => untyped(http)[method]?.call(http, { sort: "NOPE" }) ?? Promise.resolve(),
          );
          assert.deepEqual([b.class, b.code], [a.class, a.code], method);
        }
      });

      it("errors: a task run of an unknown flow run is refused alike (Prefect's 409)", async () => {
        const call = (c: PrefectClient) =>
          c.createTaskRun({ flow_run_id: uuid4(), task_key: "k", dynamic_key: "0" });
        const a = await failure(() => call(embedded));
        const b = await failure(() => call(http));
        assert.deepEqual([a.class, a.code], ["ConflictError", "ERR_CONFLICT"]);
        assert.deepEqual([b.class, b.code, b.message], [a.class, a.code, a.message]);
      });

      it("errors: a malformed id is refused alike", {
        todo: "the embedded path does not validate ids (answers [] or 'Flow run not found'); HTTP answers Prefect's 422 / 404 'Not Found'",
      }, async () => {
        const calls: [string, (c: PrefectClient) => Promise<unknown>][] = [
          ["readFlowRun", (c) => c.readFlowRun("not-a-uuid")],
          ["readFlowRuns", (c) => c.readFlowRuns({ ids: ["not-a-uuid"] })],
          ["readTaskRunStates", (c) => c.readTaskRunStates("not-a-uuid")],
        ];
        for (const [label, call] of calls) {
          const a = await failure(() => call(embedded));
          const b = await failure(() => call(http));
          assert.deepEqual([b.class, b.code], [a.class, a.code], label);
          if (a.class === "ObjectNotFoundError") assert.equal(b.message, a.message, label);
        }
      });

      it("writes: the same proposals give the same outcomes and the same runs", async () => {
        /** A script of proposals on a new flow run and task run, as each client answers it. */
        async function script(c: PrefectClient) {
          const flow = await c.createFlow({ name: unique("script") });
          const run = await c.createFlowRun({
            flow_id: flow.id,
            name: "scripted",
            tags: ["s"],
            parameters: { a: [1, { b: null }] },
            empirical_policy: { retries: 1, retry_delay: 0 },
          });
          const task = await c.createTaskRun({
            flow_run_id: run.id,
            task_key: "t",
            dynamic_key: "0",
            name: "step",
            empirical_policy: { retries: 1, retry_delay: 0 },
          });
          const outcomes: ReturnType<typeof outcome>[] = [];
          const flowStep = async (s: StateCreate, force = false) =>
            outcomes.push(outcome(await c.setFlowRunState(run.id, s, { force })));
          const taskStep = async (s: StateCreate) =>
            outcomes.push(outcome(await c.setTaskRunState(task.id, s)));
          await flowStep(state(StateType.PAUSED));
          await taskStep(state(StateType.RUNNING));
          await flowStep(state(StateType.RUNNING));
          await flowStep(state(StateType.PENDING));
          await taskStep(state(StateType.RUNNING));
          await taskStep(state(StateType.FAILED, { message: "once" }));
          await taskStep(state(StateType.RUNNING));
          await taskStep(state(StateType.COMPLETED, { data: { v: 1 } }));
          await flowStep(state(StateType.FAILED, { message: "flow failed" }));
          await flowStep(state(StateType.RUNNING));
          await flowStep(state(StateType.COMPLETED));
          await flowStep(state(StateType.RUNNING), true);
          const finalRun = await c.readFlowRun(run.id);
          const finalTask = await c.readTaskRun(task.id);
          const history = (states: StateRecord[]) => states.map((s) => [s.type, s.name, s.message]);
          const {
            id: _f,
            created: _c,
            updated: _u,
            flow_id: _fid,
            labels: _l,
            ...runFields
          } = pick(finalRun, FLOW_RUN_FIELDS);
          return {
            outcomes,
            run: {
              ...runFields,
              state: finalRun.state?.type,
              state_id: typeof finalRun.state_id,
              state_timestamp: typeof finalRun.state_timestamp,
              start_time: typeof finalRun.start_time,
              end_time: typeof finalRun.end_time,
              expected_start_time: typeof finalRun.expected_start_time,
              total_run_time: typeof finalRun.total_run_time,
            },
            task: {
              name: finalTask.name,
              run_count: finalTask.run_count,
              flow_run_run_count: finalTask.flow_run_run_count,
              state_type: finalTask.state_type,
              state_name: finalTask.state_name,
              empirical_policy: finalTask.empirical_policy,
            },
            runStates: history(await c.readFlowRunStates(run.id)),
            taskStates: history(await c.readTaskRunStates(task.id)),
          };
        }
        const fromEmbedded = await script(embedded);
        const fromHttp = await script(http);
        assert.deepEqual(fromHttp, fromEmbedded);
        assert.deepEqual(
          fromEmbedded.outcomes.map((o) => o.status),
          [
            "REJECT",
            "ABORT",
            "ACCEPT",
            "ABORT",
            "ACCEPT",
            "REJECT",
            "ACCEPT",
            "ACCEPT",
            "REJECT",
            "ACCEPT",
            "ACCEPT",
            "ACCEPT",
          ],
        );
      });
    });

    // -----------------------------------------------------------------------------------------
    // Events
    // -----------------------------------------------------------------------------------------

    describe("events", () => {
      /** What an event says, without the ids and times that differ from run to run. */
      function shapeOf(event: StoredEvent) {
        const { id: _id, occurred: _o, follows, resource, related, payload } = event;
        return {
          event: event.event,
          follows: follows === null ? null : "set",
          resource: Object.keys(resource).sort(),
          related: related.map((r) => [
            r["prefect.resource.role"],
            typeof r["prefect.resource.name"],
          ]),
          payload: Object.keys(payload).sort(),
          intended: payload.intended,
        };
      }

      /** A flow run driven PENDING → RUNNING → COMPLETED, with refused proposals between. */
      async function driveFlowRun(c: PrefectClient, flowName: string) {
        const flow = await c.createFlow({ name: flowName });
        const run = await c.createFlowRun({ flow_id: flow.id, tags: ["evt"] });
        const rejected = await c.setFlowRunState(run.id, state(StateType.PAUSED));
        assert.equal(rejected.status, "REJECT");
        await c.setFlowRunState(run.id, state(StateType.RUNNING));
        const aborted = await c.setFlowRunState(run.id, state(StateType.PENDING));
        assert.equal(aborted.status, "ABORT");
        await c.setFlowRunState(run.id, state(StateType.COMPLETED));
        return run;
      }

      it("a flow run's state changes through the embedded client are stored as prefect.flow-run.* events; refused ones store none", async () => {
        const run = await driveFlowRun(embedded, unique("evflow"));
        const events = await eventsOf(`prefect.flow-run.${run.id}`);
        assert.deepEqual(
          events.map((e) => e.event),
          ["prefect.flow-run.Pending", "prefect.flow-run.Running", "prefect.flow-run.Completed"],
        );
        const states = await embedded.readFlowRunStates(run.id);
        assert.deepEqual(
          events.map((e) => e.resource["prefect.state-type"]),
          states.map((s) => s.type),
        );
        assert.deepEqual(
          events.map((e) => e.occurred),
          states.map((s) => s.timestamp),
        );
        for (const e of events) assert.equal(e.resource["prefect.resource.name"], run.name);
        // and they are the events the same changes through the server store
        const twin = await driveFlowRun(http, unique("evflow"));
        const twinEvents = await eventsOf(`prefect.flow-run.${twin.id}`);
        assert.deepEqual(twinEvents.map(shapeOf), events.map(shapeOf));
      });

      it("task-run events of recordTaskRunTransitions are stored once the embedded client closes", async () => {
        const own = new EmbeddedClient(t.database, { ownsDatabase: false });
        let flow: Flow;
        let run: FlowRun;
        let transitions: TaskRunTransition[];
        try {
          flow = await own.createFlow({ name: unique("evtask") });
          run = await own.createFlowRun({ flow_id: flow.id });
          await own.setFlowRunState(run.id, state(StateType.RUNNING));
          const task = taskRunRecord(run.id, { name: "evtask", tags: ["evtag"] });
          transitions = transitionsOf(task, [
            [StateType.PENDING, "Pending", at(1)],
            [StateType.RUNNING, "Running", at(2)],
            [StateType.COMPLETED, "Completed", at(3)],
          ]);
          await own.recordTaskRunTransitions(transitions);
        } finally {
          await own.close();
        }
        const taskId = transitions[0]?.run.id ?? "";
        const events = await eventsOf(`prefect.task-run.${taskId}`);
        assert.deepEqual(
          events.map((e) => e.event),
          ["prefect.task-run.Pending", "prefect.task-run.Running", "prefect.task-run.Completed"],
        );
        assert.deepEqual(
          ids(events),
          transitions.map((tr) => tr.state.id),
        );
        assert.deepEqual(
          events.map((e) => e.follows),
          [null, transitions[0]?.state.id, transitions[1]?.state.id],
        );
        for (const e of events) {
          assert.deepEqual(e.related, [
            {
              "prefect.resource.id": `prefect.flow-run.${run.id}`,
              "prefect.resource.role": "flow-run",
              "prefect.resource.name": run.name,
            },
            {
              "prefect.resource.id": `prefect.flow.${flow.id}`,
              "prefect.resource.role": "flow",
              "prefect.resource.name": flow.name,
            },
            { "prefect.resource.id": "prefect.tag.evtag", "prefect.resource.role": "tag" },
          ]);
        }
        // the HTTP client sends the same events for the same transitions
        const viaHttp = await http.createFlow({ name: unique("evtask") });
        const httpRun = await http.createFlowRun({ flow_id: viaHttp.id });
        await http.setFlowRunState(httpRun.id, state(StateType.RUNNING));
        const twin = taskRunRecord(httpRun.id, { name: "evtask", tags: ["evtag"] });
        await http.recordTaskRunTransitions(
          transitionsOf(twin, [
            [StateType.PENDING, "Pending", at(1)],
            [StateType.RUNNING, "Running", at(2)],
            [StateType.COMPLETED, "Completed", at(3)],
          ]),
        );
        await settle(http);
        const twinEvents = await eventsOf(`prefect.task-run.${twin.id}`);
        assert.deepEqual(twinEvents.map(shapeOf), events.map(shapeOf));
        assert.deepEqual(
          twinEvents.map((e) => e.payload),
          events.map((e) =>
            JSON.parse(
              JSON.stringify(e.payload).replaceAll(taskId, twin.id).replaceAll(run.id, httpRun.id),
            ),
          ),
        );
      });

      it("a task run's refused transition stores no event", async () => {
        const flow = await embedded.createFlow({ name: unique("evrefused") });
        const run = await embedded.createFlowRun({ flow_id: flow.id });
        const task = await embedded.createTaskRun({
          flow_run_id: run.id,
          task_key: "k",
          dynamic_key: "0",
        });
        const aborted = await embedded.setTaskRunState(task.id, state(StateType.RUNNING));
        assert.equal(aborted.status, "ABORT");
        assert.deepEqual(await eventsOf(`prefect.task-run.${task.id}`), []);
        assert.deepEqual(
          (await eventsOf(`prefect.flow-run.${run.id}`)).map((e) => e.event),
          ["prefect.flow-run.Pending"],
        );
      });
    });
  });
}

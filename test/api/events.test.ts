import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import WebSocket from "ws";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

interface Transition {
  type: string;
  name: string;
  at: Date;
  runCount: number;
  startTime?: Date;
  endTime?: Date;
  totalRunTime?: number;
  previous?: { type: string; name: string; id: string };
}

/** A `prefect.task-run.<State>` event as the Prefect 3.8 client sends it (see the transcripts). */
function taskRunEvent(
  ids: { taskRunId: string; flowRunId: string | null; flowId: string },
  t: Transition,
  task = { name: "flaky-10c", key: "flaky-445e76e3", dynamicKey: "0" },
) {
  const related = ids.flowRunId
    ? [
        {
          "prefect.resource.id": `prefect.flow-run.${ids.flowRunId}`,
          "prefect.resource.role": "flow-run",
          "prefect.resource.name": "tireless-nyala",
        },
        {
          "prefect.resource.id": `prefect.flow.${ids.flowId}`,
          "prefect.resource.role": "flow",
          "prefect.resource.name": "probe-basic",
        },
      ]
    : [];
  const taskRun: Record<string, unknown> = {
    name: task.name,
    task_key: task.key,
    dynamic_key: task.dynamicKey,
    empirical_policy: { max_retries: 0, retry_delay_seconds: 0, retries: 2, retry_delay: 0 },
    tags: ["etl"],
    labels: {},
    task_inputs: { n: [], attempts: [] },
    run_count: t.runCount,
    flow_run_run_count: t.runCount > 0 ? 1 : 0,
    expected_start_time: "2026-11-22T01:33:24.174282Z",
    total_run_time: t.totalRunTime ?? 0,
  };
  if (t.startTime) taskRun.start_time = t.startTime.toISOString();
  if (t.endTime) taskRun.end_time = t.endTime.toISOString();
  return {
    occurred: t.at.toISOString(),
    event: `prefect.task-run.${t.name}`,
    resource: {
      "prefect.resource.id": `prefect.task-run.${ids.taskRunId}`,
      "prefect.resource.name": task.name,
      "prefect.run-count": String(t.runCount),
      "prefect.state-message": "",
      "prefect.state-name": t.name,
      "prefect.state-timestamp": t.at.toISOString().replace("Z", "+00:00"),
      "prefect.state-type": t.type,
      "prefect.orchestration": "client",
    },
    related,
    payload: {
      intended: { from: t.previous?.type ?? null, to: t.type },
      initial_state: t.previous
        ? { type: t.previous.type, name: t.previous.name, message: "", state_details: {} }
        : null,
      validated_state: {
        type: t.type,
        name: t.name,
        message: "",
        state_details: t.type === "COMPLETED" ? { untrackable_result: true } : {},
        data: null,
      },
      task_run: taskRun,
    },
    id: randomUUID(),
    follows: t.previous?.id ?? null,
  };
}

type TaskRunEvent = ReturnType<typeof taskRunEvent>;

/** Pending → Running → Completed of one task run, starting at `start`. */
function lifecycle(
  ids: { taskRunId: string; flowRunId: string | null; flowId: string },
  start: Date,
  task?: { name: string; key: string; dynamicKey: string },
): TaskRunEvent[] {
  const at = (ms: number) => new Date(start.getTime() + ms);
  const pending = taskRunEvent(
    ids,
    { type: "PENDING", name: "Pending", at: at(0), runCount: 0 },
    task,
  );
  const running = taskRunEvent(
    ids,
    {
      type: "RUNNING",
      name: "Running",
      at: at(5),
      runCount: 1,
      startTime: at(5),
      previous: { type: "PENDING", name: "Pending", id: pending.id },
    },
    task,
  );
  const completed = taskRunEvent(
    ids,
    {
      type: "COMPLETED",
      name: "Completed",
      at: at(25),
      runCount: 1,
      startTime: at(5),
      endTime: at(25),
      totalRunTime: 0.02,
      previous: { type: "RUNNING", name: "Running", id: running.id },
    },
    task,
  );
  return [pending, running, completed];
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: events ingress and the task-run recorder`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    // POST /events answers once the events are queued; recording follows within the pipeline's
    // flush interval. Each posted batch is flushed here so that it is recorded as its own batch.
    const post = async (url: string, payload: unknown) => {
      const res = await app.inject({
        method: "POST",
        url: `/api${url}`,
        payload: payload as object,
      });
      if (url === "/events") await app.flushEvents();
      return res;
    };
    const get = (url: string) => app.inject({ method: "GET", url: `/api${url}` });

    async function newFlowRun(): Promise<{ flowId: string; flowRunId: string }> {
      const flow = (await post("/flows/", { name: "probe-basic" })).json();
      const run = await post("/flow_runs/", { flow_id: flow.id, state: { type: "PENDING" } });
      assert.equal(run.statusCode, 201);
      return { flowId: flow.id, flowRunId: run.json().id };
    }

    async function taskRunsOf(flowRunId: string) {
      const res = await post("/task_runs/filter", {
        task_runs: { flow_run_id: { any_: [flowRunId] } },
        sort: "EXPECTED_START_TIME_DESC",
      });
      assert.equal(res.statusCode, 200);
      return res.json() as Record<string, unknown>[];
    }

    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    it("records Pending → Running → Completed events of three task runs posted to /api/events", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const start = new Date("2026-11-22T01:33:24.174Z");
      const taskRunIds = [randomUUID(), randomUUID(), randomUUID()];
      const perRun = taskRunIds.map((taskRunId, i) =>
        lifecycle({ taskRunId, flowRunId, flowId }, new Date(start.getTime() + i * 2), {
          name: `task-${i}`,
          key: `task-${i}-key`,
          dynamicKey: String(i),
        }),
      );
      // interleaved as a client running them concurrently would emit them, with other events
      const events: unknown[] = [];
      for (let step = 0; step < 3; step++) for (const run of perRun) events.push(run[step]);
      events.unshift({
        occurred: start.toISOString(),
        event: "prefect.flow-run.heartbeat",
        resource: { "prefect.resource.id": `prefect.flow-run.${flowRunId}` },
        id: randomUUID(),
      });
      const first = await post("/events", events.slice(0, 5));
      assert.equal(first.statusCode, 204);
      assert.equal(first.body, "");
      assert.equal((await post("/events", events.slice(5))).statusCode, 204);

      const runs = await taskRunsOf(flowRunId);
      assert.equal(runs.length, 3);
      for (const run of runs) {
        assert.equal(run.state_type, "COMPLETED");
        assert.equal(run.state_name, "Completed");
        assert.equal(run.run_count, 1);
        assert.equal(run.flow_run_run_count, 1);
        assert.equal(run.flow_run_id, flowRunId);
        assert.ok(run.start_time);
        assert.ok(run.end_time);
        assert.equal(run.total_run_time, 0.02);
      }
      const i = 1;
      const id = taskRunIds[i] ?? "";
      const run = (await get(`/task_runs/${id}`)).json();
      const [pending, running, completed] = perRun[i] ?? [];
      assert.ok(pending && running && completed);
      assert.equal(run.id, id);
      assert.equal(run.name, "task-1");
      assert.equal(run.task_key, "task-1-key");
      assert.equal(run.dynamic_key, "1");
      assert.deepEqual(run.tags, ["etl"]);
      assert.deepEqual(run.task_inputs, { n: [], attempts: [] });
      assert.equal(run.empirical_policy.retries, 2);
      assert.equal(Date.parse(run.expected_start_time), Date.parse("2026-11-22T01:33:24.174282Z"));
      assert.equal(Date.parse(run.start_time), Date.parse(running.occurred));
      assert.equal(Date.parse(run.end_time), Date.parse(completed.occurred));
      assert.equal(run.state_id, completed.id);
      assert.equal(run.state.id, completed.id);
      assert.equal(run.state.type, "COMPLETED");
      assert.equal(run.state.state_details.task_run_id, id);
      assert.equal(run.state.state_details.flow_run_id, flowRunId);
      assert.equal(run.state.state_details.untrackable_result, true);

      const history = await get(`/task_run_states/?task_run_id=${id}`);
      assert.equal(history.statusCode, 200);
      const states = history.json() as { id: string; name: string; timestamp: string }[];
      assert.deepEqual(
        states.map((s) => s.name),
        ["Pending", "Running", "Completed"],
      );
      assert.deepEqual(
        states.map((s) => s.id),
        [pending.id, running.id, completed.id],
      );
      assert.equal(Date.parse(states[0]?.timestamp ?? ""), Date.parse(pending.occurred));
    });

    it("ends on the latest state when events arrive out of order, in one batch or across batches", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const [a1, a2, a3] = lifecycle(
        { taskRunId: randomUUID(), flowRunId, flowId },
        new Date("2026-11-22T02:00:00.000Z"),
        { name: "a", key: "a", dynamicKey: "0" },
      );
      const [b1, b2, b3] = lifecycle(
        { taskRunId: randomUUID(), flowRunId, flowId },
        new Date("2026-11-22T02:00:00.000Z"),
        { name: "b", key: "b", dynamicKey: "0" },
      );
      assert.ok(a1 && a2 && a3 && b1 && b2 && b3);
      assert.equal((await post("/events", [a1, a3, a2])).statusCode, 204);
      assert.equal((await post("/events", [b3])).statusCode, 204);
      assert.equal((await post("/events", [b2, b1])).statusCode, 204);
      // redelivery of the same events changes nothing
      assert.equal((await post("/events", [b1, b2, b3])).statusCode, 204);

      const runs = await taskRunsOf(flowRunId);
      assert.equal(runs.length, 2);
      for (const run of runs) {
        assert.equal(run.state_type, "COMPLETED");
        assert.equal(run.run_count, 1);
        const states = (await get(`/task_run_states/?task_run_id=${String(run.id)}`)).json();
        assert.deepEqual(
          (states as { type: string }[]).map((s) => s.type),
          ["PENDING", "RUNNING", "COMPLETED"],
        );
      }
    });

    it("skips task runs of unknown flow runs, records autonomous ones, ignores server-orchestrated ones", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const start = new Date("2026-11-22T03:00:00.000Z");
      const orphanId = randomUUID();
      const orphan = lifecycle({ taskRunId: orphanId, flowRunId: randomUUID(), flowId }, start);
      const keptId = randomUUID();
      const kept = lifecycle({ taskRunId: keptId, flowRunId, flowId }, start);
      const autonomousId = randomUUID();
      const autonomous = lifecycle({ taskRunId: autonomousId, flowRunId: null, flowId }, start, {
        name: "background",
        key: "bg",
        dynamicKey: "0",
      });
      const serverSideId = randomUUID();
      const serverSide = lifecycle({ taskRunId: serverSideId, flowRunId, flowId }, start, {
        name: "server",
        key: "server",
        dynamicKey: "0",
      }).map((e) => ({ ...e, resource: { ...e.resource, "prefect.orchestration": "server" } }));
      const res = await post("/events", [...orphan, ...kept, ...autonomous, ...serverSide]);
      assert.equal(res.statusCode, 204);

      assert.equal((await get(`/task_runs/${orphanId}`)).statusCode, 404);
      assert.equal((await get(`/task_runs/${serverSideId}`)).statusCode, 404);
      assert.equal((await get(`/task_runs/${keptId}`)).json().state_type, "COMPLETED");
      const bg = (await get(`/task_runs/${autonomousId}`)).json();
      assert.equal(bg.state_type, "COMPLETED");
      assert.equal(bg.flow_run_id, null);
      assert.equal(bg.state.state_details.flow_run_id, null);
    });

    it("records a second id for the same (flow run, task key, dynamic key) under the stored id", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const task = { name: "dup", key: "dup", dynamicKey: "7" };
      const firstId = randomUUID();
      const [pending] = lifecycle(
        { taskRunId: firstId, flowRunId, flowId },
        new Date("2026-11-22T04:00:00Z"),
        task,
      );
      const [, running, completed] = lifecycle(
        { taskRunId: randomUUID(), flowRunId, flowId },
        new Date("2026-11-22T04:00:00Z"),
        task,
      );
      assert.equal((await post("/events", [pending])).statusCode, 204);
      assert.equal((await post("/events", [running, completed])).statusCode, 204);
      const runs = await taskRunsOf(flowRunId);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.id, firstId);
      assert.equal(runs[0]?.state_type, "COMPLETED");
      const states = (await get(`/task_run_states/?task_run_id=${firstId}`)).json();
      assert.equal((states as unknown[]).length, 3);
    });

    it("keeps runs apart whose task key and dynamic key only run together the same", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const at = new Date("2026-11-22T04:30:00Z");
      const ids = [randomUUID(), randomUUID()];
      const events = [
        ...lifecycle({ taskRunId: ids[0] ?? "", flowRunId, flowId }, at, {
          name: "a",
          key: "a",
          dynamicKey: "bc",
        }),
        ...lifecycle({ taskRunId: ids[1] ?? "", flowRunId, flowId }, at, {
          name: "ab",
          key: "ab",
          dynamicKey: "c",
        }),
      ];
      assert.equal((await post("/events", events)).statusCode, 204);
      const runs = await taskRunsOf(flowRunId);
      assert.deepEqual(runs.map((r) => r.id).sort(), [...ids].sort());
    });

    it("answers 422 for events that are not Prefect events", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const [good] = lifecycle(
        { taskRunId: randomUUID(), flowRunId, flowId },
        new Date("2026-11-22T05:00:00Z"),
      );
      assert.ok(good);
      const bad: [string, unknown][] = [
        ["no resource id", { ...good, resource: { "prefect.resource.name": "x" } }],
        ["empty resource id", { ...good, resource: { "prefect.resource.id": "" } }],
        [
          "related without role",
          { ...good, related: [{ "prefect.resource.id": "prefect.flow.x" }] },
        ],
        ["non-string label", { ...good, resource: { "prefect.resource.id": "a", n: 1 } }],
        ["bad id", { ...good, id: "not-a-uuid" }],
        ["no occurred", { ...good, occurred: undefined }],
        ["bad occurred", { ...good, occurred: "yesterday" }],
        ["no event name", { ...good, event: undefined }],
        ["too large", { ...good, payload: { blob: "x".repeat(1_500_001) } }],
        [
          "too many related",
          {
            ...good,
            related: Array.from({ length: 101 }, (_, i) => ({
              "prefect.resource.id": `r.${i}`,
              "prefect.resource.role": "r",
            })),
          },
        ],
      ];
      for (const [why, event] of bad) {
        const res = await post("/events", [good, event]);
        assert.equal(res.statusCode, 422, why);
        const body = res.json();
        assert.equal(body.exception_message, "Invalid request received.", why);
        assert.ok(Array.isArray(body.exception_detail) && body.exception_detail.length > 0, why);
      }
      const tooLarge = await post("/events", [
        { ...good, payload: { blob: "x".repeat(1_500_001) } },
      ]);
      assert.match(JSON.stringify(tooLarge.json().exception_detail), /too large/);
      const noId = await post("/events", [{ ...good, resource: {} }]);
      assert.match(JSON.stringify(noId.json().exception_detail), /prefect\.resource\.id/);
      assert.equal((await post("/events", { not: "an array" })).statusCode, 422);
      // nothing of a rejected batch is recorded
      assert.equal((await taskRunsOf(flowRunId)).length, 0);
      assert.equal((await post("/events", [])).statusCode, 204);
    });

    it("records task runs while the event store cannot be written, and stores the events once it can", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const events = lifecycle(
        { taskRunId: randomUUID(), flowRunId, flowId },
        new Date("2026-11-22T05:00:00Z"),
        { name: "lanes", key: "lanes", dynamicKey: "0" },
      );
      const countStored = async () =>
        (
          await post("/events/filter", {
            filter: {
              any_resource: { id: [`prefect.flow-run.${flowRunId}`] },
              event: { prefix: ["prefect.task-run."] },
            },
          })
        ).json().total as number;
      await sql`ALTER TABLE events RENAME TO events_away`.execute(t.database.db);
      try {
        assert.equal((await post("/events", events)).statusCode, 204);
        const runs = await taskRunsOf(flowRunId);
        assert.equal(runs.length, 1);
        assert.equal(runs[0]?.state_type, "COMPLETED");
      } finally {
        await sql`ALTER TABLE events_away RENAME TO events`.execute(t.database.db);
      }
      // the failed store batch is kept for another attempt
      await app.flushEvents();
      assert.equal(await countStored(), 3);
    });

    it("takes events on the /api/events/in WebSocket after the auth handshake", async () => {
      const { flowId, flowRunId } = await newFlowRun();
      const address = await app.listen({ port: 0, host: "127.0.0.1" });
      const port = (app.server.address() as AddressInfo).port;
      assert.ok(address.includes(String(port)));
      const url = `ws://127.0.0.1:${port}/api/events/in`;

      const count = 200;
      const ids = Array.from({ length: count }, () => randomUUID());
      const start = new Date("2026-11-22T06:00:00Z");
      const events = ids.flatMap((taskRunId, i) =>
        lifecycle({ taskRunId, flowRunId, flowId }, new Date(start.getTime() + i), {
          name: `ws-é-${i}`,
          key: "ws",
          dynamicKey: String(i),
        }),
      );

      const ws = new WebSocket(url, ["prefect"]);
      const replies: unknown[] = [];
      const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
      ws.on("error", () => undefined);
      await new Promise<void>((resolve, reject) => {
        ws.on("open", () => resolve());
        ws.on("error", reject);
      });
      assert.equal(ws.protocol, "prefect");
      const authed = new Promise<void>((resolve) =>
        ws.on("message", (data) => {
          replies.push(JSON.parse(data.toString()));
          resolve();
        }),
      );
      ws.send(JSON.stringify({ type: "auth", token: null }));
      await authed;
      assert.deepEqual(replies, [{ type: "auth_success" }]);
      ws.send("not json"); // dropped, the connection stays open
      ws.send(JSON.stringify({ event: "bad" })); // dropped too
      for (const event of events) ws.send(JSON.stringify(event));
      ws.close();
      assert.equal(await closed, 1005);

      // every frame arrived before the close handshake finished: record what is buffered
      await app.flushEvents();
      const runs = await taskRunsOf(flowRunId);
      assert.equal(runs.length, count);
      assert.ok(runs.every((r) => r.state_type === "COMPLETED" && r.run_count === 1));
      const states = (await get(`/task_run_states/?task_run_id=${ids[count - 1] ?? ""}`)).json();
      assert.equal((states as unknown[]).length, 3);
      assert.deepEqual(replies, [{ type: "auth_success" }]);

      // stored as sent, with a resource row per resource: found by any of them
      const sent = events[0];
      assert.ok(sent);
      const stored = (
        await post("/events/filter", {
          filter: {
            occurred: { since: "2026-11-22T00:00:00Z", until: "2026-11-23T00:00:00Z" },
            related: { id: [`prefect.flow.${flowId}`], role: ["flow"] },
            resource: { id: [sent.resource["prefect.resource.id"]] },
          },
        })
      ).json() as { total: number; events: Record<string, unknown>[] };
      const pending = stored.events.find((e) => e.id === sent.id);
      assert.ok(pending, JSON.stringify(stored));
      assert.deepEqual(pending.resource, sent.resource);
      assert.deepEqual(pending.related, sent.related);
      assert.deepEqual(pending.payload, sent.payload);
      assert.equal(pending.event, sent.event);
      assert.equal(Date.parse(String(pending.occurred)), Date.parse(sent.occurred));

      // a first frame that is not an auth message closes the socket (policy violation)
      const rude = new WebSocket(url, ["prefect"]);
      const rudeClosed = new Promise<number>((resolve) =>
        rude.on("close", (code) => resolve(code)),
      );
      rude.on("error", () => undefined);
      rude.on("open", () => rude.send(JSON.stringify(events[0])));
      assert.equal(await rudeClosed, 1008);
    });
  });
}

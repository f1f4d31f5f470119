/**
 * The `prefect.flow-run.<State>` events the server emits name what Prefect's server names
 * (`prefect.server.models.events.flow_run_state_change_event`): the run as the resource, and as
 * related resources its flow with its name, the task run a subflow runs under with its name, the
 * tags of the run, its flow and that task run (sorted, each once), and the payload's states with
 * their type, name and message where set.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

interface ReceivedEvent {
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: flow-run state events name their flow and parent as Prefect does`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    before(async () => {
      t = await createTestDatabase(dialect);
      app = await createCheckedApp({ database: t.database });
    });
    after(async () => {
      await app.close();
      await t.dispose();
    });

    async function post<T>(url: string, payload: object): Promise<T> {
      const res = await app.inject({ method: "POST", url: `/api${url}`, payload });
      assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
      return res.json() as T;
    }

    async function eventsOf(flowRunId: string): Promise<ReceivedEvent[]> {
      await app.flushEvents();
      const page = await post<{ events: ReceivedEvent[] }>("/events/filter", {
        filter: {
          occurred: { since: "2000-01-01T00:00:00Z" },
          resource: { id: [`prefect.flow-run.${flowRunId}`] },
          order: "ASC",
        },
      });
      return page.events;
    }

    it("a subflow's events: flow and parent task run by name, the tags of all three", async () => {
      const parentFlow = await post<{ id: string }>("/flows/", { name: "parent-flow" });
      const childFlow = await post<{ id: string }>("/flows/", {
        name: "child-flow",
        tags: ["flow-tag", "shared"],
      });
      const parentRun = await post<{ id: string }>("/flow_runs/", { flow_id: parentFlow.id });
      const parentTask = await post<{ id: string }>("/task_runs/", {
        flow_run_id: parentRun.id,
        task_key: "child-flow-key",
        dynamic_key: "0",
        name: "child-flow-0",
        tags: ["task-tag", "shared"],
      });
      const child = await post<{ id: string; name: string }>("/flow_runs/", {
        flow_id: childFlow.id,
        parent_task_run_id: parentTask.id,
        tags: ["run-tag"],
        state: { type: "PENDING" },
      });
      await post(`/flow_runs/${child.id}/set_state`, {
        state: { type: "RUNNING", message: "started" },
      });

      const events = await eventsOf(child.id);
      assert.deepEqual(
        events.map((e) => e.event),
        ["prefect.flow-run.Pending", "prefect.flow-run.Running"],
      );
      const related = [
        {
          "prefect.resource.id": `prefect.flow.${childFlow.id}`,
          "prefect.resource.role": "flow",
          "prefect.resource.name": "child-flow",
        },
        {
          "prefect.resource.id": `prefect.task-run.${parentTask.id}`,
          "prefect.resource.role": "task-run",
          "prefect.resource.name": "child-flow-0",
        },
        ...["flow-tag", "run-tag", "shared", "task-tag"].map((tag) => ({
          "prefect.resource.id": `prefect.tag.${tag}`,
          "prefect.resource.role": "tag",
        })),
      ];
      for (const event of events) assert.deepEqual(event.related, related, event.event);
      const [pending, running] = events;
      assert.equal(pending?.resource["prefect.resource.name"], child.name);
      assert.deepEqual(pending?.payload, {
        intended: { from: null, to: "PENDING" },
        initial_state: null,
        validated_state: { type: "PENDING", name: "Pending" },
      });
      assert.deepEqual(running?.payload, {
        intended: { from: "PENDING", to: "RUNNING" },
        initial_state: { type: "PENDING", name: "Pending" },
        validated_state: { type: "RUNNING", name: "Running", message: "started" },
      });
    });

    it("a run of a flow without tags names its flow only", async () => {
      const flow = await post<{ id: string }>("/flows/", { name: "plain-flow" });
      const run = await post<{ id: string }>("/flow_runs/", { flow_id: flow.id });
      const [created] = await eventsOf(run.id);
      assert.deepEqual(created?.related, [
        {
          "prefect.resource.id": `prefect.flow.${flow.id}`,
          "prefect.resource.role": "flow",
          "prefect.resource.name": "plain-flow",
        },
      ]);
    });
  });
}

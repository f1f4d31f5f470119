/**
 * The scheduler plans runs, then inserts them: a deployment paused, or a schedule deleted, in
 * between (the pause deleting the runs there were) gets no runs from that insert. Both databases.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { schedulingWindow } from "../../src/core/schedules/index.ts";
import { EmbeddedClient } from "../../src/embedded/embedded-client.ts";
import {
  insertScheduledRuns,
  planDeploymentRuns,
  readDeploymentsToPlan,
} from "../../src/resources/deployments/scheduler-queries.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  describe(`scheduler: runs planned before a pause are not inserted after it (${dialect})`, () => {
    let t: TestDatabase;
    let client: EmbeddedClient;

    before(async () => {
      t = await createTestDatabase(dialect);
      client = new EmbeddedClient(t.database, { ownsDatabase: false });
    });
    after(async () => {
      await client.close();
      await t.dispose();
    });

    async function planned(name: string) {
      const flow = await client.createFlow({ name });
      const deployment = await client.deployments.create({
        name: "hourly",
        flowId: flow.id,
        schedules: [{ schedule: { interval: 3600 } }],
      });
      const now = new Date().toISOString();
      const [plannable] = await readDeploymentsToPlan(t.database, [deployment.id], now);
      assert.ok(plannable);
      const runs = await planDeploymentRuns(t.database, [plannable], schedulingWindow(now), now);
      assert.ok(runs.length >= 3, `${runs.length} runs planned`);
      return { deployment, runs };
    }

    const scheduledRuns = (deploymentId: string) =>
      client.countFlowRuns({ flow_runs: { deployment_id: { any_: [deploymentId] } } });

    it("inserts the planned runs of a deployment still active", async () => {
      const { deployment, runs } = await planned("active");
      const ids = await insertScheduledRuns(t.database, runs, 500);
      assert.equal(ids.length, runs.length);
      assert.equal(await scheduledRuns(deployment.id), runs.length);
    });

    it("inserts none once the deployment is paused", async () => {
      const { deployment, runs } = await planned("paused");
      await client.deployments.pause(deployment.id);
      assert.deepEqual(await insertScheduledRuns(t.database, runs, 500), []);
      assert.equal(await scheduledRuns(deployment.id), 0);
    });

    it("inserts none of a schedule deleted meanwhile", async () => {
      const { deployment, runs } = await planned("unscheduled");
      const [schedule] = await client.deployments.readSchedules(deployment.id);
      assert.ok(schedule);
      await client.deployments.deleteSchedule(deployment.id, schedule.id);
      assert.deepEqual(await insertScheduledRuns(t.database, runs, 500), []);
      assert.equal(await scheduledRuns(deployment.id), 0);
    });

    it("deleting a schedule marks the deployment changed (its other schedules are planned again within seconds)", async () => {
      const flow = await client.createFlow({ name: "two-schedules" });
      const deployment = await client.deployments.create({
        name: "both",
        flowId: flow.id,
        schedules: [{ schedule: { interval: 3600 } }, { schedule: { interval: 7200 } }],
      });
      const [first] = await client.deployments.readSchedules(deployment.id);
      assert.ok(first);
      const before = (await client.deployments.read(deployment.id)).updated;
      await client.deployments.deleteSchedule(deployment.id, first.id);
      const after = (await client.deployments.read(deployment.id)).updated;
      assert.ok(after > before, `${before} → ${after}`);
    });
  });
}

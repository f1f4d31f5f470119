/**
 * `flow.deploy()` from a script — a real process in a project folder, against the local database
 * and a real server on an ephemeral port, on SQLite and PostgreSQL: the entrypoint is found as
 * `flow.serve()` finds it, the deployment is made in its pool with its schedule, parameters and
 * job variables, and the id comes back; a module that deploys itself at its top level is loaded by
 * `flow-run execute` without deploying again; an unknown pool or no pool is refused.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  flowModule,
  type Mode,
  makeProject,
  openPlace,
  type Place,
  prefectTs,
  runNode,
  SDK,
} from "../deploy/project.ts";
import { DIALECTS } from "../helpers/databases.ts";

const deployScript = (options: string) => `import { etl } from "./flows/etl.ts";
try {
  const id = await etl.deploy(${options});
  console.log("ID " + id);
} catch (error) {
  console.log("ERROR " + error.name + ": " + error.message);
}
`;

const selfDeploying = (record: string) => `import { appendFileSync } from "node:fs";
import { flow } from ${JSON.stringify(SDK)};
export const selfFlow = flow({ name: "self-flow" }, async () => {
  appendFileSync(${JSON.stringify(record)}, "SELF\\n");
  return 1;
});
const id = await selfFlow.deploy({ name: "self", workPoolName: "local", tags: ["top-level"] });
console.log("ID " + id);
`;

for (const dialect of DIALECTS) {
  for (const mode of ["embedded", "server"] as const satisfies Mode[]) {
    describe(`flow.deploy() (${dialect}, ${mode})`, () => {
      let place: Place;
      let project: ReturnType<typeof makeProject>;
      let record: string;
      const script = async (name: string) => {
        const res = await runNode([name], project.dir, place.env);
        assert.equal(res.code, 0, res.stderr);
        return res.stdout.trim().split("\n").at(-1) ?? "";
      };

      before(async () => {
        place = await openPlace(dialect, mode);
        record = join(place.db.home, "record.jsonl");
        project = makeProject({
          "flows/etl.ts": flowModule("etl", "etl-flow", record),
          "deploy.ts": deployScript(
            `{ name: "from-code", workPoolName: "local", workQueueName: "q1", cron: "0 4 * * *", timezone: "America/New_York", parameters: { n: 3 }, jobVariables: { env: { A: "1" } }, tags: ["sdk"], concurrencyLimit: { limit: 1, collisionStrategy: "ENQUEUE" } }`,
          ),
          "unknown-pool.ts": deployScript(`{ name: "x", workPoolName: "nowhere" }`),
          "no-pool.ts": deployScript(`{ name: "x" }`),
          "self.ts": selfDeploying(record),
        });
        await place.client.workPools.create({ name: "local", type: "process" });
      });
      after(async () => {
        await place.close();
        project.dispose();
      });

      it("makes the deployment in the pool, the entrypoint found where the flow is defined, and answers its id", async () => {
        const line = await script("deploy.ts");
        const id = /^ID ([0-9a-f-]{36})$/.exec(line)?.[1];
        assert.ok(id, line);
        const d = await place.client.deployments.read(id);
        assert.equal(d.name, "from-code");
        assert.equal((await place.client.readFlow(d.flow_id)).name, "etl-flow");
        assert.equal(d.entrypoint, "flows/etl.ts:etl");
        assert.equal(d.path, project.dir);
        assert.deepEqual(d.pull_steps, [
          { "prefect.deployments.steps.set_working_directory": { directory: project.dir } },
        ]);
        assert.equal(d.work_pool_name, "local");
        assert.equal(d.work_queue_name, "q1");
        assert.deepEqual(d.parameters, { n: 3 });
        assert.deepEqual(d.job_variables, { env: { A: "1" } });
        assert.deepEqual(d.tags, ["sdk"]);
        assert.equal(d.description, "The etl-flow flow.");
        assert.equal(d.enforce_parameter_schema, true);
        assert.equal(d.concurrency_limit, 1);
        assert.deepEqual(d.schedules[0]?.schedule, {
          cron: "0 4 * * *",
          timezone: "America/New_York",
          day_or: true,
        });
        // deploying again updates the same deployment
        assert.equal(await script("deploy.ts"), `ID ${id}`);
      });

      it("a module that deploys itself is loaded by flow-run execute without deploying again", async () => {
        const line = await script("self.ts");
        const id = /^ID ([0-9a-f-]{36})$/.exec(line)?.[1];
        assert.ok(id, line);
        const d = await place.client.deployments.read(id);
        assert.equal(d.entrypoint, "self.ts:selfFlow");
        const run = await place.client.deployments.createFlowRun(id, { parameters: {} });
        const executed = await prefectTs(["flow-run", "execute", run.id], place.db.home, place.env);
        assert.equal(executed.code, 0, executed.stdout + executed.stderr);
        assert.equal((await place.client.readFlowRun(run.id)).state_type, "COMPLETED");
        assert.match(readFileSync(record, "utf8"), /^SELF$/m);
        assert.equal((await place.client.deployments.read(id)).updated, d.updated);
      });

      it("refuses an unknown pool, and no pool, saying what to do", async () => {
        assert.equal(
          await script("unknown-pool.ts"),
          "ERROR ObjectNotFoundError: Work pool 'nowhere' not found: no worker could run this deployment's flow runs. Create it first: prefect-ts work-pool create 'nowhere' --type process",
        );
        assert.match(
          await script("no-pool.ts"),
          /^ERROR ValidationError: flow 'etl-flow'\.deploy\(\): give a workPoolName/,
        );
        assert.equal(await place.client.deployments.count({ names: ["x"] }), 0);
      });
    });
  }
}

/**
 * `prefect-ts deploy ENTRYPOINT` — the real CLI in a subprocess, in a project folder of its own,
 * against the local database (embedded) and a real server on an ephemeral port, on SQLite and
 * PostgreSQL: the deployment is made in its pool with Prefect's fields (entrypoint relative to the
 * project, `path`, the default pull step), deploying again updates it, `flow-run execute` from
 * elsewhere runs it where its code is, and bad input is one clear line with exit code 1 and nothing
 * made.
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
  ROOT,
} from "../deploy/project.ts";
import { DIALECTS } from "../helpers/databases.ts";

for (const dialect of DIALECTS) {
  for (const mode of ["embedded", "server"] as const satisfies Mode[]) {
    describe(`prefect-ts deploy (${dialect}, ${mode})`, () => {
      let place: Place;
      let project: ReturnType<typeof makeProject>;
      let record: string;
      const deploy = (...args: string[]) => prefectTs(["deploy", ...args], project.dir, place.env);

      before(async () => {
        place = await openPlace(dialect, mode);
        record = join(place.db.home, "record.jsonl");
        project = makeProject({
          "flows/etl.ts": flowModule("etl", "etl-flow", record),
          "plain.ts": "export const notAFlow = 42;\n",
        });
        await place.client.workPools.create({ name: "local", type: "process" });
      });
      after(async () => {
        await place.close();
        project.dispose();
      });

      it("registers the flow's deployment in the pool, and deploying again updates it", async () => {
        const res = await deploy(
          "./flows/etl.ts:etl",
          "--name",
          "nightly",
          "--pool",
          "local",
          "--cron",
          "0 3 * * *",
          "--timezone",
          "Europe/Berlin",
          "--param",
          "n=5",
          "--param",
          "who=ann",
          "-jv",
          'env={"LOG":"1"}',
          "--job-variable",
          "working_dir=/tmp",
          "-t",
          "a",
          "--tag",
          "b",
          "--version",
          "2.0",
          "--concurrency-limit",
          "3",
          "--no-enforce-parameter-schema",
        );
        assert.equal(res.code, 0, res.stderr);
        const d = await place.client.deployments.readByName("etl-flow/nightly");
        assert.match(
          res.stdout,
          new RegExp(
            `^Deployment 'etl-flow/nightly' successfully created with id '${d.id}'\\.$`,
            "m",
          ),
        );
        assert.match(
          res.stdout,
          new RegExp(`View Deployment in UI: http://[^ ]+/deployments/deployment/${d.id}`),
        );
        assert.match(res.stdout, /\$ prefect-ts worker start --pool 'local'$/m);
        assert.match(res.stdout, /\$ prefect-ts deployment run 'etl-flow\/nightly'$/m);
        assert.equal(d.entrypoint, "flows/etl.ts:etl");
        assert.equal(d.path, project.dir);
        assert.deepEqual(d.pull_steps, [
          { "prefect.deployments.steps.set_working_directory": { directory: project.dir } },
        ]);
        assert.equal(d.work_pool_name, "local");
        assert.equal(d.work_queue_name, "default");
        assert.deepEqual(d.parameters, { n: 5, who: "ann" });
        assert.deepEqual(d.job_variables, { env: { LOG: "1" }, working_dir: "/tmp" });
        assert.deepEqual(d.tags, ["a", "b"]);
        assert.equal(d.version, "2.0");
        assert.equal(d.description, "The etl-flow flow.");
        assert.equal(d.concurrency_limit, 3);
        assert.equal(d.enforce_parameter_schema, false);
        assert.equal(d.schedules.length, 1);
        assert.deepEqual(d.schedules[0]?.schedule, {
          cron: "0 3 * * *",
          timezone: "Europe/Berlin",
          day_or: true,
        });
        const schema = d.parameter_openapi_schema as { properties: Record<string, unknown> };
        assert.deepEqual(Object.keys(schema.properties), ["n", "who"]);

        // again, changed: the same deployment, updated
        const again = await deploy(
          "flows/etl.ts:etl",
          "-n",
          "nightly",
          "-p",
          "local",
          "--interval",
          "600",
          "--paused",
          "-o",
          "json",
        );
        assert.equal(again.code, 0, again.stderr);
        const shown = JSON.parse(again.stdout);
        assert.equal(shown.id, d.id);
        const updated = await place.client.deployments.read(d.id);
        assert.equal(updated.paused, true);
        assert.equal(updated.schedules.length, 1);
        assert.equal(
          (updated.schedules[0]?.schedule as { interval?: number } | undefined)?.interval,
          600,
        );
        assert.equal(await place.client.deployments.count({ flowNames: ["etl-flow"] }), 1);
      });

      it("flow-run execute runs a run of it from another directory, in the project's", async () => {
        const d = await place.client.deployments.readByName("etl-flow/nightly");
        const run = await place.client.deployments.createFlowRun(d.id, { parameters: { n: 41 } });
        const res = await prefectTs(["flow-run", "execute", run.id], ROOT, place.env);
        assert.equal(res.code, 0, res.stdout + res.stderr);
        assert.match(res.stdout, / > Running set_working_directory step\.\.\./);
        assert.equal((await place.client.readFlowRun(run.id)).state_type, "COMPLETED");
        const lines = readFileSync(record, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
        // deployed again without parameters: the flow's default
        assert.deepEqual(lines.at(-1), { cwd: project.dir, n: 41, who: "x" });
      });

      it("refuses bad input with one clear line, exit code 1, and makes nothing", async () => {
        const before = await place.client.deployments.count();
        const fails = async (pattern: RegExp, ...args: string[]) => {
          const res = await deploy(...args);
          assert.equal(res.code, 1, `${args.join(" ")}: ${res.stdout}`);
          assert.match(res.stderr.trim(), pattern, args.join(" "));
          assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
        };
        await fails(
          /^Invalid entrypoint 'flows\/etl\.ts': give it as path\/to\/file\.ts:flowVariable/,
          "flows/etl.ts",
          "-n",
          "x",
          "-p",
          "local",
        );
        await fails(
          /^Entrypoint 'flows\/etl\.ts:nope': flows\/etl\.ts has no export 'nope' \(its flows: etl\)$/,
          "flows/etl.ts:nope",
          "-n",
          "x",
          "-p",
          "local",
        );
        await fails(/'notAFlow' is not a flow/, "plain.ts:notAFlow", "-n", "x", "-p", "local");
        await fails(
          /^Entrypoint 'missing\.ts:f': file .*missing\.ts not found$/,
          "missing.ts:f",
          "-n",
          "x",
          "-p",
          "local",
        );
        await fails(
          /^Work pool 'nowhere' not found: .*prefect-ts work-pool create 'nowhere' --type process$/,
          "flows/etl.ts:etl",
          "-n",
          "x",
          "-p",
          "nowhere",
        );
        await fails(
          /a work pool is required to deploy this flow: --pool NAME/,
          "flows/etl.ts:etl",
          "-n",
          "x",
        );
        await fails(
          /a deployment name must be provided: --name NAME/,
          "flows/etl.ts:etl",
          "-p",
          "local",
        );
        await fails(
          /^Can only pass one of `--param` or `--params` options$/,
          "flows/etl.ts:etl",
          "-n",
          "x",
          "-p",
          "local",
          "--param",
          "n=1",
          "--params",
          '{"n":2}',
        );
        await fails(
          /option '--params <json>' argument '\[1\]' is invalid\. must be a JSON object/,
          "flows/etl.ts:etl",
          "--params",
          "[1]",
        );
        await fails(
          /^prefect\.yml: cannot read it: no such file$/,
          "--prefect-file",
          "prefect.yml",
        );
        assert.equal(await place.client.deployments.count(), before);
      });
    });
  }
}

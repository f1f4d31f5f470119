/**
 * `prefect.yaml` with `prefect-ts deploy` — the real CLI in a subprocess, in a project folder,
 * against the local database and a real server on an ephemeral port, on SQLite and PostgreSQL:
 * `--name` picks a deployment and `--all` takes them all; build-step outputs, the environment and
 * anchors (`<<` merges) fill the file; the command line goes over it; a deployment's own `pull`
 * steps (a `git_clone` of a real local repository) are kept as written and run by `flow-run
 * execute`. And a file that is not Prefect's format is an error naming its line.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { parsePrefectYaml } from "../../src/deploy/prefect-yaml.ts";
import { DIALECTS } from "../helpers/databases.ts";
import { flowModule, type Mode, makeProject, openPlace, type Place, prefectTs } from "./project.ts";

describe("prefect.yaml: what is not Prefect's format is an error naming the line", () => {
  const fails = (text: string, pattern: RegExp) =>
    assert.throws(() => parsePrefectYaml(text, "prefect.yaml"), pattern);

  it("unknown keys, values of the wrong kind, YAML that does not parse", () => {
    fails(
      "deployments:\n  - name: a\n    entrypiont: f.ts:f\n",
      /^PrefectYamlError: prefect\.yaml:3:5: unknown key 'entrypiont' in deployments\[0\]$/,
    );
    fails(
      "name: p\nbiuld: []\n",
      /^PrefectYamlError: prefect\.yaml:2:1: unknown key 'biuld' in the file$/,
    );
    fails(
      "deployments:\n  - name: a\n    tags: nightly\n",
      /^PrefectYamlError: prefect\.yaml:3:11: deployments\[0\]\.tags: .*expected array/,
    );
    fails(
      "deployments:\n  - name: a\n    work_pool:\n      name: p\n      queue: q\n",
      /^PrefectYamlError: prefect\.yaml:5:7: unknown key 'queue' in deployments\[0\]\.work_pool$/,
    );
    fails(
      "deployments:\n  - name: a\n    schedules:\n      - cron: '* * * * *'\n        every: 5\n",
      /^PrefectYamlError: prefect\.yaml:5:9: unknown key 'every' in deployments\[0\]\.schedules\[0\]$/,
    );
    fails(
      "deployments:\n  - name: a\n    tags: [1, 2\n",
      /^PrefectYamlError: prefect\.yaml:4:1: Flow sequence/,
    );
    fails("- a\n- b\n", /^PrefectYamlError: prefect\.yaml: a prefect\.yaml is a mapping/);
  });

  it("reads anchors and merges, and says where each deployment is", () => {
    const parsed = parsePrefectYaml(
      "definitions:\n  pool: &pool\n    name: local\n    work_queue_name: q\ndeployments:\n  - name: a\n    work_pool:\n      <<: *pool\n      work_queue_name: other\n  - name: b\n    work_pool: *pool\n",
      "prefect.yaml",
    );
    assert.deepEqual(
      parsed.deployments.map((d) => [d.config.work_pool, d.location]),
      [
        [{ name: "local", work_queue_name: "other" }, "prefect.yaml:6:5"],
        [{ name: "local", work_queue_name: "q" }, "prefect.yaml:10:5"],
      ],
    );
  });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@e",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@e",
    },
  });

function prefectYaml(repoUrl: string): string {
  return `name: project
prefect-version: 3.4.0
build:
  - prefect.deployments.steps.run_shell_script:
      id: get-version
      script: echo 1.2.3
      stream_output: false
definitions:
  pools:
    local: &local
      name: local
      job_variables:
        env:
          STAGE: "{{ $DEPLOY_STAGE }}"
deployments:
  - name: nightly
    entrypoint: flows/etl.ts:etl
    version: "{{ get-version.stdout }}"
    tags: ["{{ $DEPLOY_STAGE }}", nightly]
    description: Nightly ETL
    parameters: { n: 7 }
    schedules:
      - cron: "0 3 * * *"
        timezone: Europe/Berlin
      - interval: 3600
        anchor_date: "2026-01-01T00:00:00+00:00"
        active: false
        slug: hourly
    concurrency_limit: { limit: 2, collision_strategy: CANCEL_NEW }
    enforce_parameter_schema: false
    work_pool:
      <<: *local
      work_queue_name: etl
  - name: cloned
    entrypoint: flows/etl.ts:etl
    work_pool: *local
    pull:
      - prefect.deployments.steps.git_clone:
          id: clone
          repository: ${repoUrl}
      - prefect.deployments.steps.run_shell_script:
          directory: "{{ clone.directory }}"
          script: touch pulled.txt
`;
}

for (const dialect of DIALECTS) {
  for (const mode of ["embedded", "server"] as const satisfies Mode[]) {
    describe(`prefect-ts deploy with prefect.yaml (${dialect}, ${mode})`, () => {
      let place: Place;
      let project: ReturnType<typeof makeProject>;
      let record: string;
      let env: Record<string, string>;
      const deploy = (...args: string[]) => prefectTs(["deploy", ...args], project.dir, env);

      before(async () => {
        place = await openPlace(dialect, mode);
        env = { ...place.env, DEPLOY_STAGE: "prod" };
        record = join(place.db.home, "record.jsonl");
        // the repository the "cloned" deployment's runs pull their code from
        const repo = join(place.db.home, "etl-repo");
        mkdirSync(join(repo, "flows"), { recursive: true });
        writeFileSync(join(repo, "flows/etl.ts"), flowModule("etl", "etl-flow", record));
        git(repo, "init", "--quiet");
        git(repo, "add", ".");
        git(repo, "commit", "--quiet", "-m", "flows");
        project = makeProject({
          "flows/etl.ts": flowModule("etl", "etl-flow", record),
          "prefect.yaml": prefectYaml(pathToFileURL(repo).href),
        });
        await place.client.workPools.create({ name: "local", type: "process" });
      });
      after(async () => {
        await place.close();
        project.dispose();
      });

      it("--name deploys that one, filled from the build steps, the environment and anchors", async () => {
        const res = await deploy("--name", "nightly");
        assert.equal(res.code, 0, res.stderr);
        assert.match(res.stdout, /^Running deployment build steps\.\.\.$/m);
        assert.match(res.stdout, /^Deployment 'etl-flow\/nightly' successfully created/m);
        assert.equal(await place.client.deployments.count(), 1);
        const d = await place.client.deployments.readByName("etl-flow/nightly");
        assert.equal(d.version, "1.2.3");
        assert.deepEqual(d.tags, ["prod", "nightly"]);
        assert.equal(d.description, "Nightly ETL");
        assert.deepEqual(d.parameters, { n: 7 });
        assert.equal(d.work_pool_name, "local");
        assert.equal(d.work_queue_name, "etl");
        assert.deepEqual(d.job_variables, { env: { STAGE: "prod" } });
        assert.equal(d.concurrency_limit, 2);
        assert.deepEqual(d.concurrency_options, { collision_strategy: "CANCEL_NEW" });
        assert.equal(d.enforce_parameter_schema, false);
        assert.equal(d.entrypoint, "flows/etl.ts:etl");
        assert.equal(d.path, project.dir);
        assert.deepEqual(d.pull_steps, [
          { "prefect.deployments.steps.set_working_directory": { directory: project.dir } },
        ]);
        const schedules = d.schedules.map((s) => ({
          schedule: s.schedule,
          active: s.active,
          slug: s.slug,
        }));
        assert.deepEqual(schedules.find((s) => s.slug === null)?.schedule, {
          cron: "0 3 * * *",
          timezone: "Europe/Berlin",
          day_or: true,
        });
        const hourly = schedules.find((s) => s.slug === "hourly");
        assert.equal(hourly?.active, false);
        assert.equal((hourly?.schedule as { interval?: number } | undefined)?.interval, 3600);
      });

      it("the command line goes over the file", async () => {
        const res = await deploy(
          "-n",
          "nightly",
          "--tag",
          "cli",
          "--param",
          "n=9",
          "-q",
          "other",
          "--version",
          "9",
        );
        assert.equal(res.code, 0, res.stderr);
        const d = await place.client.deployments.readByName("etl-flow/nightly");
        assert.deepEqual(d.tags, ["cli"]);
        assert.deepEqual(d.parameters, { n: 9 });
        assert.equal(d.work_queue_name, "other");
        assert.equal(d.version, "9");
      });

      it("--all deploys each; a deployment's own pull steps are kept, and flow-run execute runs them", async () => {
        const res = await deploy("--all");
        assert.equal(res.code, 0, res.stderr);
        assert.match(
          res.stdout,
          /^Deploying all flows with an existing deployment configuration\.\.\.$/m,
        );
        assert.equal(await place.client.deployments.count(), 2);
        const d = await place.client.deployments.readByName("etl-flow/cloned");
        assert.equal(d.work_queue_name, "default");
        assert.deepEqual(d.pull_steps?.[1], {
          "prefect.deployments.steps.run_shell_script": {
            directory: "{{ clone.directory }}",
            script: "touch pulled.txt",
          },
        });
        const runs = join(place.db.home, "runs");
        mkdirSync(runs, { recursive: true });
        const run = await place.client.deployments.createFlowRun(d.id, { parameters: { n: 2 } });
        const executed = await prefectTs(["flow-run", "execute", run.id], runs, env);
        assert.equal(executed.code, 0, executed.stdout + executed.stderr);
        assert.match(
          executed.stdout,
          / > Running git_clone step\.\.\.\n > Running run_shell_script step\.\.\./,
        );
        assert.equal((await place.client.readFlowRun(run.id)).state_type, "COMPLETED");
        const clone = join(runs, "etl-repo");
        assert.ok(existsSync(join(clone, "pulled.txt")));
        const last = JSON.parse(readFileSync(record, "utf8").trim().split("\n").at(-1) as string);
        assert.deepEqual(last, { cwd: clone, n: 2, who: "x" });
      });

      it("a pull step that fails ends the run Crashed, naming the step", async () => {
        const d = await place.client.deployments.readByName("etl-flow/cloned");
        await place.client.deployments.update(d.id, {
          pullSteps: [{ "prefect.deployments.steps.run_shell_script": { script: "false" } }],
        });
        const run = await place.client.deployments.createFlowRun(d.id, { parameters: {} });
        const executed = await prefectTs(["flow-run", "execute", run.id], place.db.home, env);
        assert.equal(executed.code, 1);
        const crashed = await place.client.readFlowRun(run.id);
        assert.equal(crashed.state_type, "CRASHED");
        assert.match(
          crashed.state?.message ?? "",
          /^pull step 1 \(run_shell_script\) failed: run_shell_script failed with error code 1/,
        );
      });

      it("several deployments and no name, a missing entrypoint, a bad file: clear errors, exit code 1", async () => {
        const none = await deploy();
        assert.equal(none.code, 1);
        assert.match(
          none.stderr,
          /^prefect\.yaml: it has 2 deployments and no name was given; choose with --name NAME \(or deploy them all with --all\)$/m,
        );
        writeFileSync(
          join(project.dir, "other.yaml"),
          "deployments:\n  - name: lost\n    work_pool: { name: local }\n",
        );
        const missing = await deploy("--prefect-file", "other.yaml");
        assert.equal(missing.code, 1);
        assert.match(
          missing.stderr,
          /^other\.yaml:2:5: an entrypoint must be provided: prefect-ts deploy path\/to\/file\.ts:flowVariable/m,
        );
        writeFileSync(
          join(project.dir, "bad.yaml"),
          "deployments:\n  - name: x\n    entrypoint: flows/etl.ts:etl\n    schedules:\n      - cron: '* * * * *'\n        interval: 5\n",
        );
        const bad = await deploy("--prefect-file", "bad.yaml", "--pool", "local");
        assert.equal(bad.code, 1);
        assert.match(
          bad.stderr,
          /^bad\.yaml:2:5: schedules\[0\]: a schedule has one of cron, interval or rrule \(it has cron, interval\)$/m,
        );
        const both = await deploy("--all", "--name", "x");
        assert.equal(both.code, 1);
        assert.match(
          both.stderr,
          /^Cannot use both `--all` and `--name` at the same time\. Use only one\.$/m,
        );
        assert.equal(await place.client.deployments.count(), 2);
      });
    });
  }
}

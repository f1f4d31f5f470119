import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FlowRun, LogRecord, TaskRun } from "../../src/core/runs.ts";
import { createFlow } from "../../src/resources/flows/queries.ts";
import { createLogs } from "../../src/resources/logs/queries.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import {
  type CliResult,
  cliEnv,
  isoAgo,
  runCli,
  seedFlowRun,
  seedTaskRun,
  stateAgo,
} from "./helpers.ts";

for (const dialect of DIALECTS) {
  describe(`prefect-ts flow, task-run, version (${dialect})`, () => {
    let tdb: TestDatabase;
    let env: Record<string, string>;
    let flowRun: FlowRun;
    let hello: TaskRun;
    let boom: TaskRun;
    const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      env = cliEnv(tdb);
      const db = tdb.database;
      await createFlow(db, { name: "older-flow" });
      const flow = (await createFlow(db, { name: "pipeline" })).flow;
      flowRun = await seedFlowRun(db, flow.id, "main-run", stateAgo("FAILED", 60), 120);
      hello = await seedTaskRun(db, flowRun.id, "say_hello", stateAgo("COMPLETED", 90), 100);
      boom = await seedTaskRun(db, flowRun.id, "explode", stateAgo("FAILED", 70), 80);
      const log = (message: string, seconds: number): LogRecord => ({
        name: "prefect.task_runs",
        level: 20,
        message,
        timestamp: isoAgo(seconds),
        flow_run_id: flowRun.id,
        task_run_id: hello.id,
      });
      await createLogs(db, [log("first", 95), log("second", 94), log("third", 93)], isoAgo(0));
    });
    after(() => tdb.dispose());

    it("flow ls lists flows newest first with ID, Name, Created", async () => {
      const { code, stdout, stderr } = await cli("flow", "ls");
      assert.equal(code, 0, stderr);
      assert.match(stdout, /┃\s+ID ┃ Name\s+┃ Created\s+┃/);
      assert.match(
        stdout,
        /│ [0-9a-f-]{36} │ pipeline\s+│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00 │/,
      );
      assert.ok(stdout.indexOf("pipeline") < stdout.indexOf("older-flow"));
      const limited = await cli("flow", "ls", "--limit", "1");
      assert.ok(limited.stdout.includes("pipeline") && !limited.stdout.includes("older-flow"));
    });

    it("task-run ls shows task runs with state; --state-type filters; -o json parses", async () => {
      const [all, failed, json] = await Promise.all([
        cli("task-run", "ls"),
        cli("task-run", "ls", "--state-type", "FAILED"),
        cli("task-run", "ls", "-o", "json"),
      ]);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /Task Runs/);
      assert.match(
        all.stdout,
        new RegExp(`${hello.id} │ say_hello\\s+│ say_hello-0\\s+│ COMPLETED\\s+│ 1 minute ago`),
      );
      assert.match(all.stdout, new RegExp(`${boom.id} │ explode\\s+│ explode-0\\s+│ FAILED`));
      assert.ok(failed.stdout.includes(boom.id) && !failed.stdout.includes(hello.id));
      const runs = JSON.parse(json.stdout) as TaskRun[];
      assert.deepEqual(new Set(runs.map((r) => r.id)), new Set([hello.id, boom.id]));
      assert.ok(runs.every((r) => r.flow_run_id === flowRun.id && typeof r.task_key === "string"));
    });

    it("task-run inspect prints the run; unknown ids exit 1", async () => {
      const missing = "0b9f5e0c-0000-4000-8000-000000000000";
      const [json, text, unknown] = await Promise.all([
        cli("task-run", "inspect", boom.id, "-o", "json"),
        cli("task-run", "inspect", boom.id),
        cli("task-run", "inspect", missing),
      ]);
      assert.equal(json.code, 0, json.stderr);
      const run = JSON.parse(json.stdout) as TaskRun;
      assert.equal(run.state?.type, "FAILED");
      assert.equal(run.dynamic_key, "0");
      assert.match(text.stdout, /^task_key:\s+explode$/m);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, `Task run '${missing}' not found!\n`);
    });

    it("task-run logs prints the task's lines in order", async () => {
      const [all, tail] = await Promise.all([
        cli("task-run", "logs", hello.id),
        cli("task-run", "logs", hello.id, "--tail", "-n", "2"),
      ]);
      assert.equal(all.code, 0, all.stderr);
      const lines = all.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 3);
      assert.match(
        lines[0] ?? "",
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \| INFO {4}\| Task run 'say_hello-0' - first$/,
      );
      assert.deepEqual(
        tail.stdout
          .trimEnd()
          .split("\n")
          .map((l) => l.split(" - ")[1]),
        ["second", "third"],
      );
    });

    it("version prints the version block with the database dialect and location", async () => {
      const { code, stdout, stderr } = await cli("version");
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Version:\s+\d+\.\d+\.\d+/m);
      assert.match(stdout, /^API version:\s+0\.8\.4$/m);
      assert.match(stdout, new RegExp(`^Node version:\\s+${process.versions.node}$`, "m"));
      assert.match(
        stdout,
        new RegExp(`^  Database:\\s+${dialect === "sqlite" ? "sqlite" : "postgresql"}$`, "m"),
      );
      assert.match(stdout, /^ {2}Location:\s+\S+/m);
      const flag = await cli("--version");
      assert.equal(flag.code, 0);
      assert.match(flag.stdout, /^\d+\.\d+\.\d+\n$/);
    });
  });
}

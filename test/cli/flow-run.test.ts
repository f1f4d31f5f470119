import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { FlowRun } from "../../src/core/runs.ts";
import { createFlow } from "../../src/resources/flows/queries.ts";
import { createLogs } from "../../src/resources/logs/queries.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { type CliResult, cliEnv, isoAgo, runCli, seedFlowRun, stateAgo } from "./helpers.ts";

const LOG_BASE = Date.parse("2024-05-01T12:00:00.000Z");
const logStamp = (i: number): string => new Date(LOG_BASE + i * 1000 + 123).toISOString();

function tableRow(out: string, id: string): string {
  const line = out.split("\n").find((l) => l.includes(id));
  assert.ok(line, `no row for ${id} in:\n${out}`);
  return line;
}

for (const dialect of DIALECTS) {
  describe(`prefect-ts flow-run (${dialect})`, () => {
    let tdb: TestDatabase;
    let env: Record<string, string>;
    let completed: FlowRun;
    let failed: FlowRun;
    let scheduled: FlowRun;
    let running: FlowRun;
    const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      env = cliEnv(tdb);
      const db = tdb.database;
      const etl = (await createFlow(db, { name: "etl" })).flow;
      const report = (await createFlow(db, { name: "report" })).flow;
      completed = await seedFlowRun(db, etl.id, "happy-run", stateAgo("COMPLETED", 150), 400);
      failed = await seedFlowRun(db, etl.id, "sad-run", stateAgo("FAILED", 3 * 3600), 300);
      const inNinetyMinutes = new Date(Date.now() + 90 * 60_000).toISOString();
      scheduled = await seedFlowRun(
        db,
        report.id,
        "future-run",
        stateAgo("SCHEDULED", 10, inNinetyMinutes),
        200,
      );
      // minutes, not seconds, ago: the assertion must hold however long the CLI takes to start
      running = await seedFlowRun(db, report.id, "busy-run", stateAgo("RUNNING", 20 * 60), 100);
      const levels = [20, 20, 30, 40, 20];
      await createLogs(
        db,
        levels.map((level, i) => ({
          name: "prefect.flow_runs",
          level,
          message: `message ${i + 1}`,
          timestamp: logStamp(i),
          flow_run_id: completed.id,
          task_run_id: null,
        })),
        isoAgo(0),
      );
    });
    after(() => tdb.dispose());

    it("ls lists every run with its flow, state type and relative time", async () => {
      const { code, stdout, stderr } = await cli("flow-run", "ls");
      assert.equal(code, 0, stderr);
      assert.match(stdout, /Flow Runs/);
      assert.match(stdout, /┃\s+ID ┃ Flow\s+┃ Name\s+┃ State\s+┃ When\s+┃/);
      assert.match(
        tableRow(stdout, completed.id),
        /│ etl\s+│ happy-run\s+│ COMPLETED\s+│ 2 minutes ago/,
      );
      assert.match(tableRow(stdout, failed.id), /│ etl\s+│ sad-run\s+│ FAILED\s+│ 3 hours ago/);
      assert.match(
        tableRow(stdout, scheduled.id),
        /│ report\s+│ future-run\s+│ SCHEDULED\s+│ in 1 hour/,
      );
      assert.match(tableRow(stdout, running.id), /│ RUNNING\s+│ 20 minutes ago/);
      // newest created first
      const order = [running, scheduled, failed, completed].map((r) => stdout.indexOf(r.id));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
      );
    });

    it("ls filters by --state-type, --state and --flow-name, and honours --limit", async () => {
      const [byType, byName, byFlow, limited, none] = await Promise.all([
        cli("flow-run", "ls", "--state-type", "failed", "--state-type", "SCHEDULED"),
        cli("flow-run", "ls", "--state", "completed"),
        cli("flow-run", "ls", "--flow-name", "report"),
        cli("flow-run", "ls", "--limit", "1"),
        cli("flow-run", "ls", "--state-type", "CRASHED"),
      ]);
      assert.equal(byType.code, 0, byType.stderr);
      assert.ok(byType.stdout.includes(failed.id) && byType.stdout.includes(scheduled.id));
      assert.ok(!byType.stdout.includes(completed.id) && !byType.stdout.includes(running.id));
      assert.ok(byName.stdout.includes(completed.id));
      assert.ok(!byName.stdout.includes(failed.id));
      assert.ok(byFlow.stdout.includes(scheduled.id) && byFlow.stdout.includes(running.id));
      assert.ok(!byFlow.stdout.includes(completed.id));
      assert.equal(limited.stdout.split("\n").filter((l) => l.startsWith("│")).length, 1);
      assert.equal(none.code, 0);
      assert.equal(none.stdout.trim(), "No flow runs found.");
    });

    it("ls rejects an unknown state type with the valid options", async () => {
      const { code, stdout, stderr } = await cli("flow-run", "ls", "--state-type", "DONE");
      assert.equal(code, 1);
      assert.equal(stdout, "");
      assert.match(stderr, /^Invalid state type 'DONE'\. Options are SCHEDULED, PENDING, RUNNING/);
    });

    it("ls -o json prints the runs as the API returns them (snake_case, with state)", async () => {
      const { code, stdout, stderr } = await cli(
        "flow-run",
        "ls",
        "-o",
        "json",
        "--state-type",
        "COMPLETED",
      );
      assert.equal(code, 0, stderr);
      const runs = JSON.parse(stdout) as FlowRun[];
      assert.equal(runs.length, 1);
      const [run] = runs;
      assert.equal(run?.id, completed.id);
      assert.equal(run?.flow_id, completed.flow_id);
      assert.equal(run?.state_type, "COMPLETED");
      assert.equal(run?.state?.type, "COMPLETED");
      assert.ok(run && "state_details" in (run.state ?? {}) && "expected_start_time" in run);
      assert.deepEqual(run?.parameters, { n: 1 });
    });

    it("inspect -o json prints the flow run; the default rendering is key/value", async () => {
      const json = await cli("flow-run", "inspect", completed.id, "-o", "json");
      assert.equal(json.code, 0, json.stderr);
      const run = JSON.parse(json.stdout) as FlowRun;
      assert.equal(run.id, completed.id);
      assert.equal(run.name, "happy-run");
      assert.equal(run.state?.name, "Completed");
      assert.deepEqual(run.tags, ["cli-test"]);

      const text = await cli("flow-run", "inspect", completed.id);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^id:\s+[0-9a-f-]{36}$/m);
      assert.match(text.stdout, /^name:\s+happy-run$/m);
      assert.match(text.stdout, /^state:\n(\s{2}.*\n)*\s{2}type:\s+COMPLETED$/m);
      assert.ok(!text.stdout.includes("View at"));
    });

    it("inspect links to the UI when PREFECT_UI_URL is set", async () => {
      const res = await runCli(["flow-run", "inspect", failed.id], {
        ...env,
        PREFECT_UI_URL: "http://ui.test/",
      });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(
        res.stdout.trimEnd().split("\n").at(-1),
        `View at http://ui.test/runs/flow-run/${failed.id}`,
      );
    });

    it("inspect of an unknown or malformed id exits 1 with one line", async () => {
      const missing = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
      const unknown = await cli("flow-run", "inspect", missing);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stdout, "");
      assert.equal(unknown.stderr, `Flow run '${missing}' not found!\n`);

      const bad = await cli("flow-run", "inspect", "not-a-uuid");
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "Invalid value for 'ID': 'not-a-uuid' is not a valid UUID.\n");
    });

    it("logs prints every line in order, in Prefect's format", async () => {
      const { code, stdout, stderr } = await cli("flow-run", "logs", completed.id);
      assert.equal(code, 0, stderr);
      const lines = stdout.trimEnd().split("\n");
      assert.equal(lines.length, 5);
      assert.equal(
        lines[0],
        "2024-05-01 12:00:00.123 | INFO    | Flow run 'happy-run' - message 1",
      );
      assert.equal(
        lines[2],
        "2024-05-01 12:00:02.123 | WARNING | Flow run 'happy-run' - message 3",
      );
      assert.equal(
        lines[3],
        "2024-05-01 12:00:03.123 | ERROR   | Flow run 'happy-run' - message 4",
      );
      assert.deepEqual(
        lines.map((l) => l.split(" - ")[1]),
        ["message 1", "message 2", "message 3", "message 4", "message 5"],
      );
    });

    it("logs --tail / --head / --reverse pick and order the lines", async () => {
      const messages = (r: CliResult) =>
        r.stdout
          .trimEnd()
          .split("\n")
          .map((l) => l.split(" - ")[1]);
      const [tail, head, tailReversed, both] = await Promise.all([
        cli("flow-run", "logs", completed.id, "--tail", "-n", "2"),
        cli("flow-run", "logs", completed.id, "-h", "-n", "2"),
        cli("flow-run", "logs", completed.id, "-t", "-r", "-n", "2"),
        cli("flow-run", "logs", completed.id, "--head", "--tail"),
      ]);
      assert.deepEqual(messages(tail), ["message 4", "message 5"]);
      assert.deepEqual(messages(head), ["message 1", "message 2"]);
      assert.deepEqual(messages(tailReversed), ["message 5", "message 4"]);
      assert.equal(both.code, 1);
      assert.match(both.stderr, /either a `head` or `tail`/);
    });

    it("delete removes the run, and a second delete reports it missing", async () => {
      const del = await cli("flow-run", "delete", running.id);
      assert.equal(del.code, 0, del.stderr);
      assert.equal(del.stdout, `Successfully deleted flow run '${running.id}'.\n`);
      const ls = await cli("flow-run", "ls");
      assert.ok(!ls.stdout.includes(running.id));
      assert.ok(ls.stdout.includes(completed.id));
      const again = await cli("flow-run", "delete", running.id);
      assert.equal(again.code, 1);
      assert.equal(again.stderr, `Flow run '${running.id}' not found!\n`);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`prefect-ts flow-run against PREFECT_API_URL (${dialect})`, () => {
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let env: Record<string, string>;
    let done: FlowRun;
    const cli = (...args: string[]): Promise<CliResult> => runCli(args, env);

    before(async () => {
      tdb = await createTestDatabase(dialect);
      const etl = (await createFlow(tdb.database, { name: "etl-remote" })).flow;
      done = await seedFlowRun(tdb.database, etl.id, "remote-run", stateAgo("COMPLETED", 60), 10);
      app = await createCheckedApp({ database: tdb.database });
      const address = await app.listen({ host: "127.0.0.1", port: 0 });
      // the CLI has only the server: no database of its own
      env = { PREFECT_HOME: tdb.home, PREFECT_API_URL: `${address}/api` };
    });
    after(async () => {
      await app.close();
      await tdb.dispose();
    });

    it("lists, inspects and deletes runs through the server", async () => {
      const listed = await cli("flow-run", "ls");
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(tableRow(listed.stdout, done.id), /etl-remote.*COMPLETED/);
      const inspected = await cli("flow-run", "inspect", done.id, "-o", "json");
      assert.equal(inspected.code, 0, inspected.stderr);
      assert.equal(JSON.parse(inspected.stdout).name, "remote-run");
      const deleted = await cli("flow-run", "delete", done.id);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout, `Successfully deleted flow run '${done.id}'.\n`);
      const gone = await cli("flow-run", "inspect", done.id);
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr, `Flow run '${done.id}' not found!\n`);
    });
  });
}

/**
 * A flow run with no deployment, run in a process of its own (on the local database, and against
 * a server), cancelled from the CLI while its subflow runs tasks: the engine learns of it, ends the
 * run and its subflow run Cancelled, runs their `onCancellation` hooks, ends the task run under way
 * Cancelled, and runs no task after that — the body's next task call throws — so the process ends
 * by itself long before the body would have.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { TaskRunSort } from "../../src/core/filters.ts";
import { StateType } from "../../src/core/state-types.ts";
import { readFlowRun } from "../../src/resources/flow-runs/queries.ts";
import { filterTaskRuns } from "../../src/resources/task-runs/queries.ts";
import { cliEnv, runCli } from "../cli/helpers.ts";
import { createCheckedApp } from "../helpers/checked-app.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURE = "test/fixtures/cancellable-flow.ts";

/** The fixture's process, its output lines as they come, and a wait for a line. */
function startFlow(env: Record<string, string>) {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PREFECT_")) base[k] = v;
  }
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (line.startsWith(w.prefix)) w.resolve(line);
      else waiters.push(w);
    }
  });
  const exited = once(child, "exit") as Promise<[number | null, string | null]>;
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen) return resolve(seen);
      waiters.push({ prefix, resolve });
      void exited.then(() =>
        reject(new Error(`the flow exited before printing '${prefix}': ${stderr}`)),
      );
    });
  return { child, lines, line, exited, stderr: () => stderr };
}

for (const dialect of DIALECTS) {
  for (const transport of ["embedded", "server"] as const) {
    describe(`${dialect}, ${transport}: a flow run cancelled from the CLI in its own process`, () => {
      let tdb: TestDatabase;
      let app: FastifyInstance | null = null;
      let env: Record<string, string>;
      before(async () => {
        tdb = await createTestDatabase(dialect);
        env = cliEnv(tdb);
        if (transport === "server") {
          app = await createCheckedApp({ database: tdb.database });
          await app.listen({ host: "127.0.0.1", port: 0 });
          const address = app.server.address();
          const port = typeof address === "object" && address ? address.port : 0;
          env = { PREFECT_HOME: tdb.home, PREFECT_API_URL: `http://127.0.0.1:${port}/api` };
        }
      });
      after(async () => {
        await app?.close();
        await tdb.dispose();
      });

      it("ends Cancelled with its subflow, runs their hooks, and runs no task after", async () => {
        const run = startFlow(env);
        try {
          const parentId = (await run.line("RUN ")).slice(4);
          const childId = (await run.line("CHILD ")).slice(6);
          await run.line("TASK child 1");
          const cancel = await runCli(["flow-run", "cancel", parentId], env);
          assert.equal(cancel.code, 0, cancel.stderr);
          assert.equal(
            cancel.stdout,
            `Flow run '${parentId}' was successfully scheduled for cancellation.\n`,
          );
          const [code] = await run.exited;
          assert.equal(code, 0, run.stderr());

          const lines = run.lines;
          assert.ok(lines.includes("FINAL CANCELLED"), lines.join("\n"));
          const hooks = lines.filter((l) => l.startsWith("HOOK "));
          assert.deepEqual(hooks.map((l) => l.split(" ").slice(0, 4).join(" ")).sort(), [
            "HOOK child onCancellation Cancelled",
            "HOOK parent onCancellation Cancelled",
          ]);
          // no task started once the run was cancelled: none after the hooks ran
          const lastTask = lines.findLastIndex((l) => l.startsWith("TASK "));
          const firstHook = lines.findIndex((l) => l.startsWith("HOOK "));
          assert.ok(lastTask < firstHook, lines.join("\n"));
          const childTasks = lines.filter((l) => l.startsWith("TASK child ")).length;
          assert.ok(childTasks < 100, `${childTasks} child tasks ran`);

          const parent = await readFlowRun(tdb.database, parentId);
          assert.equal(parent?.state_type, StateType.CANCELLED);
          const child = await readFlowRun(tdb.database, childId);
          assert.equal(child?.state_type, StateType.CANCELLED);
          // every task run recorded is final: the one under way was ended Cancelled, and there is
          // one per task body that started
          const taskRuns = await until("the task runs recorded", async () => {
            const runs = await filterTaskRuns(tdb.database, {
              task_runs: { flow_run_id: { any_: [parentId, childId] } },
              sort: TaskRunSort.ID_DESC,
              limit: 1000,
              offset: 0,
            });
            const started = lines.filter((l) => l.startsWith("TASK ")).length;
            // the parent's 3 tasks, its subflow's parent task run, and the subflow's tasks
            return runs.length === started + 1 ? runs : null;
          });
          const unfinished = taskRuns.filter(
            (t) => !["COMPLETED", "CANCELLED"].includes(t.state_type ?? ""),
          );
          assert.deepEqual(
            unfinished.map((t) => `${t.name} ${t.state_type}`),
            [],
          );
          assert.ok(
            taskRuns.some((t) => t.flow_run_id === childId && t.state_type === "CANCELLED"),
            "the task run under way ended Cancelled",
          );
          const subflowTask = taskRuns.find((t) => t.id === child?.parent_task_run_id);
          assert.equal(subflowTask?.state_type, StateType.CANCELLED);
        } finally {
          run.child.kill("SIGKILL");
        }
      });
    });
  }
}

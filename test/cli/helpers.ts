/** Running the real `prefect-ts` CLI in a subprocess, and seeding a database for it. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { uuid4, uuid7 } from "../../src/core/ids.ts";
import type { FlowRun, TaskRun } from "../../src/core/runs.ts";
import { emptyStateDetails, type StateRecord } from "../../src/core/state.ts";
import type { StateType } from "../../src/core/state-types.ts";
import type { Database } from "../../src/storage/database.ts";
import type { TestDatabase } from "../helpers/databases.ts";
import { flowRunRecord, taskRunRecord } from "../helpers/records.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `prefect-ts ARGS` with only the given PREFECT_* settings (the parent's are dropped). */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PREFECT_")) base[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Run `prefect-ts ARGS` in this process (the CLI's `runCli`, its output captured), with only the
 * given PREFECT_* settings in `process.env` (the others are dropped).
 */
export async function runCliInProcess(
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const { runCli: runCliHere } = await import("../../src/cli/main.ts");
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("PREFECT_")) delete process.env[key];
  }
  Object.assign(process.env, env);
  let stdout = "";
  let stderr = "";
  const code = await runCliHere(args, {
    out: (text) => {
      stdout += text.endsWith("\n") ? text : `${text}\n`;
    },
    err: (text) => {
      stderr += text.endsWith("\n") ? text : `${text}\n`;
    },
  });
  return { code, stdout, stderr };
}

/**
 * Assertions over a way of running the CLI: `ok` asserts exit code 0 and answers stdout, trimmed;
 * `fails` asserts exit code 1 and that stderr is `message`.
 */
export function cliChecks(cli: (...args: string[]) => Promise<CliResult>) {
  return {
    async ok(...args: string[]): Promise<string> {
      const res = await cli(...args);
      assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
      return res.stdout.trim();
    },
    async fails(message: string, ...args: string[]): Promise<void> {
      const res = await cli(...args);
      assert.equal(res.code, 1, `${args.join(" ")}: ${res.stdout}`);
      assert.equal(res.stderr.trim(), message);
    },
  };
}

export const isoAgo = (seconds: number): string =>
  new Date(Date.now() - seconds * 1000).toISOString();

export function state(
  type: StateType,
  name: string,
  timestamp: string,
  scheduledTime?: string,
): StateRecord {
  return {
    id: uuid7(),
    type,
    name,
    timestamp,
    message: null,
    data: null,
    state_details: { ...emptyStateDetails(), scheduled_time: scheduledTime ?? null },
  };
}

/** A state of `type` entered `secondsAgo`, named as Prefect names it (`COMPLETED` → `Completed`). */
export function stateAgo(type: StateType, secondsAgo: number, scheduledTime?: string): StateRecord {
  const name = type.charAt(0) + type.slice(1).toLowerCase();
  return state(type, name, isoAgo(secondsAgo), scheduledTime);
}

/** The settings that point the CLI at a test database. */
export function cliEnv(tdb: TestDatabase): Record<string, string> {
  return { PREFECT_HOME: tdb.home, PREFECT_API_DATABASE_CONNECTION_URL: tdb.url };
}

function runTimes(s: StateRecord) {
  return {
    state_id: s.id,
    state_type: s.type,
    state_name: s.name,
    state_timestamp: s.timestamp,
    run_count: 1,
    expected_start_time: s.state_details.scheduled_time ?? s.timestamp,
    next_scheduled_start_time: null,
    start_time: null,
    end_time: null,
    total_run_time: 0,
  };
}

/** Insert a flow run, created `createdAgo` seconds ago, with one current state. */
export async function seedFlowRun(
  database: Database,
  flowId: string,
  name: string,
  s: StateRecord,
  createdAgo: number,
): Promise<FlowRun> {
  const { insertFlowRun } = await import("../../src/resources/flow-runs/queries.ts");
  const { insertFlowRunState } = await import("../../src/resources/states/queries.ts");
  const created = isoAgo(createdAgo);
  const run: FlowRun = flowRunRecord(flowId, {
    created,
    updated: created,
    name,
    parameters: { n: 1 },
    tags: ["cli-test"],
    ...runTimes(s),
    state: s,
  });
  await insertFlowRun(database, database.db, run);
  await insertFlowRunState(database, database.db, run.id, s, created);
  return run;
}

/** Insert a task run, created `createdAgo` seconds ago, with one state, as the recorder does. */
export async function seedTaskRun(
  database: Database,
  flowRunId: string,
  taskKey: string,
  s: StateRecord,
  createdAgo: number,
): Promise<TaskRun> {
  const { recordTaskRunTransitions } = await import("../../src/resources/task-runs/model.ts");
  const { ctxOf } = await import("../helpers/context.ts");
  const created = isoAgo(createdAgo);
  const run: TaskRun = taskRunRecord(flowRunId, {
    id: uuid4(),
    created,
    updated: created,
    name: `${taskKey}-0`,
    task_key: taskKey,
    ...runTimes(s),
    state: s,
  });
  // recorded at `created`: the app clock stamps the state rows
  const { skipped } = await recordTaskRunTransitions(ctxOf(database, { nowIso: () => created }), [
    { run, state: s },
  ]);
  if (skipped > 0) throw new Error(`task run ${run.id}: its flow run ${flowRunId} does not exist`);
  return run;
}

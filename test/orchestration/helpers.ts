/** Shared fixtures for the orchestration suites: runs put into a given state, and a test clock. */
import { after, before, describe } from "node:test";
import type { FlowRun, TaskRun } from "../../src/core/runs.ts";
import type { StateCreate } from "../../src/core/state.ts";
import { addSeconds, type Clock, nowIso } from "../../src/core/time.ts";
import { createFlowRun, readFlowRun } from "../../src/resources/flow-runs/model.ts";
import { updateFlowRun } from "../../src/resources/flow-runs/queries.ts";
import { createFlow } from "../../src/resources/flows/model.ts";
import { createTaskRun, readTaskRun } from "../../src/resources/task-runs/model.ts";
import { updateTaskRun } from "../../src/resources/task-runs/queries.ts";
import type { AppContext } from "../../src/services/context.ts";
import type { Database } from "../../src/storage/database.ts";
import { ctxOf } from "../helpers/context.ts";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../helpers/databases.ts";

/**
 * The database of a dialect's suite, open from its `before` hook to its `after` hook, and the
 * application context over it (system clock) that the models take.
 */
export interface SuiteDatabase {
  readonly database: Database;
  readonly ctx: AppContext;
}

/**
 * One `describe` per dialect (`<dialect>: <title>`), each with a fresh test database opened
 * before its tests and disposed after them.
 */
export function describeOnEachDialect(title: string, body: (t: SuiteDatabase) => void): void {
  for (const dialect of DIALECTS) {
    void describe(`${dialect}: ${title}`, () => {
      let current: TestDatabase | undefined;
      before(async () => {
        current = await createTestDatabase(dialect);
      });
      after(async () => {
        await current?.dispose();
      });
      body({
        get database(): Database {
          if (!current) throw new Error(`${dialect}: the suite database is not open`);
          return current.database;
        },
        get ctx(): AppContext {
          return ctxOf(this.database);
        },
      });
    });
  }
}

/** A clock that only moves when told to. */
export class TestClock implements Clock {
  current: string;
  constructor(start: string = nowIso()) {
    this.current = start;
  }
  nowIso(): string {
    return this.current;
  }
  advance(seconds: number): void {
    this.current = addSeconds(this.current, seconds);
  }
}

/** Seconds from now as an ISO timestamp (real clock). */
export const inSeconds = (seconds: number): string => addSeconds(nowIso(), seconds);

let flowCounter = 0;
export async function newFlowId(database: Database): Promise<string> {
  flowCounter += 1;
  const { flow } = await createFlow(ctxOf(database), { name: `orchestration-flow-${flowCounter}` });
  return flow.id;
}

export type FlowRunFields = Partial<
  Pick<
    FlowRun,
    | "deployment_id"
    | "infrastructure_pid"
    | "run_count"
    | "parent_task_run_id"
    | "start_time"
    | "end_time"
    | "tags"
  >
> & { empirical_policy?: Partial<FlowRun["empirical_policy"]> };

/** A flow run whose current state is `initial` (forced), with extra run fields patched in. */
export async function flowRunIn(
  database: Database,
  initial: StateCreate | null,
  fields: FlowRunFields = {},
): Promise<FlowRun> {
  const flowId = await newFlowId(database);
  const { empirical_policy, ...rest } = fields;
  const ctx = ctxOf(database);
  const { flowRun: created } = await createFlowRun(ctx, {
    flow_id: flowId,
    state: initial ?? { type: "PENDING" },
    empirical_policy,
  });
  const run = await readFlowRun(ctx, created.id);
  Object.assign(run, rest);
  Object.assign(run.empirical_policy, empirical_policy);
  if (initial === null) {
    await database.db.deleteFrom("flow_run_state").where("flow_run_id", "=", run.id).execute();
    Object.assign(run, { state: null, state_id: null, state_type: null, state_name: null });
  }
  await updateFlowRun(database, database.db, run);
  return readFlowRun(ctx, run.id);
}

export type TaskRunFields = Partial<
  Pick<TaskRun, "run_count" | "flow_run_run_count" | "start_time" | "end_time">
> & { empirical_policy?: Partial<TaskRun["empirical_policy"]> };

/** A task run (in `flowRunId`, or autonomous when null) whose current state is `initial`. */
export async function taskRunIn(
  database: Database,
  flowRunId: string | null,
  initial: StateCreate | null,
  fields: TaskRunFields = {},
): Promise<TaskRun> {
  const { empirical_policy, ...rest } = fields;
  const ctx = ctxOf(database);
  const { taskRun } = await createTaskRun(ctx, {
    flow_run_id: flowRunId,
    task_key: "task",
    dynamic_key: String(Math.random()),
    state: initial ?? { type: "PENDING" },
    empirical_policy,
  });
  const run = await readTaskRun(ctx, taskRun.id);
  Object.assign(run, rest);
  if (initial === null) {
    await database.db.deleteFrom("task_run_state").where("task_run_id", "=", run.id).execute();
    Object.assign(run, { state: null, state_id: null, state_type: null, state_name: null });
  }
  await updateTaskRun(database, database.db, run);
  return readTaskRun(ctx, run.id);
}

/**
 * What the worker fault tests (faults-*.test.ts) share: a real `prefect-ts server start` on an
 * ephemeral port over a fresh database of the dialect (restartable, with the settings a test
 * gives it), a process work pool with a deployment of test/fixtures/worker-fault-flows.ts, and
 * `prefect-ts worker start` processes whose pid, children and output lines the tests can reach —
 * every one of them, and every child seen, killed after the suite. Everything goes through the
 * HTTP API, as another process would see it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { after, before } from "node:test";
import { isProcessAlive } from "../../src/core/processes.ts";
import type { FlowRun } from "../../src/core/runs.ts";
import type { StateRecord } from "../../src/core/state.ts";
import { freePort, ServerProcess } from "../faults/processes.ts";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";
import { until } from "../helpers/until.ts";

export const FINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];
export const POOL = "fault-pool";
/** An awaited output line comes within this (a loaded machine starts processes slowly). */
const LINE_MS = 40_000;

/** A `prefect-ts worker start` process. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  /** Resolves with the first group of the first output line matching `pattern`. */
  line: (pattern: RegExp) => Promise<string>;
}

/** The processes whose parent is `pid` (Linux: read from /proc). */
export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // `pid (comm) state ppid …`: the fields after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export function alive(pid: number): boolean {
  return isProcessAlive(pid);
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

export interface FaultContext {
  db: TestDatabase;
  server: ServerProcess;
  deploymentId: string;
  /** What a worker process needs to reach the server. */
  env: () => Record<string, string>;
  /** A JSON request to the API (a body: POST, unless `method` says otherwise). */
  api: <T>(path: string, body?: unknown, method?: string) => Promise<T>;
  /** A run of the deployment, through `create_flow_run` (its event pushes it to the workers). */
  createRun: (parameters: Record<string, unknown>) => Promise<FlowRun>;
  readRun: (id: string) => Promise<FlowRun>;
  states: (id: string) => Promise<StateRecord[]>;
  /** The run once it is in a final state. */
  finalState: (id: string, timeoutMs?: number) => Promise<FlowRun>;
  /** `prefect-ts worker start --pool fault-pool --name <name> …`, resolved once it has started. */
  startWorker: (name: string, args?: string[]) => Promise<WorkerProcess>;
  /** The pid of the process running a run's body (its `BODY` line in the worker's output). */
  bodyPid: (worker: WorkerProcess, runId: string) => Promise<number>;
  /** Remember a process to kill after the suite (a worker's child). */
  track: (pid: number) => void;
}

/**
 * A fresh database of `dialect`, a server over it with `serverEnv`, a process pool and a
 * deployment, made before the suite's tests; the workers, their children and the server are
 * killed after them.
 */
export function workerFaults(
  dialect: DialectName,
  serverEnv: Record<string, string> = {},
): FaultContext {
  const workers: WorkerProcess[] = [];
  const tracked = new Set<number>();
  const ctx = {} as FaultContext;

  ctx.env = () => ({
    PREFECT_HOME: ctx.db.home,
    PREFECT_API_URL: ctx.server.api,
    PREFECT_API_DATABASE_CONNECTION_URL: ctx.db.url,
  });
  ctx.api = async <T>(path: string, body?: unknown, method?: string): Promise<T> => {
    const response = await fetch(`${ctx.server.api}${path}`, {
      method: method ?? (body === undefined ? "GET" : "POST"),
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  ctx.createRun = (parameters) =>
    ctx.api<FlowRun>(`/deployments/${ctx.deploymentId}/create_flow_run`, { parameters });
  ctx.readRun = (id) => ctx.api<FlowRun>(`/flow_runs/${id}`);
  ctx.states = (id) => ctx.api<StateRecord[]>(`/flow_run_states/?flow_run_id=${id}`);
  ctx.finalState = (id, timeoutMs = 30_000) =>
    until(
      `flow run ${id} to end`,
      async () => {
        const run = await ctx.readRun(id);
        return FINAL.includes(run.state_type ?? "") ? run : null;
      },
      timeoutMs,
    );
  ctx.track = (pid) => tracked.add(pid);
  ctx.startWorker = async (name, args = []) => {
    const worker = workerProcess(
      ["worker", "start", "--pool", POOL, "--name", name, ...args],
      ctx.env(),
    );
    workers.push(worker);
    await worker.line(/(started!)/);
    return worker;
  };
  ctx.bodyPid = async (worker, runId) => {
    const pid = Number(await worker.line(new RegExp(`BODY ${runId} (\\d+)`)));
    tracked.add(pid);
    return pid;
  };

  before(async () => {
    ctx.db = await createTestDatabase(dialect);
    ctx.server = new ServerProcess(ctx.db, await freePort(), serverEnv);
    await ctx.server.start();
    await ctx.api("/work_pools/", { name: POOL, type: "process" });
    const flow = await ctx.api<{ id: string }>("/flows/", { name: "fault-flow" });
    const deployment = await ctx.api<{ id: string }>("/deployments/", {
      name: "faults",
      flow_id: flow.id,
      entrypoint: "test/fixtures/worker-fault-flows.ts:faultFlow",
      path: process.cwd(),
      work_pool_name: POOL,
      enforce_parameter_schema: false,
    });
    ctx.deploymentId = deployment.id;
  });
  after(async () => {
    if (process.env.WORKER_TEST_DEBUG) for (const w of workers) console.error(w.output());
    for (const w of workers) {
      for (const pid of childPids(w.pid)) tracked.add(pid);
      kill(w.pid, "SIGKILL");
    }
    for (const pid of tracked) kill(pid, "SIGKILL");
    await Promise.all(workers.map((w) => w.exit));
    await ctx.server?.stop("SIGKILL");
    await ctx.db?.dispose();
  });
  return ctx;
}

/** A `prefect-ts` CLI process (through tsx) whose output lines can be awaited. */
export function workerProcess(args: string[], env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: { pattern: RegExp; resolve: (m: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[1] ?? m[0]);
      }
    }
  };
  const take = (d: Buffer) => {
    if (process.env.WORKER_TEST_DEBUG) process.stderr.write(d);
    out += d.toString();
    check();
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exit = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    pid: child.pid as number,
    exit,
    output: () => out,
    line: (pattern) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`the worker did not print ${pattern} within ${LINE_MS} ms: ${out}`));
        }, LINE_MS);
        waiters.push({
          pattern,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        check();
        void exit.then(() => {
          check();
          clearTimeout(timer);
          reject(new Error(`the worker exited before printing ${pattern}: ${out}`));
        });
      }),
  };
}

/**
 * Kill -9 a worker and the processes running its runs, the worker unable to see them go: it is
 * stopped first (SIGSTOP), then its children are killed, then itself. Resolves with the moment
 * of the kill and the children killed.
 */
export async function killWorkerAndChildren(
  worker: WorkerProcess,
): Promise<{ at: number; children: number[] }> {
  kill(worker.pid, "SIGSTOP");
  const children = childPids(worker.pid);
  const at = Date.now();
  for (const pid of children) kill(pid, "SIGKILL");
  kill(worker.pid, "SIGKILL");
  await worker.exit;
  await until("the worker's children to be gone", () => children.every((pid) => !alive(pid)));
  return { at, children };
}

/** When the run entered its current state (the server's clock: this host's). */
export function stateTime(run: FlowRun): number {
  return Date.parse(run.state?.timestamp ?? "");
}

/**
 * Real processes for the fault-injection tests: a `prefect-ts server start` on a fixed port that
 * can be killed and started again on the same database, and client-mode flow processes whose
 * output lines can be awaited.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { after, before } from "node:test";
import { createTestDatabase, type DialectName, type TestDatabase } from "../helpers/databases.ts";

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** `prefect-ts server start` on `port` over the test database, restartable. */
export class ServerProcess {
  readonly api: string;
  #child: ChildProcess | null = null;
  readonly #port: number;
  readonly #db: TestDatabase;
  readonly #env: Record<string, string>;

  constructor(db: TestDatabase, port: number, env: Record<string, string> = {}) {
    this.#db = db;
    this.#port = port;
    this.#env = env;
    this.api = `http://127.0.0.1:${port}/api`;
  }

  /** Start it and resolve once `/health` answers. */
  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "server", "start", "--port", String(this.#port)],
      {
        env: {
          ...process.env,
          PREFECT_HOME: this.#db.home,
          PREFECT_API_DATABASE_CONNECTION_URL: this.#db.url,
          PREFECT_UI_ENABLED: "false",
          ...this.#env,
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    this.#child = child;
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = once(child, "exit");
    for (;;) {
      const up = await fetch(`${this.api}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      const gone = await Promise.race([
        exited.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
      if (gone) throw new Error(`the server exited while starting: ${stderr}`);
    }
  }

  /** Stop it with `signal` and resolve once it has exited. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  }
}

/** A flow process of `test/fixtures/<fixture>.ts`, with its output and exit awaitable. */
export interface FlowProcess {
  child: ChildProcess;
  /** Resolves with the first captured group of the first output line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  /** The exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

export function flowProcess(
  fixture: string,
  args: readonly string[],
  env: Record<string, string>,
): FlowProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", `test/fixtures/${fixture}.ts`, ...args],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
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
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    exit,
    stdout: () => out,
    stderr: () => err,
    line: (pattern) =>
      new Promise<string>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exit.then(() => {
          check();
          reject(new Error(`the flow exited before printing ${pattern}: ${out}\n${err}`));
        });
      }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function apiJson<T>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
}

/** The task runs of a flow run that the API shows `Completed`. */
export const completedTaskRuns = (base: string, flowRunId: string) =>
  apiJson<number>(base, "/task_runs/count", {
    flow_runs: { id: { any_: [flowRunId] } },
    task_runs: { state: { type: { any_: ["COMPLETED"] } } },
  });

/** The state type of a flow run, as the API shows it. */
export const stateOf = async (base: string, flowRunId: string) =>
  (await apiJson<{ state_type: string }>(base, `/flow_runs/${flowRunId}`)).state_type;

/**
 * A fresh database of `dialect` and a server process over it, started before the suite's tests
 * and killed after them; `env()` is what a client-mode flow process needs.
 */
export function servedDatabase(dialect: DialectName) {
  const served = {
    t: null as unknown as TestDatabase,
    server: null as unknown as ServerProcess,
    env: () => ({ PREFECT_API_URL: served.server.api, PREFECT_HOME: served.t.home }),
  };
  before(async () => {
    served.t = await createTestDatabase(dialect);
    served.server = new ServerProcess(served.t, await freePort());
    await served.server.start();
  });
  after(async () => {
    await served.server.stop("SIGKILL");
    await served.t.dispose();
  });
  return served;
}

/** A flow of 150 tasks of 10 ms; the server killed -9 as it runs, and back `downForMs` later. */
export async function rideOutOutage(
  served: ReturnType<typeof servedDatabase>,
  downForMs: number,
): Promise<void> {
  const n = 150;
  const flow = flowProcess("paced-flow", [String(n), "10"], served.env());
  const id = await flow.line(/RUN (\S+)/);
  // some task runs are reported before the kill, more during the outage
  await sleep(400);
  await served.server.stop("SIGKILL");
  await sleep(downForMs);
  await served.server.start();
  assert.equal(await flow.exit, 0, flow.stderr());
  assert.equal(await stateOf(served.server.api, id), "COMPLETED");
  assert.equal(await completedTaskRuns(served.server.api, id), n);
}

/**
 * Real processes for the fault-injection tests: a `prefect-ts server start` on a fixed port that
 * can be killed and started again on the same database, and client-mode flow processes whose
 * output lines can be awaited.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import type { TestDatabase } from "../helpers/databases.ts";

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

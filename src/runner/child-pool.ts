/**
 * The serving process's children: processes started ahead of their runs, each having loaded the
 * served flows and opened its client, taking one flow run at a time. A child is started with this
 * process's runtime (`execArgv`: tsx's loader when run by tsx) in a process group of its own, so
 * that Ctrl-C in a terminal reaches the serving process alone, which decides what its runs do.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FlowRun } from "../core/runs.ts";
import type { ChildInit, FlowSource, FromChild, ToChild } from "./child-protocol.ts";

/** How a run given to a child ended. */
export type RunOutcome =
  | { kind: "finished"; state: NonNullable<Extract<FromChild, { type: "finished" }>["state"]> }
  /** The child could not run it (its entrypoint did not load, the engine refused). */
  | { kind: "refused"; message: string }
  /** The child exited (crashed, `process.exit`, killed) while running it. */
  | { kind: "died"; message: string }
  /**
   * It was cancelled and its process has ended; `ended`: the child ended it Cancelled itself (its
   * task runs and hooks included) rather than being killed after the grace period.
   */
  | { kind: "cancelled"; ended: boolean };

export interface RunAssignment {
  flowRun: FlowRun;
  source: FlowSource;
  /** Environment variables for the run. */
  env: Record<string, string>;
  workingDir: string | null;
  done: (outcome: RunOutcome) => void;
}

class Child {
  readonly proc: ChildProcess;
  ready = false;
  retiring = false;
  exited = false;
  /** Its run is being cancelled: it ends with this child. */
  cancelling: { ended: boolean; timer: NodeJS.Timeout } | null = null;
  run: RunAssignment | null = null;
  readonly #onReady: () => void;

  constructor(proc: ChildProcess, onReady: () => void) {
    this.proc = proc;
    this.#onReady = onReady;
  }

  markReady(): void {
    this.ready = true;
    this.#onReady();
  }

  give(run: RunAssignment): void {
    this.run = run;
    const message: ToChild = {
      type: "run",
      flowRun: run.flowRun,
      source: run.source,
      env: run.env,
      workingDir: run.workingDir,
    };
    this.proc.send(message);
  }

  /** Kill its process group (the child and what it started). */
  killGroup(signal: NodeJS.Signals, evenIfExited = false): void {
    if ((this.exited && !evenIfExited) || this.proc.pid === undefined) return;
    try {
      process.kill(-this.proc.pid, signal);
    } catch {
      this.proc.kill(signal);
    }
  }
}

export interface ChildPoolOptions {
  init: ChildInit;
  /** Children running or waiting at most (the runner's `limit`). */
  limit: number;
  /** Children kept loaded and idle, ready for the next run. */
  warm: number;
  /** Told when a child ended its run, so the runner can give out the next. */
  onIdle: () => void;
  /** Told when a child could not start (its output says why). */
  onChildError?: (message: string) => void;
}

/**
 * The child's module: `runner/child-main` of the tree this module is in — src/ (TypeScript), dist/
 * (tsc's output) or lib/ (the bundle, where this code sits in lib/chunks/).
 */
function childScript(): string {
  const here = import.meta.url;
  const ext = here.endsWith(".ts") ? ".ts" : ".js";
  return fileURLToPath(new URL(`../runner/child-main${ext}`, here));
}

function exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  return signal
    ? `Flow run process was killed by ${signal}`
    : `Flow run process exited with code ${code ?? "unknown"} before the run finished`;
}

export class ChildPool {
  readonly #options: ChildPoolOptions;
  readonly #children = new Set<Child>();
  #closing = false;
  #anyReady: () => void = () => undefined;
  /** Settles once a child has loaded the flows (or one failed to start). */
  readonly anyReady: Promise<void>;

  constructor(options: ChildPoolOptions) {
    this.#options = options;
    this.anyReady = new Promise((ok) => {
      this.#anyReady = ok;
    });
  }

  /** Children running a flow run now. */
  get busy(): number {
    let n = 0;
    for (const c of this.#children) if (c.run) n++;
    return n;
  }

  /** Start the warm children. */
  fill(): void {
    if (this.#closing) return;
    let idle = 0;
    for (const c of this.#children) if (!c.run && !c.retiring && !c.exited) idle++;
    while (
      idle < this.#options.warm &&
      this.#children.size < this.#options.limit + this.#options.warm
    ) {
      this.#spawn();
      idle++;
    }
  }

  /** Give a run to an idle child (a starting one takes it once loaded; one is started if needed). */
  assign(run: RunAssignment): void {
    let pick: Child | null = null;
    for (const c of this.#children) {
      if (c.run || c.retiring || c.exited) continue;
      if (c.ready) {
        pick = c;
        break;
      }
      pick ??= c;
    }
    pick ??= this.#spawn();
    pick.run = run;
    if (pick.ready) pick.give(run);
    this.fill();
  }

  #spawn(): Child {
    const { init } = this.#options;
    const proc = fork(childScript(), [JSON.stringify(init)], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      detached: true,
      serialization: "json",
    });
    const child = new Child(proc, () => {
      if (child.run) child.give(child.run);
    });
    this.#children.add(child);
    proc.on("message", (message: FromChild) => this.#onMessage(child, message));
    proc.on("exit", (code, signal) => this.#onExit(child, code, signal));
    proc.on("error", (error) => this.#options.onChildError?.(error.message));
    return child;
  }

  #onMessage(child: Child, message: FromChild): void {
    if (message.type === "ready") {
      for (const [key, why] of Object.entries(message.errors))
        this.#options.onChildError?.(`${key.split("\u0000")[1]}: ${why}`);
      child.markReady();
      this.#anyReady();
      return;
    }
    if (message.type === "finished") {
      if (child.cancelling) {
        // ended Cancelled by the child: what its body still does ends with its process group
        child.cancelling.ended = message.state?.type === "CANCELLED";
        child.killGroup("SIGKILL");
        return;
      }
      const run = child.run;
      child.run = null;
      if (message.retiring) child.retiring = true;
      else if (this.#closing) {
        child.retiring = true;
        child.proc.send({ type: "retire" } satisfies ToChild);
      }
      if (run && run.flowRun.id === message.flowRunId) {
        run.done(
          message.state
            ? { kind: "finished", state: message.state }
            : { kind: "refused", message: message.error ?? "the run could not be started" },
        );
      }
      this.fill();
      this.#options.onIdle();
    }
  }

  #onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    child.exited = true;
    this.#children.delete(child);
    this.#anyReady();
    const run = child.run;
    child.run = null;
    if (child.cancelling) {
      clearTimeout(child.cancelling.timer);
      // what the child started in its group ends with it
      child.killGroup("SIGKILL", true);
      if (run) run.done({ kind: "cancelled", ended: child.cancelling.ended });
    } else if (run) run.done({ kind: "died", message: exitMessage(code, signal) });
    else if (!child.ready && !child.retiring && !this.#closing)
      this.#options.onChildError?.(
        `a child process exited (${exitMessage(code, signal)}) before it was ready`,
      );
    this.fill();
    this.#options.onIdle();
  }

  /** Stop the idle children now; the busy ones are left to finish. */
  retireIdle(): void {
    this.#closing = true;
    for (const c of this.#children) {
      if (c.run || c.exited) continue;
      c.retiring = true;
      if (c.ready) c.proc.send({ type: "retire" } satisfies ToChild);
      else c.proc.kill("SIGKILL");
    }
  }

  /** Resolves once every child has exited (those still there after `ms` are killed). */
  async closed(ms = 10_000): Promise<void> {
    const kill = setTimeout(() => {
      for (const c of this.#children) if (!c.exited) c.proc.kill("SIGKILL");
    }, ms);
    await Promise.all(
      [...this.#children].map(
        (c) => new Promise<void>((ok) => (c.exited ? ok() : c.proc.once("exit", () => ok()))),
      ),
    );
    clearTimeout(kill);
  }

  /**
   * Cancel a run a child is running: the child ends it Cancelled and exits; past `graceMs` its
   * process group is killed. The run's `done` is told once the child has exited. False when no
   * child runs it.
   */
  cancel(flowRunId: string, message: string, graceMs: number): boolean {
    for (const c of this.#children) {
      if (c.run?.flowRun.id !== flowRunId || c.exited) continue;
      if (c.cancelling) return true;
      c.retiring = true;
      c.cancelling = {
        ended: false,
        timer: setTimeout(() => c.killGroup("SIGKILL"), graceMs),
      };
      if (c.ready) c.proc.send({ type: "cancel", flowRunId, message } satisfies ToChild);
      else c.killGroup("SIGKILL");
      return true;
    }
    return false;
  }

  /** Send a signal to the children running a flow run (SIGTERM ends their runs Crashed). */
  signalBusy(signal: NodeJS.Signals): void {
    for (const c of this.#children) if (c.run && !c.exited) c.proc.kill(signal);
  }
}

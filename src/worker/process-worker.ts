/**
 * The process worker: runs each flow run of its pool in a process of this machine. By default (no
 * `command` job variable) a run goes to a warm child — a process started ahead, with the runtime
 * loaded, its client open and the pool's flows imported (`runner/child-pool.ts`) — so a run
 * starts in milliseconds rather than paying a cold start. Isolation: each run has a process to
 * itself while it runs; a child runs its runs one after another (up to `runsPerProcess`, then it
 * is replaced), with the job's `env` set and its `working_dir` as working directory for each; a
 * run that exits or crashes its process takes only that process down. A job whose `env` sets
 * `PREFECT_*` settings, or a job with its own `command`, gets a fresh process of its own
 * (`sh -c <command>`, `PREFECT__FLOW_RUN_ID` set; default command `prefect-ts flow-run execute`).
 * Every run's process is in a process group of its own: cancelling a run ends the whole group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { hostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultBaseJobTemplate } from "../core/base-job-templates.ts";
import type { FlowRun } from "../core/runs.ts";
import type { BaseJobTemplate } from "../core/work-pools.ts";
import { ChildPool, type RunOutcome } from "../runner/child-pool.ts";
import type { FlowSource } from "../runner/child-protocol.ts";
import { BaseWorker, type WorkerJob, type WorkerOptions } from "./base-worker.ts";
import { processJobConfiguration } from "./job-configuration.ts";

export interface ProcessWorkerOptions extends WorkerOptions {
  /** Children kept started and loaded, waiting for runs (default: up to 4, at most `limit`). */
  warmProcesses?: number;
  /** Runs a child takes before it is replaced (default 100; 1: a fresh process per run). */
  runsPerProcess?: number;
  /** A child whose resident memory passes this (MB) after a run is replaced (default 1024). */
  maxChildMemoryMb?: number;
}

/** The directory a deployment's runs start in: its `set_working_directory` pull step, or `path`. */
export function deploymentDirectory(job: WorkerJob): string | null {
  for (const step of job.deployment?.pull_steps ?? []) {
    for (const [name, args] of Object.entries(step)) {
      if (!name.endsWith("set_working_directory")) continue;
      const dir = (args as { directory?: unknown } | null)?.directory;
      if (typeof dir === "string" && dir) return dir;
    }
  }
  return job.deployment?.path ?? null;
}

function binPath(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL("../../bin/prefect-ts.js", here));
}

export class ProcessWorker extends BaseWorker {
  readonly type = "process";
  readonly #options: ProcessWorkerOptions;
  #children!: ChildPool;
  /** Runs in processes of their own (a job `command`), by flow run id. */
  readonly #spawned = new Map<string, { proc: ChildProcess; cancelled: boolean }>();
  readonly #flowNames = new Map<string, Promise<string>>();

  constructor(options: ProcessWorkerOptions) {
    super(options);
    this.#options = options;
  }

  protected override defaultBaseJobTemplate(): BaseJobTemplate | null {
    return defaultBaseJobTemplate("process");
  }

  protected override async open(): Promise<void> {
    // the pool's flows, loaded by the warm children before their first run
    const flows: FlowSource[] = [];
    try {
      const deployments = await this.client.deployments.list({ limit: 200 });
      for (const d of deployments) {
        if (d.work_pool_name !== this.pool.name || !d.entrypoint) continue;
        const dir = deploymentDirectory({ deployment: d, pool: this.pool, configuration: {} });
        const flow = await this.client.readFlow(d.flow_id).catch(() => null);
        if (flow)
          flows.push({ entrypoint: d.entrypoint, flowName: flow.name, bases: dir ? [dir] : [] });
      }
    } catch (error) {
      this.log.debug(`Worker: could not read the pool's deployments to preload them`, error);
    }
    this.#children = new ChildPool({
      init: {
        flows,
        runsPerProcess: Math.max(1, this.#options.runsPerProcess ?? 100),
        maxMemoryMb: this.#options.maxChildMemoryMb ?? 1024,
      },
      limit: this.limit,
      warm: Math.min(this.limit, Math.max(0, this.#options.warmProcesses ?? 4)),
      onIdle: () => undefined,
      onChildError: (message) => this.log.error(`Worker '${this.name}': ${message}`),
    });
    this.#children.fill();
    await this.#children.anyReady;
  }

  protected busy(): number {
    return this.#children.busy + this.#spawned.size;
  }

  protected async run(flowRun: FlowRun, job: WorkerJob): Promise<RunOutcome> {
    const config = processJobConfiguration(job.configuration);
    const base = deploymentDirectory(job);
    const workingDir = config.workingDir
      ? isAbsolute(config.workingDir) || !base
        ? config.workingDir
        : resolve(base, config.workingDir)
      : base;
    const ownSettings = Object.keys(config.env).some((k) => k.startsWith("PREFECT_"));
    if (config.command || ownSettings)
      return this.#spawn(flowRun, config.command, config.env, workingDir);
    const entrypoint = job.deployment?.entrypoint;
    if (!entrypoint)
      return { kind: "refused", message: "The flow run's deployment has no entrypoint" };
    const flowName = await this.#flowName(flowRun.flow_id);
    return new Promise<RunOutcome>((done) =>
      this.#children.assign({
        flowRun,
        // the entrypoint is relative to the deployment's directory (its pull steps, its path)
        source: {
          entrypoint,
          flowName,
          bases: [...new Set([base, workingDir].filter((d): d is string => !!d))],
        },
        env: config.env,
        workingDir,
        done,
      }),
    );
  }

  /** A flow's name (read once per flow: names do not change). */
  #flowName(flowId: string): Promise<string> {
    let name = this.#flowNames.get(flowId);
    if (!name) {
      name = this.client.readFlow(flowId).then((f) => f.name);
      this.#flowNames.set(flowId, name);
      name.catch(() => this.#flowNames.delete(flowId));
    }
    return name;
  }

  /** A run in a fresh process of its own: the job's command, or `prefect-ts flow-run execute`. */
  #spawn(
    flowRun: FlowRun,
    command: string | null,
    env: Record<string, string>,
    workingDir: string | null,
  ): Promise<RunOutcome> {
    const line = command ?? `"${process.execPath}" "${binPath()}" flow-run execute ${flowRun.id}`;
    return new Promise<RunOutcome>((done) => {
      let proc: ChildProcess;
      try {
        proc = spawn("/bin/sh", ["-c", line], {
          cwd: workingDir ?? undefined,
          env: { ...process.env, ...env, PREFECT__FLOW_RUN_ID: flowRun.id },
          stdio: ["ignore", "inherit", "inherit"],
          detached: true,
        });
      } catch (error) {
        done({ kind: "refused", message: `Could not start '${line}': ${String(error)}` });
        return;
      }
      const entry = { proc, cancelled: false };
      this.#spawned.set(flowRun.id, entry);
      // its process recorded at once (as Prefect's worker does): a restarted worker leaves it be
      if (proc.pid !== undefined)
        this.client
          .updateFlowRun(flowRun.id, { infrastructure_pid: `${hostname()}:${proc.pid}` })
          .catch(() => undefined);
      proc.on("error", (error) => {
        this.#spawned.delete(flowRun.id);
        done({ kind: "refused", message: `Could not start '${line}': ${error.message}` });
      });
      proc.on("exit", (code, signal) => {
        this.#spawned.delete(flowRun.id);
        if (proc.pid !== undefined) killGroup(proc.pid, "SIGKILL");
        if (entry.cancelled) done({ kind: "cancelled", ended: false });
        else if (code === 0)
          done({
            kind: "finished",
            state: { type: "COMPLETED", name: "Completed", message: null },
          });
        else
          done({
            kind: "died",
            message: signal
              ? `Flow run process was killed by ${signal}`
              : `Flow run process exited with code ${code ?? "unknown"}${code === 127 ? ` (command not found: '${line}')` : ""}`,
          });
      });
    });
  }

  protected kill(flowRunId: string, message: string): boolean {
    const own = this.#spawned.get(flowRunId);
    if (own) {
      own.cancelled = true;
      const pid = own.proc.pid;
      if (pid !== undefined) {
        killGroup(pid, "SIGTERM");
        setTimeout(() => killGroup(pid, "SIGKILL"), this.cancelGraceMs).unref();
      }
      return true;
    }
    return this.#children.cancel(flowRunId, message, this.cancelGraceMs);
  }

  protected override async close(force: boolean): Promise<void> {
    if (force) {
      // told to stop: the runs end Crashed, as a flow run told to stop does
      this.#children.signalBusy("SIGTERM");
      for (const { proc } of this.#spawned.values())
        if (proc.pid !== undefined) killGroup(proc.pid, "SIGTERM");
    }
    this.#children.retireIdle();
    await this.#children.closed();
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}

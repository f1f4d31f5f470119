/**
 * A worker (Prefect's `BaseWorker`): serves one work pool — its queues, or the ones named — by
 * starting the pool's flow runs on some infrastructure. This class does what every kind of worker
 * does: heartbeats (`PREFECT_WORKER_HEARTBEAT_SECONDS`) that keep it ONLINE and its pool READY;
 * learning of due runs — pushed by the server (`/events/out`, flow-run events related to the pool)
 * or by the local database's notices, with `get_scheduled_flow_runs` as the follow-up and as a
 * slow poll (`PREFECT_WORKER_QUERY_SECONDS`) — up to `prefetchSeconds` ahead; claiming each run
 * (a `Pending` "Submitting" proposal: of workers racing for a run, one wins); computing its job
 * configuration (the pool's base job template filled with the deployment's and the run's job
 * variables); cancelling runs that enter `Cancelling`; marking runs whose infrastructure died
 * `Crashed`; and stopping on SIGTERM (no new runs, a grace period, then the runs are stopped).
 *
 * A kind of worker (process, Docker, Kubernetes…) extends it with:
 * - `type` — the pool type it serves, and `defaultBaseJobTemplate()` for pools it creates;
 * - `run(flowRun, job)` — start the run on its infrastructure and resolve when that has ended
 *   (`finished`: the run reported its final state; `died`/`refused`: it could not, with why);
 * - `kill(flowRunId, message)` — end a run under way for a cancellation (its infrastructure
 *   stops, then `run` resolves `cancelled`); false when it does not run here;
 * - optionally `open()`/`close()` for its own resources.
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import type { Deployment } from "../core/deployments.ts";
import { ErrorCode, PrefectTsError } from "../core/errors.ts";
import { uuid4 } from "../core/ids.ts";
import type { FlowRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import type { BaseJobTemplate, WorkPool } from "../core/work-pools.ts";
import { consoleLogger, type RunLogger } from "../engine/logging.ts";
import { getRuntime, shutdownRuntime } from "../engine/process-runtime.ts";
import type { RunOutcome } from "../runner/child-pool.ts";
import { EventsWatch } from "../runner/events-watch.ts";
import { describe, Launcher } from "../runner/launcher.ts";
import type { Settings } from "../settings/settings.ts";
import { jobConfiguration } from "./job-configuration.ts";
import { settleOrphanedRuns, workerLabels } from "./orphaned-runs.ts";

export interface WorkerOptions {
  /** The work pool served (it must exist: `prefect-ts work-pool create`). */
  pool: string;
  /** Only these queues of the pool (all of them by default). */
  workQueues?: string[];
  /** The worker's name (default `<Type>Worker <uuid>`). */
  name?: string;
  /** Flow runs under way at most (default 10). */
  limit?: number;
  /** Runs due within this many seconds are claimed ahead (Prefect's `--prefetch-seconds`, 10). */
  prefetchSeconds?: number;
  /** Seconds between polls of the pool (the push's fallback; `PREFECT_WORKER_QUERY_SECONDS`, 10). */
  pollSeconds?: number;
  /** On SIGTERM/SIGINT, seconds the runs under way have to finish before they are stopped (30). */
  shutdownGraceSeconds?: number;
  /** A cancelled run's infrastructure has this long to end it before it is killed (10). */
  cancelGraceSeconds?: number;
  /** Stop once the runs due now have been started and have ended (`--run-once`). */
  runOnce?: boolean;
  /** Print the starting message (default true). */
  printStartingMessage?: boolean;
  /** Stops the worker when aborted (as SIGTERM does). */
  signal?: AbortSignal;
}

/** What a worker knows of a claimed run when it starts it. */
export interface WorkerJob {
  deployment: Deployment | null;
  pool: WorkPool;
  /** The job configuration: the pool's template filled from the job variables. */
  configuration: Record<string, unknown>;
}

/** The work pool named does not exist (or another reason the worker cannot start). */
export class WorkerStartError extends PrefectTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.VALIDATION, message, options);
  }
}

const REPEATED_SIGNAL_MS = 1000;
const FORCED_EXIT_MS = 5000;
const STOP_STEP_MS = 10_000;
const CANCEL_CHECK_MS = 2000;
/** A deployment read is reused for this long (its template values rarely change). */
const DEPLOYMENT_TTL_MS = 10_000;

export abstract class BaseWorker {
  abstract readonly type: string;
  protected readonly options: WorkerOptions;
  readonly limit: number;
  name: string;
  protected client!: PrefectClient;
  protected settings!: Settings;
  protected log!: RunLogger;
  protected pool!: WorkPool;
  #launcher!: Launcher;
  #stopped: Promise<void> | null = null;
  #finish: () => void = () => undefined;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #poller: NodeJS.Timeout | null = null;
  #beater: NodeJS.Timeout | null = null;
  #watch: EventsWatch | null = null;
  #local: { close(): Promise<void> } | null = null;
  #signalAt = 0;
  /** The pool and its queues served have no limits and none is paused: pushed runs are read alone. */
  #unlimited = false;
  readonly #deployments = new Map<string, { at: number; deployment: Promise<Deployment> }>();
  readonly #onSignal = (signal: NodeJS.Signals) => this.#signal(signal);

  constructor(options: WorkerOptions) {
    this.options = options;
    this.limit = Math.max(1, options.limit ?? 10);
    this.name = options.name ?? "";
  }

  /** Start the run on this worker's infrastructure; resolve when that has ended. */
  protected abstract run(flowRun: FlowRun, job: WorkerJob): Promise<RunOutcome>;
  /** End a run under way for a cancellation; false when it does not run here. */
  protected abstract kill(flowRunId: string, message: string): boolean;
  /** Runs under way on the infrastructure. */
  protected abstract busy(): number;
  /** The base job template a pool without one is given (Prefect's worker does so as it starts). */
  protected defaultBaseJobTemplate(): BaseJobTemplate | null {
    return null;
  }
  /** Set up what the worker needs once the pool is known (warm processes…). */
  protected async open(): Promise<void> {}
  /** Release it (after the runs under way have ended or been stopped). */
  protected async close(_force: boolean): Promise<void> {}

  get #pollMs(): number {
    return (this.options.pollSeconds ?? 10) * 1000;
  }

  get #prefetchMs(): number {
    return (this.options.prefetchSeconds ?? 10) * 1000;
  }

  protected get cancelGraceMs(): number {
    return (this.options.cancelGraceSeconds ?? 10) * 1000;
  }

  /** Serve the pool; resolves once stopped. */
  async start(): Promise<void> {
    const done = new Promise<void>((ok) => {
      this.#finish = ok;
    });
    const rt = await getRuntime();
    this.client = rt.client;
    this.settings = rt.settings;
    this.log = consoleLogger(rt.logLevel);
    if (!this.name) this.name = `${capitalise(this.type)}Worker ${uuid4()}`;
    try {
      this.pool = await this.client.workPools.read(this.options.pool);
    } catch (error) {
      throw new WorkerStartError(
        `Work pool '${this.options.pool}' not found. Create it with: prefect-ts work-pool create '${this.options.pool}' --type ${this.type}`,
        { cause: error },
      );
    }
    const template = this.defaultBaseJobTemplate();
    if (template && !this.pool.base_job_template?.job_configuration) {
      await this.client.workPools
        .update(this.pool.name, { baseJobTemplate: template })
        .catch((error: unknown) =>
          this.log.warning(`Worker: could not give the pool its job template: ${describe(error)}`),
        );
      this.pool = { ...this.pool, base_job_template: template };
    }
    if (this.pool.type !== this.type)
      this.log.warning(
        `Worker: work pool '${this.pool.name}' is of type '${this.pool.type}', this worker of type '${this.type}' runs its flow runs anyway`,
      );
    for (const queue of this.options.workQueues ?? []) {
      try {
        await this.client.workPools.readQueue(this.pool.name, queue);
      } catch (error) {
        throw new WorkerStartError(
          `Work queue '${queue}' not found in work pool '${this.pool.name}'. Create it with: prefect-ts work-queue create '${queue}' --pool '${this.pool.name}'`,
          { cause: error },
        );
      }
    }
    this.#launcher = new Launcher({
      client: this.client,
      log: this.log,
      limit: this.limit,
      label: `Worker '${this.name}'`,
      claimName: "Submitting",
      busy: () => this.busy(),
      start: (run) => this.#start(run),
      cancel: (id, message) => this.kill(id, message),
      wantMore: () => this.#refresh(),
    });
    await this.#heartbeat();
    await this.#settleOrphans();
    const beatMs = this.settings.workerHeartbeatSeconds * 1000;
    this.#beater = setInterval(() => void this.#heartbeat(), beatMs);
    await this.open();
    process.on("SIGTERM", this.#onSignal);
    process.on("SIGINT", this.#onSignal);
    this.options.signal?.addEventListener("abort", () => void this.stop(), { once: true });
    await this.#listen();
    this.#launcher.checkCancellations(CANCEL_CHECK_MS);
    await this.#readLimits();
    await this.#poll();
    this.#poller = setInterval(() => {
      void this.#readLimits().then(() => this.#poll());
    }, this.#pollMs);
    if (this.options.printStartingMessage ?? true) this.#printStarting();
    if (this.options.runOnce) void this.#launcher.settled().then(() => this.stop());
    if (this.options.signal?.aborted) void this.stop();
    await done;
  }

  #printStarting(): void {
    const url = this.settings.uiUrl
      ? `\nWork pool: ${this.settings.uiUrl}/work-pools/work-pool/${encodeURIComponent(this.pool.name)}`
      : "";
    process.stdout.write(
      `Worker '${this.name}' started! Serving work pool '${this.pool.name}' (type '${this.type}', up to ${this.limit} flow runs at once).${url}\n`,
    );
  }

  /** The runs a former worker of this name left with no process end Crashed (orphaned-runs.ts). */
  async #settleOrphans(): Promise<void> {
    try {
      const settled = await settleOrphanedRuns({
        client: this.client,
        pool: this.pool,
        workerName: this.name,
        crash: (run, message, expectedStateId) =>
          this.#launcher.crash(run, message, expectedStateId),
        stopping: () => this.#launcher.stopping,
      });
      if (settled)
        this.log.info(
          `Worker '${this.name}': ${settled} flow run(s) left by its former self settled`,
        );
    } catch (error) {
      this.log.warning(
        `Worker '${this.name}': could not look for the runs of its former self: ${describe(error)}`,
      );
    }
  }

  async #heartbeat(): Promise<void> {
    try {
      await this.client.workPools.heartbeat(
        this.pool.name,
        this.name,
        this.settings.workerHeartbeatSeconds,
      );
    } catch (error) {
      this.log.warning(`Worker '${this.name}': could not send its heartbeat: ${describe(error)}`);
    }
  }

  async #listen(): Promise<void> {
    if (this.client.mode === "http" && this.settings.apiUrl) {
      const { HttpTransport } = await import("../client/http-transport.ts");
      const transport = new HttpTransport(this.settings.apiUrl, {
        apiKey: this.settings.apiKey ?? undefined,
        authString: this.settings.apiAuthString ?? undefined,
      });
      this.#watch = new EventsWatch({
        apiUrl: transport.baseUrl,
        headers: { ...transport.headers },
        token: this.settings.apiKey ?? this.settings.apiAuthString ?? null,
        related: [`prefect.work-pool.${this.pool.id}`],
        onScheduled: (id) => this.#scheduled(id),
        onCancelling: (id) => this.#cancelling(id),
        onConnected: () => this.#refresh(),
      });
      await this.#watch.start();
      return;
    }
    const { serveLocally } = await import("../embedded/run-notifications.ts");
    this.#local = await serveLocally(this.client, this.settings.databaseUrl, () => this.#refresh());
  }

  /** A run of the pool entered Cancelling (pushed): end it if it is here. */
  #cancelling(id: string): void {
    if (!this.#launcher.knows(id)) return;
    this.client.readFlowRun(id).then(
      (run) => {
        if (run.state_type === StateType.CANCELLING)
          this.#launcher.cancel(id, run.state?.message || "Flow run was cancelled.");
      },
      () => undefined,
    );
  }

  /**
   * A run of the pool entered a Scheduled state (pushed). With no limit to honour (pool and queues
   * unlimited and not paused) the run itself is read and considered; otherwise the pool is polled,
   * whose answer honours the limits.
   */
  #scheduled(id: string): void {
    if (this.#launcher.stopping || this.#launcher.knows(id)) return;
    if (!this.#unlimited) {
      this.#refresh();
      return;
    }
    this.client.readFlowRun(id).then(
      (run) => {
        const queues = this.options.workQueues;
        if (run.work_pool_name !== this.pool.name) return;
        if (queues?.length && !queues.includes(run.work_queue_name ?? "")) return;
        this.#launcher.consider(run);
      },
      () => this.#refresh(),
    );
  }

  /** Whether the pool and the queues served have no concurrency limit and none is paused. */
  async #readLimits(): Promise<void> {
    try {
      const [pool, queues] = await Promise.all([
        this.client.workPools.read(this.pool.name),
        this.client.workPools.listQueues(this.pool.name),
      ]);
      const served = this.options.workQueues?.length
        ? queues.filter((q) => this.options.workQueues?.includes(q.name))
        : queues;
      // a template changed since is used from now on (one given by this worker is kept)
      this.pool = pool.base_job_template?.job_configuration
        ? pool
        : { ...pool, base_job_template: this.pool.base_job_template };
      this.#unlimited =
        pool.concurrency_limit === null &&
        !pool.is_paused &&
        served.every((q) => q.concurrency_limit === null && !q.is_paused);
    } catch {
      this.#unlimited = false;
    }
  }

  /** The pool's due runs (the push's follow-up): those not known yet are started when due. */
  #refresh(): void {
    if (this.#launcher.stopping) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        await this.#poll();
      } while (this.#refreshAgain && !this.#launcher.stopping);
    })().finally(() => {
      this.#refreshing = null;
    });
  }

  async #poll(): Promise<void> {
    if (this.#launcher.stopping) return;
    const page = this.limit * 4;
    try {
      const runs = await this.client.workPools.getScheduledFlowRuns(this.pool.name, {
        workQueueNames: this.options.workQueues,
        scheduledBefore: new Date(Date.now() + this.#prefetchMs).toISOString(),
        limit: page,
      });
      for (const r of runs) this.#launcher.consider(r.flow_run);
      this.#launcher.morePending = runs.length === page;
    } catch (error) {
      this.log.warning(`Worker '${this.name}': could not poll work pool: ${describe(error)}`);
    }
  }

  #deployment(id: string): Promise<Deployment> {
    const cached = this.#deployments.get(id);
    if (cached && Date.now() - cached.at < DEPLOYMENT_TTL_MS) return cached.deployment;
    const deployment = this.client.deployments.read(id);
    this.#deployments.set(id, { at: Date.now(), deployment });
    deployment.catch(() => this.#deployments.delete(id));
    return deployment;
  }

  async #start(run: FlowRun): Promise<RunOutcome> {
    // labelled as this worker's (as Prefect's worker does): a restart of it finds the run
    const labelled = this.client
      .updateFlowRunLabels(run.id, workerLabels(this.name, this.type, this.pool))
      .catch((error: unknown) =>
        this.log.warning(
          `Worker '${this.name}': could not label flow run '${run.id}': ${describe(error)}`,
        ),
      );
    const deployment = run.deployment_id ? await this.#deployment(run.deployment_id) : null;
    await labelled;
    const configuration = jobConfiguration(
      this.pool.base_job_template,
      deployment?.job_variables,
      run.job_variables,
      // what Prefect's worker gives every template: the run's name and its labels
      { name: run.name },
    );
    this.log.info(
      `Worker '${this.name}': submitting flow run '${run.id}'${deployment ? ` of deployment '${deployment.name}'` : ""}`,
    );
    return this.run(run, { deployment, pool: this.pool, configuration });
  }

  #signal(signal: NodeJS.Signals): void {
    const now = Date.now();
    if (this.#launcher?.stopping) {
      if (now - this.#signalAt < REPEATED_SIGNAL_MS) return;
      this.log.info(`Worker '${this.name}': ${signal} again: stopping the flow runs under way`);
      void this.close(true);
      setTimeout(() => process.exit(signal === "SIGINT" ? 130 : 143), FORCED_EXIT_MS).unref();
      return;
    }
    this.#signalAt = now;
    this.log.info(
      `Worker '${this.name}': ${signal} received: taking no new runs, waiting for the runs under way`,
    );
    void this.stop().then(() => {
      setTimeout(() => process.exit(process.exitCode ?? 0), FORCED_EXIT_MS).unref();
    });
  }

  /** Stop taking runs, let the runs under way finish (within the grace), then stop them. */
  stop(): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#stopped = (async () => {
      if (this.#poller) clearInterval(this.#poller);
      this.#watch?.close();
      await this.#local?.close().catch(() => undefined);
      const graceMs = (this.options.shutdownGraceSeconds ?? 30) * 1000;
      const ended = await this.#launcher.stop(graceMs);
      if (!ended) {
        this.log.info(`Worker '${this.name}': the grace period is over: stopping the runs`);
        await this.close(true);
        await this.#launcher.settled();
      } else await this.close(false);
      if (this.#beater) clearInterval(this.#beater);
      process.off("SIGTERM", this.#onSignal);
      process.off("SIGINT", this.#onSignal);
      await within(
        shutdownRuntime().catch(() => undefined),
        STOP_STEP_MS,
      );
      this.#finish();
    })();
    return this.#stopped;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(() => true),
    new Promise<boolean>((ok) => {
      timer = setTimeout(() => ok(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/**
 * The serving process (Prefect's `Runner`): registers its deployments, learns of their flow runs
 * as they are created — pushed, not polled: the `/events/out` subscription against a server, the
 * database's own notice on the local database — and starts each when it is due: claimed Pending
 * here, then run in a child process that has already loaded the flow (`child-pool.ts`). A slow
 * poll of the deployments' scheduled runs (`get_scheduled_flow_runs`) is the fallback, finds the
 * scheduler's runs ahead of their time, and keeps the deployments READY.
 *
 * SIGTERM/SIGINT (or the `signal` option): no new runs are taken; the runs under way have
 * `shutdownGraceSeconds` to finish, then are told to stop (they end Crashed, as a flow run told to
 * stop does); the deployments are paused when `pauseOnShutdown` (Prefect's default).
 */
import type { PrefectClient } from "../client/prefect-client.ts";
import { FlowRunSort } from "../core/filters.ts";
import type { FlowRun } from "../core/runs.ts";
import { StateType } from "../core/state-types.ts";
import { consoleLogger, type RunLogger } from "../engine/logging.ts";
import { getRuntime, shutdownRuntime } from "../engine/process-runtime.ts";
import type { Settings } from "../settings/settings.ts";
import { ChildPool, type RunOutcome } from "./child-pool.ts";
import { type FlowSource, flowKey } from "./child-protocol.ts";
import { EventsWatch } from "./events-watch.ts";
import { describe, Launcher } from "./launcher.ts";
import type { RunnerDeployment, RunnerOptions } from "./types.ts";

interface Served {
  id: string;
  name: string;
  entrypoint: string;
  flowName: string;
}

/** A repeated signal within this window is the same request (tsx forwards what its group got). */
const REPEATED_SIGNAL_MS = 1000;
/** After a second signal, the process exits this long after telling its runs to stop. */
const FORCED_EXIT_MS = 5000;
/** What stopping waits for an API that does not answer (pausing, the last records). */
const STOP_STEP_MS = 10_000;
/** Scheduled runs read per look. */
const REFRESH_PAGE = 200;
/** A cancelled run's process has this long to end it Cancelled before its group is killed. */
export const CANCEL_GRACE_MS = 10_000;
/** Between looks for cancellations of the runs under way (the fallback of the push). */
export const CANCEL_CHECK_MS = 2000;

export class Runner {
  readonly #deployments: readonly RunnerDeployment[];
  readonly #limit: number;
  readonly #options: RunnerOptions;
  #client!: PrefectClient;
  #settings!: Settings;
  #log!: RunLogger;
  #pool!: ChildPool;
  #launcher!: Launcher;
  readonly #served = new Map<string, Served>();
  #stopped: Promise<void> | null = null;
  #finish: () => void = () => undefined;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #poller: NodeJS.Timeout | null = null;
  #watch: EventsWatch | null = null;
  #local: { close(): Promise<void> } | null = null;
  #signalAt = 0;
  readonly #onSignal = (signal: NodeJS.Signals) => this.#signal(signal);

  constructor(deployments: readonly RunnerDeployment[], options: RunnerOptions = {}) {
    this.#deployments = deployments;
    this.#options = options;
    this.#limit = Math.max(1, options.limit ?? 5);
  }

  get #pollMs(): number {
    return (this.#options.pollSeconds ?? 10) * 1000;
  }

  /** Register the deployments and serve their runs; resolves once stopped. */
  async run(): Promise<void> {
    const done = new Promise<void>((ok) => {
      this.#finish = ok;
    });
    const rt = await getRuntime();
    this.#client = rt.client;
    this.#settings = rt.settings;
    this.#log = consoleLogger(rt.logLevel);
    await this.#register();
    const flows = new Map<string, FlowSource>();
    for (const s of this.#served.values()) {
      const source = { entrypoint: s.entrypoint, flowName: s.flowName };
      flows.set(flowKey(source), source);
    }
    this.#pool = new ChildPool({
      init: {
        flows: [...flows.values()],
        runsPerProcess: Math.max(1, this.#options.runsPerProcess ?? 100),
        maxMemoryMb: this.#options.maxChildMemoryMb ?? 1024,
      },
      limit: this.#limit,
      warm: Math.min(this.#limit, Math.max(0, this.#options.warmProcesses ?? 1)),
      onIdle: () => this.#launcher.pump(),
      onChildError: (message) => this.#log.error(`Runner: ${message}`),
    });
    this.#launcher = new Launcher({
      client: this.#client,
      log: this.#log,
      limit: this.#limit,
      label: "Runner",
      claimName: "Pending",
      busy: () => this.#pool.busy,
      start: (run) => this.#start(run),
      cancel: (id, message) => this.#pool.cancel(id, message, CANCEL_GRACE_MS),
      wantMore: () => this.#refresh(),
    });
    this.#pool.fill();
    process.on("SIGTERM", this.#onSignal);
    process.on("SIGINT", this.#onSignal);
    this.#options.signal?.addEventListener("abort", () => void this.stop(), { once: true });
    await this.#listen();
    this.#launcher.checkCancellations(CANCEL_CHECK_MS);
    await this.#poll();
    this.#poller = setInterval(() => void this.#poll(), this.#pollMs);
    // announced once a child is ready: a run created from now on starts at once
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#pool.anyReady,
      new Promise<void>((ok) => {
        wait = setTimeout(ok, 30_000);
      }),
    ]);
    clearTimeout(wait);
    if (this.#options.printStartingMessage ?? true) this.#printStarting();
    if (this.#options.signal?.aborted) void this.stop();
    await done;
  }

  async #register(): Promise<void> {
    for (const d of this.#deployments) {
      const flow = await this.#client.createFlow({
        name: d.flow.name,
        parameter_openapi_schema: d.flow.parameterSchema(),
      });
      const created = await this.#client.deployments.create({ ...d.create, flowId: flow.id });
      this.#served.set(created.id, {
        id: created.id,
        name: `${d.flow.name}/${created.name}`,
        entrypoint: d.entrypoint,
        flowName: d.flow.name,
      });
    }
  }

  async #listen(): Promise<void> {
    const ids = [...this.#served.keys()];
    if (this.#client.mode === "http" && this.#settings.apiUrl) {
      const { HttpTransport } = await import("../client/http-transport.ts");
      const transport = new HttpTransport(this.#settings.apiUrl, {
        apiKey: this.#settings.apiKey ?? undefined,
        authString: this.#settings.apiAuthString ?? undefined,
      });
      this.#watch = new EventsWatch({
        apiUrl: transport.baseUrl,
        headers: { ...transport.headers },
        token: this.#settings.apiKey ?? this.#settings.apiAuthString ?? null,
        related: ids.map((id) => `prefect.deployment.${id}`),
        onScheduled: (id) => this.#scheduled(id),
        onCancelling: (id) => this.#cancelling(id),
        onConnected: () => this.#refresh(),
      });
      await this.#watch.start();
      return;
    }
    const { serveLocally } = await import("../embedded/run-notifications.ts");
    this.#local = await serveLocally(this.#client, this.#settings.databaseUrl, (deploymentId) => {
      if (deploymentId === null || this.#served.has(deploymentId)) this.#refresh();
    });
  }

  #printStarting(): void {
    const names = [...this.#served.values()].map((s) => s.name);
    const lines = [
      names.length === 1
        ? `Your flow '${this.#deployments[0]?.flow.name}' is being served and waiting for its runs!`
        : `Your deployments are being served and waiting for their runs: ${names.map((n) => `'${n}'`).join(", ")}`,
      "To trigger a run, use the following command:",
      ...names.map((n) => `  $ npx prefect-ts deployment run '${n}'`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }

  /** Due and soon-due Scheduled runs of the deployments (read-only: the push's follow-up). */
  #refresh(): void {
    if (this.#launcher.stopping) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        try {
          const runs = await this.#client.readFlowRuns({
            flow_runs: {
              deployment_id: { any_: [...this.#served.keys()] },
              state: { type: { any_: [StateType.SCHEDULED] } },
              next_scheduled_start_time: { before_: this.#horizon() },
            },
            sort: FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
            limit: REFRESH_PAGE,
          });
          for (const run of runs) this.#consider(run);
          // a full page: more are due; looked for again once these are under way
          this.#launcher.morePending = runs.length === REFRESH_PAGE;
        } catch (error) {
          this.#log.warning(`Runner: could not read the scheduled runs: ${describe(error)}`);
        }
      } while (this.#refreshAgain && !this.#launcher.stopping);
    })().finally(() => {
      this.#refreshing = null;
    });
  }

  /** A run of a deployment entered a Scheduled state (pushed): read it, and run it when due. */
  #scheduled(id: string): void {
    if (this.#launcher.stopping || this.#launcher.knows(id)) return;
    this.#client.readFlowRun(id).then(
      (run) => this.#consider(run),
      () => this.#refresh(),
    );
  }

  /** A run of a deployment entered Cancelling (pushed): end it if it is here. */
  #cancelling(id: string): void {
    if (!this.#launcher.knows(id)) return;
    this.#client.readFlowRun(id).then(
      (run) => {
        if (run.state_type === StateType.CANCELLING)
          this.#launcher.cancel(id, run.state?.message || "Flow run was cancelled.");
      },
      () => undefined,
    );
  }

  /** The slow poll: what the push may have missed, the scheduler's runs, READY deployments. */
  async #poll(): Promise<void> {
    if (this.#launcher.stopping) return;
    try {
      const runs = await this.#client.deployments.readScheduledFlowRuns({
        deploymentIds: [...this.#served.keys()],
        scheduledBefore: this.#horizon(),
      });
      for (const run of runs) this.#consider(run);
    } catch (error) {
      this.#log.warning(`Runner: could not poll for scheduled runs: ${describe(error)}`);
    }
  }

  #horizon(): string {
    return new Date(Date.now() + this.#pollMs + 1000).toISOString();
  }

  #consider(run: FlowRun): void {
    if (!run.deployment_id || !this.#served.has(run.deployment_id)) return;
    this.#launcher.consider(run);
  }

  /** Hand a claimed run to a child. */
  #start(run: FlowRun): Promise<RunOutcome> {
    const served = this.#served.get(run.deployment_id as string) as Served;
    this.#log.info(`Runner: submitting flow run '${run.id}' of deployment '${served.name}'`);
    return new Promise<RunOutcome>((done) =>
      this.#pool.assign({
        flowRun: run,
        source: { entrypoint: served.entrypoint, flowName: served.flowName },
        env: {},
        workingDir: null,
        done,
      }),
    );
  }

  #signal(signal: NodeJS.Signals): void {
    const now = Date.now();
    if (this.#launcher?.stopping) {
      if (now - this.#signalAt < REPEATED_SIGNAL_MS) return;
      // asked again: stop the runs under way now, and this process soon after, whatever it waits for
      this.#log.info(`Runner: ${signal} again: stopping the flow runs under way and exiting`);
      this.#pool?.signalBusy("SIGTERM");
      setTimeout(() => process.exit(signal === "SIGINT" ? 130 : 143), FORCED_EXIT_MS).unref();
      return;
    }
    this.#signalAt = now;
    this.#log.info(
      `Runner: ${signal} received: taking no new runs, waiting for the runs under way`,
    );
    void this.stop().then(() => {
      // the process was told to stop: it ends even if a connection to an API that is gone holds it
      setTimeout(() => process.exit(process.exitCode ?? 0), FORCED_EXIT_MS).unref();
    });
  }

  /** Stop taking runs, let the runs under way finish (within the grace), pause if asked. */
  stop(): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#stopped = (async () => {
      if (this.#poller) clearInterval(this.#poller);
      this.#watch?.close();
      await this.#local?.close().catch(() => undefined);
      this.#pool?.retireIdle();
      const graceMs = (this.#options.shutdownGraceSeconds ?? 30) * 1000;
      const ended = await this.#launcher.stop(graceMs);
      if (!ended) {
        this.#log.info("Runner: the grace period is over: stopping the flow runs under way");
        this.#pool.signalBusy("SIGTERM");
        const killed = setTimeout(() => this.#pool.signalBusy("SIGKILL"), 10_000);
        await this.#launcher.settled();
        clearTimeout(killed);
      }
      if (this.#options.pauseOnShutdown ?? true) {
        const pausing = Promise.all(
          [...this.#served.keys()].map((id) =>
            this.#client.deployments.update(id, { paused: true }).catch((error: unknown) => {
              this.#log.warning(`Runner: could not pause deployment ${id}: ${describe(error)}`);
            }),
          ),
        );
        if (!(await within(pausing, STOP_STEP_MS)))
          this.#log.warning("Runner: the API did not answer: the deployments were not paused");
      }
      await this.#pool?.closed();
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

/**
 * The composition root: where the application context, the event bus, its consumers and the loop
 * services are wired, for each transport — the HTTP server (`createServerCore`: the task-run
 * recorder consumes client events, event retention and the zombie flow-run service run) and the
 * embedded client (`createEmbeddedCore`: no consumers; one look for zombie runs of this host when a
 * process opens the database). A new consumer (automation triggers) or loop
 * service (scheduler, late runs, zombies, cancellation) is added here and nowhere else.
 */
import { type Clock, systemClock } from "../core/time.ts";
import { assetRecorder } from "../resources/assets/recorder.ts";
import { EventPipeline, type EventPipelineOptions } from "../resources/events/pipeline.ts";
import { taskRunRecorder } from "../resources/task-runs/recorder.ts";
import { loadSettings, type Settings } from "../settings/settings.ts";
import type { Database } from "../storage/database.ts";
import { CancellationCleanup } from "./cancellation-cleanup.ts";
import { ConcurrencyLeaseExpiry } from "./concurrency-lease-expiry.ts";
import { type AppContext, type AppLogger, stderrLogger } from "./context.ts";
import { EventRetention, type EventRetentionOptions } from "./event-retention.ts";
import { LateRuns } from "./late-runs.ts";
import type { LoopService } from "./loop-service.ts";
import { RecentDeploymentsScheduler, Scheduler } from "./scheduler.ts";
import { ZombieFlowRuns } from "./zombie-flow-runs.ts";

export interface CoreOptions {
  database: Database;
  /** The app clock: every timestamp the models write (default: the system clock). */
  clock?: Clock;
  settings?: Settings;
  log?: AppLogger;
  /** How the event bus buffers and writes (tests shorten its intervals). */
  events?: Omit<EventPipelineOptions, "log">;
}

/** One transport's core: the context the models take, its event bus, and its loop services. */
export interface Core {
  readonly ctx: AppContext;
  readonly bus: EventPipeline;
  readonly services: readonly LoopService[];
  /** Start the loop services (their first loops run in the background). */
  start(): void;
  /** Stop the services, then write what the bus holds (what cannot be written is logged). */
  close(): Promise<void>;
}

function build(options: CoreOptions, bus: EventPipeline, log: AppLogger) {
  const ctx: AppContext = {
    database: options.database,
    clock: options.clock ?? systemClock,
    events: bus,
    settings: options.settings ?? loadSettings(),
    log,
  };
  return ctx;
}

function core(ctx: AppContext, bus: EventPipeline, services: LoopService[]): Core {
  let started = false;
  return {
    ctx,
    bus,
    services,
    start() {
      if (started) return;
      started = true;
      for (const service of services) void service.start();
    },
    async close() {
      await Promise.all(services.map((service) => service.stop()));
      await bus.close();
    },
  };
}

export interface ServerCoreOptions extends CoreOptions {
  /** Delete old events every 15 minutes (Prefect's event retention); off unless given. */
  eventRetention?: Omit<EventRetentionOptions, "clock"> | false;
}

/** The server's core: client events feed the task-run recorder; event retention runs. */
export function createServerCore(options: ServerCoreOptions): Core {
  const log = options.log ?? stderrLogger;
  const bus = new EventPipeline(options.database, { ...options.events, log, clock: options.clock });
  const ctx = build(options, bus, log);
  bus.addConsumer(taskRunRecorder(ctx));
  bus.addConsumer(assetRecorder(ctx));
  const services: LoopService[] = [];
  if (options.eventRetention) {
    services.push(
      new EventRetention(options.database, {
        ...options.eventRetention,
        clock: ctx.clock,
        log: options.eventRetention.log ?? {
          info: (message) => log.info({}, message),
          error: (message) => log.error({}, message),
        },
      }),
    );
  }
  // Running runs whose process is gone (on this host, or silent past the heartbeat limit): Crashed
  const zombies = ctx.settings.zombieFlowRuns;
  if (zombies.enabled) {
    services.push(
      new ZombieFlowRuns(ctx, {
        intervalMs: zombies.loopSeconds * 1000,
        afterSeconds: zombies.afterSeconds,
      }),
    );
  }
  // Cancelling runs nothing can stop, subflows and task runs of cancelled runs: Cancelled
  services.push(...cancellationServices(ctx, true));
  // expired leases, leases of holders gone, waiters (Prefect's Repossessor)
  services.push(new ConcurrencyLeaseExpiry(ctx));
  services.push(...schedulingServices(ctx));
  return core(ctx, bus, services);
}

/**
 * The services that make deployments' scheduled runs and mark them late, as the settings enable
 * them: the scheduler (its main loop and the recent-deployments loop) and late runs. The server
 * runs them; an embedded process runs them when it asks (`EmbeddedClient.runSchedulerServices`,
 * what a serving process on the local database does).
 */
export function schedulingServices(ctx: AppContext): LoopService[] {
  const services: LoopService[] = [];
  if (ctx.settings.scheduler.enabled) {
    services.push(new Scheduler(ctx), new RecentDeploymentsScheduler(ctx));
  }
  if (ctx.settings.lateRuns.enabled) services.push(new LateRuns(ctx));
  return services;
}

/**
 * The embedded client's core: the same models over the local database; the events it emits are
 * stored (and readable by a server started later on that database), with nobody to consume them.
 */
export function createEmbeddedCore(options: CoreOptions): Core {
  const log = options.log ?? stderrLogger;
  const bus = new EventPipeline(options.database, {
    ...options.events,
    log,
    clock: options.clock,
    whenQuiet: true,
  });
  const ctx = build(options, bus, log);
  // asset events become the asset tables here too (the only consumer: task runs are written
  // directly)
  bus.addConsumer(assetRecorder(ctx));
  // started by a process opening the database: one look for Running runs of dead local processes
  const services: LoopService[] = ctx.settings.zombieFlowRuns.enabled
    ? [new ZombieFlowRuns(ctx, { intervalMs: null, afterSeconds: null })]
    : [];
  // and one look for what cancellations left behind
  services.push(...cancellationServices(ctx, false));
  return core(ctx, bus, services);
}

/** The cancellation-cleanup service when enabled: looping (the server), or one look (embedded). */
function cancellationServices(ctx: AppContext, looping: boolean): LoopService[] {
  const { enabled, loopSeconds, cancellingTimeoutSeconds } = ctx.settings.cancellationCleanup;
  if (!enabled) return [];
  const intervalMs = looping ? loopSeconds * 1000 : null;
  return [new CancellationCleanup(ctx, { intervalMs, cancellingTimeoutSeconds })];
}

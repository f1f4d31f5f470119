/**
 * The composition root: where the application context, the event bus, its consumers and the loop
 * services are wired, for each transport and process — the HTTP server (`createServerCore`: the
 * task-run and asset recorders consume the events it receives, the repossessor serves its
 * concurrency holders and waiters, and, unless it is API-only, the loop services run), the
 * services process (`createServicesCore`, `server services start`: the loop services alone, no
 * API) and the embedded client (`createEmbeddedCore`: the asset recorder; one look for zombie runs
 * of this host when a process opens the database). The server's services are the registry's
 * (`registry.ts`); a new consumer (automation triggers) or loop service is registered there and
 * wired here, nowhere else.
 */
import { type Clock, systemClock } from "../core/time.ts";
import { assetRecorderTerms } from "../resources/assets/recorder-terms.ts";
import { closeConcurrency } from "../resources/concurrency-limits/service.ts";
import { EventPipeline, type EventPipelineOptions } from "../resources/events/pipeline.ts";
import { taskRunRecorderTerms } from "../resources/task-runs/recorder-terms.ts";
import { loadSettings, type Settings } from "../settings/settings.ts";
import type { Database } from "../storage/database.ts";
import { CancellationCleanup } from "./cancellation-cleanup.ts";
import { ConcurrencyLeaseExpiry } from "./concurrency-lease-expiry.ts";
import { type AppContext, type AppLogger, stderrLogger } from "./context.ts";
import { deferredConsumer } from "./deferred-consumer.ts";
import { EventRetention, type EventRetentionOptions } from "./event-retention.ts";
import { LateRuns } from "./late-runs.ts";
import type { LoopService } from "./loop-service.ts";
import { SERVER_SERVICES, type ServiceHome, type ServiceName } from "./registry.ts";
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

/** `afterServices`: what `close()` also closes, once the services have stopped. */
function core(
  ctx: AppContext,
  bus: EventPipeline,
  services: LoopService[],
  afterServices?: () => Promise<void>,
): Core {
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
      await afterServices?.();
      await bus.close();
    },
  };
}

export interface ServerCoreOptions extends CoreOptions {
  /** Delete old events every 15 minutes (Prefect's event retention); off unless given. */
  eventRetention?: Omit<EventRetentionOptions, "clock"> | false;
}

export interface ApiServerCoreOptions extends ServerCoreOptions {
  /**
   * Only what each API server must run itself (the task-run recorder, the repossessor), the loop
   * services left to a `server services start` process (`server start --no-services`, Prefect's
   * `webserver_only`). Default false: every enabled service.
   */
  webserverOnly?: boolean;
}

/** What wiring a service may need besides the context. */
interface Wiring {
  bus: EventPipeline;
  log: AppLogger;
  options: ServerCoreOptions;
}

type SchedulingName = "Scheduler" | "RecentDeploymentsScheduler" | "MarkLateRuns";

/** The services that make deployments' runs and mark them late: the context is all they need. */
const SCHEDULING: Record<SchedulingName, (ctx: AppContext) => LoopService[]> = {
  Scheduler: (ctx) => [new Scheduler(ctx)],
  RecentDeploymentsScheduler: (ctx) => [new RecentDeploymentsScheduler(ctx)],
  MarkLateRuns: (ctx) => [new LateRuns(ctx)],
};

const isScheduling = (name: ServiceName): name is SchedulingName => Object.hasOwn(SCHEDULING, name);

/** How each registered service is built (an empty list: nothing to run with these options). */
const WIRE: Record<ServiceName, (ctx: AppContext, w: Wiring) => LoopService[]> = {
  ...SCHEDULING,
  // Cancelling runs nothing can stop, subflows and task runs of cancelled runs: Cancelled
  CancellationCleanup: (ctx) => cancellationServices(ctx, true),
  // Running runs whose process is gone (on this host, or silent past the heartbeat limit): Crashed
  ZombieFlowRuns: (ctx) => {
    const { loopSeconds, afterSeconds } = ctx.settings.zombieFlowRuns;
    return [new ZombieFlowRuns(ctx, { intervalMs: loopSeconds * 1000, afterSeconds })];
  },
  EventPersister: (ctx, { log, options }) => {
    const retention = options.eventRetention;
    if (!retention) return [];
    return [
      new EventRetention(options.database, {
        ...retention,
        clock: ctx.clock,
        log: retention.log ?? {
          info: (message) => log.info({}, message),
          error: (message) => log.error({}, message),
        },
      }),
    ];
  },
  // expired leases, leases of holders gone, waiters (Prefect's Repossessor)
  Repossessor: (ctx) => [new ConcurrencyLeaseExpiry(ctx)],
  // client events feed the task-run recorder (a consumer of the bus, not a loop)
  TaskRunRecorder: (ctx, { bus }) => {
    bus.addConsumer(taskRunRecorderOf(ctx, { preload: true }));
    return [];
  },
  // asset events become the asset and asset_dependency tables
  AssetRecorder: (ctx, { bus }) => {
    bus.addConsumer(assetRecorderOf(ctx, { preload: true }));
    return [];
  },
};

/**
 * The recorders, wired before their modules (the server's schemas: zod) are loaded: at once in a
 * server (`preload`), at the first event they take in the embedded client (a CLI command records
 * none).
 */
function taskRunRecorderOf(ctx: AppContext, options: { preload: boolean }) {
  return deferredConsumer(
    taskRunRecorderTerms(ctx.database.native !== undefined),
    async () => (await import("../resources/task-runs/recorder.ts")).taskRunRecorder(ctx),
    options,
  );
}

function assetRecorderOf(ctx: AppContext, options: { preload: boolean }) {
  return deferredConsumer(
    assetRecorderTerms,
    async () => (await import("../resources/assets/recorder.ts")).assetRecorder(ctx),
    options,
  );
}

/** The registered services of these homes that the settings enable, built. */
function registeredServices(
  ctx: AppContext,
  homes: readonly ServiceHome[],
  wiring: Wiring,
): LoopService[] {
  const services: LoopService[] = [];
  for (const definition of SERVER_SERVICES) {
    if (!homes.includes(definition.home) || !definition.enabled(ctx.settings)) continue;
    services.push(...WIRE[definition.name](ctx, wiring));
  }
  return services;
}

/**
 * An API server's core: the task-run and asset recorders consume the events it receives; the
 * repossessor runs; and the loop services (scheduler, late runs, zombies, cancellation cleanup, event
 * retention) unless `webserverOnly`.
 */
export function createServerCore(options: ApiServerCoreOptions): Core {
  const log = options.log ?? stderrLogger;
  const bus = new EventPipeline(options.database, { ...options.events, log, clock: options.clock });
  const ctx = build(options, bus, log);
  const homes: ServiceHome[] = options.webserverOnly ? ["api"] : ["api", "services"];
  return core(ctx, bus, registeredServices(ctx, homes, { bus, log, options }));
}

/**
 * The core of `server services start`: the loop services the settings enable, over the database,
 * without an API. The events they emit (a run marked Late or Crashed) are written to the event
 * store by its own bus, which has no consumers: the events clients send are recorded by the API
 * server that receives them.
 */
export function createServicesCore(options: ServerCoreOptions): Core {
  const log = options.log ?? stderrLogger;
  const bus = new EventPipeline(options.database, { ...options.events, log, clock: options.clock });
  const ctx = build(options, bus, log);
  const services = registeredServices(ctx, ["services"], { bus, log, options });
  // no repossessor here closes what a state change opened for concurrency leases (Redis): this does
  return core(ctx, bus, services, () => closeConcurrency(ctx));
}

/**
 * The services that make deployments' scheduled runs and mark them late, as the settings enable
 * them: the scheduler (its main loop and the recent-deployments loop) and late runs. The server
 * runs them; an embedded process runs them when it asks (`EmbeddedClient.runSchedulerServices`,
 * what a serving process on the local database does).
 */
export function schedulingServices(ctx: AppContext): LoopService[] {
  const services: LoopService[] = [];
  for (const { name, enabled } of SERVER_SERVICES) {
    if (isScheduling(name) && enabled(ctx.settings)) services.push(...SCHEDULING[name](ctx));
  }
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
  bus.addConsumer(assetRecorderOf(ctx, { preload: false }));
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

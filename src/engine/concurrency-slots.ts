/**
 * Taking and holding concurrency slots, as Prefect's `concurrency()` and `rate_limit()` do:
 * slots of every named limit are taken under a lease (all or none), kept by renewing the lease at
 * three quarters of its duration, and given back at the end; a full limit is waited for (423 and
 * `Retry-After`; this package's server holds the request instead and answers the moment slots
 * free). Each acquisition and release is reported as Prefect's `prefect.concurrency-limit.*`
 * events, related to the run it happens in.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ConcurrencyLimitsApi } from "../client/concurrency-limits-api.ts";
import type { PrefectClient } from "../client/prefect-client.ts";
import {
  ConcurrencyRequestError,
  ConcurrencySlotsUnavailableError,
  type LeaseHolder,
  type MinimalConcurrencyLimit,
} from "../core/concurrency.ts";
import type { LeaseGrant, SlotsLocked } from "../core/concurrency-requests.ts";
import type { Event } from "../core/events.ts";
import { uuid7 } from "../core/ids.ts";
import { currentRunLogger, runScope } from "./context.ts";
import type { RunLogger } from "./logging.ts";
import { getRuntime } from "./process-runtime.ts";
import { runRelated } from "./run-related.ts";

export interface ConcurrencyOptions {
  /** Slots to take of each limit (default 1). */
  occupy?: number;
  /** Give up waiting for slots after this many seconds (default: wait for as long as it takes). */
  timeoutSeconds?: number;
  /** Give up after this many full answers (default: no bound). */
  maxRetries?: number;
  /** Seconds the lease lasts unless renewed (default 300; Prefect's API takes 60–86,400). */
  leaseDuration?: number;
  /**
   * Raise when a named limit does not exist, and when the lease cannot be renewed (default: warn
   * and go on).
   */
  strict?: boolean;
  /** Log what would be warnings at debug level. */
  suppressWarnings?: boolean;
  /** The run the slots are held for (default: the current task run, else flow run). */
  holder?: LeaseHolder;
  /** Stop waiting when this aborts (the run timed out or the process is stopping). */
  signal?: AbortSignal;
  /** Told once, at the first full answer, while the slots are waited for. */
  onWait?: (locked: SlotsLocked) => void;
}

export interface RateLimitOptions {
  occupy?: number;
  timeoutSeconds?: number;
  /** Raise when a named limit does not exist (default: warn and go on). */
  strict?: boolean;
  /** Prefect's deprecated `create_if_missing`, sent as is when set. */
  createIfMissing?: boolean;
}

const DEFAULT_LEASE_SECONDS = 300;
/** The longest a single acquire request asks this package's server to hold it. */
const SERVER_WAIT_SECONDS = 30;

/** Slots held under a lease until `release()` (or the end of an `await using` block). */
export class HeldSlots implements AsyncDisposable {
  readonly limits: readonly MinimalConcurrencyLimit[];
  readonly leaseId: string | null;
  readonly #api: ConcurrencyLimitsApi;
  readonly #occupy: number;
  readonly #acquiredEvents: Map<string, string>;
  readonly #client: PrefectClient;
  readonly #abort = new AbortController();
  #renewal: NodeJS.Timeout | null = null;
  #released: Promise<void> | null = null;

  constructor(
    client: PrefectClient,
    grant: LeaseGrant | null,
    occupy: number,
    acquiredEvents: Map<string, string>,
  ) {
    this.#client = client;
    this.#api = client.concurrencyLimits;
    this.limits = grant?.limits ?? [];
    this.leaseId = grant?.lease_id ?? null;
    this.#occupy = occupy;
    this.#acquiredEvents = acquiredEvents;
  }

  /** Aborted when the lease is lost in strict mode: the work should stop. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Renew every `0.75 × duration` s; a failed renewal (3 attempts) warns, or aborts if strict. */
  keep(duration: number, strict: boolean, logger: RunLogger, quiet: boolean): void {
    const leaseId = this.leaseId;
    if (!leaseId) return;
    const renew = async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await this.#api.renew(leaseId, duration);
          return true;
        } catch (error) {
          if (this.#released) return true;
          if (attempt === 2) {
            const message = `Concurrency lease renewal failed - slots are no longer reserved. ${strict ? "Stopping the work that holds them, to prevent over-allocation." : "Execution will continue, but concurrency limits may be exceeded."} (${error instanceof Error ? error.message : String(error)})`;
            if (strict) {
              logger.error(message);
              this.#abort.abort(
                new ConcurrencySlotsUnavailableError(message, {
                  limits: this.limits.map((l) => l.name),
                  cause: error,
                }),
              );
            } else if (quiet) logger.debug(message);
            else logger.warning(message);
            return false;
          }
          await sleep(Math.min(10_000, 1000 * 2 ** attempt));
        }
      }
      return false;
    };
    const schedule = () => {
      this.#renewal = setTimeout(() => {
        void renew().then((ok) => {
          if (ok && !this.#released) schedule();
        });
      }, duration * 750);
      // the work holding the slots keeps the process alive, not the renewal
      this.#renewal.unref();
    };
    schedule();
  }

  /** Give the slots back (once; later calls wait for the first). */
  release(): Promise<void> {
    this.#released ??= (async () => {
      if (this.#renewal) clearTimeout(this.#renewal);
      if (this.leaseId) await this.#api.release(this.leaseId);
      await emitLimitEvents(
        this.#client,
        "released",
        this.limits,
        this.#occupy,
        this.#acquiredEvents,
      );
    })();
    return this.#released;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/** The current task run (or flow run) as a lease holder. */
function currentHolder(): LeaseHolder | null {
  const scope = runScope.getStore();
  if (scope?.task) return { type: "task_run", id: scope.task.taskRun.id };
  if (scope?.flow) return { type: "flow_run", id: scope.flow.flowRun.id };
  return null;
}

function checkOccupy(occupy: number): void {
  if (!Number.isInteger(occupy) || occupy < 1) {
    throw new ConcurrencyRequestError(
      `occupy must be a whole number of slots, 1 or more: ${occupy}`,
    );
  }
}

/**
 * Wait until the deadline or `seconds`, whichever comes first; false when the deadline passed.
 * Rejects with the signal's reason when it aborts.
 */
async function pause(seconds: number, deadline: number, signal?: AbortSignal): Promise<boolean> {
  const left = deadline - Date.now();
  if (left <= 0) return false;
  await sleep(Math.min(Math.max(seconds, 0.01) * 1000, left), undefined, { signal });
  return true;
}

function timedOut(names: readonly string[], timeoutSeconds: number | undefined) {
  return new ConcurrencySlotsUnavailableError(
    `Attempt to acquire concurrency slots on ${JSON.stringify(names)} timed out after ${timeoutSeconds} second(s)`,
    { limits: names },
  );
}

/**
 * Take `occupy` slots of every limit in `names` under a lease, waiting while they are full; the
 * lease is renewed until `release()`.
 */
export async function acquireConcurrencySlots(
  names: readonly string[],
  options: ConcurrencyOptions = {},
): Promise<HeldSlots> {
  const occupy = options.occupy ?? 1;
  checkOccupy(occupy);
  const { client } = await getRuntime();
  if (names.length === 0) return new HeldSlots(client, null, occupy, new Map());
  const leaseDuration = options.leaseDuration ?? DEFAULT_LEASE_SECONDS;
  const deadline =
    options.timeoutSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : Date.now() + options.timeoutSeconds * 1000;
  const holder = options.holder ?? currentHolder();
  let grant: LeaseGrant | SlotsLocked;
  for (let fullAnswers = 0; ; fullAnswers++) {
    const left = (deadline - Date.now()) / 1000;
    grant = await client.concurrencyLimits.acquire({
      names: [...names],
      slots: occupy,
      mode: "concurrency",
      leaseDuration,
      holder,
      // asked at once first, so that a wait is known (and told, `onWait`) when it begins
      waitSeconds:
        fullAnswers === 0 ? 0 : Math.max(0, Math.min(SERVER_WAIT_SECONDS, Math.floor(left))),
    });
    if (!("locked" in grant)) break;
    if (fullAnswers === 0) options.onWait?.(grant);
    if (options.maxRetries !== undefined && fullAnswers >= options.maxRetries) {
      throw new ConcurrencySlotsUnavailableError(
        `Concurrency limits ${JSON.stringify(names)} stayed full after ${options.maxRetries} retries`,
        { limits: names, retryAfterSeconds: grant.retryAfterSeconds },
      );
    }
    // the first full answer is followed at once by a request the server may hold until slots free
    const pauseFor = fullAnswers === 0 ? 0 : grant.retryAfterSeconds;
    if (!(await pause(pauseFor, deadline, options.signal))) {
      throw timedOut(names, options.timeoutSeconds);
    }
  }
  const logger = currentRunLogger();
  if (grant.limits.length === 0) missingLimits(names, options, logger);
  const acquired = await emitLimitEvents(client, "acquired", grant.limits, occupy, new Map());
  const held = new HeldSlots(client, grant, occupy, acquired);
  held.keep(leaseDuration, options.strict ?? false, logger, options.suppressWarnings ?? false);
  return held;
}

function missingLimits(
  names: readonly string[],
  options: { strict?: boolean; suppressWarnings?: boolean },
  logger: RunLogger,
): void {
  const listed = `[${names.map((n) => `'${n}'`).join(", ")}]`;
  if (options.strict) {
    throw new ConcurrencyRequestError(
      `Concurrency limits ${listed} must be created before acquiring slots (prefect-ts global-concurrency-limit create <name> --limit <n>)`,
    );
  }
  const message = `Concurrency limits ${listed} do not exist - skipping acquisition.`;
  if (options.suppressWarnings) logger.debug(message);
  else logger.warning(message);
}

/**
 * Wait until `occupy` slots of every rate limit in `names` are taken; they free themselves at
 * each limit's `slot_decay_per_second`.
 */
export async function takeRateLimitSlots(
  names: readonly string[],
  options: RateLimitOptions = {},
): Promise<void> {
  const occupy = options.occupy ?? 1;
  checkOccupy(occupy);
  const { client } = await getRuntime();
  const deadline =
    options.timeoutSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const left = (deadline - Date.now()) / 1000;
    const answer = await client.concurrencyLimits.increment({
      names: [...names],
      slots: occupy,
      mode: "rate_limit",
      createIfMissing: options.createIfMissing,
      waitSeconds: Math.max(0, Math.min(SERVER_WAIT_SECONDS, Math.floor(left))),
    });
    if (!("locked" in answer)) {
      if (answer.length === 0) missingLimits(names, options, currentRunLogger());
      await emitLimitEvents(client, "acquired", answer, occupy, new Map());
      return;
    }
    if (!(await pause(answer.retryAfterSeconds, deadline))) {
      throw timedOut(names, options.timeoutSeconds);
    }
  }
}

/**
 * Prefect's `prefect.concurrency-limit.acquired|released` events, one per limit, related to the
 * current run; a release follows its acquisition. Returns the event id per limit id.
 */
async function emitLimitEvents(
  client: PrefectClient,
  phase: "acquired" | "released",
  limits: readonly MinimalConcurrencyLimit[],
  occupy: number,
  follows: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (limits.length === 0) return ids;
  const related = runRelated();
  const occurred = new Date().toISOString();
  const events: Event[] = limits.map((limit) => {
    const id = uuid7();
    ids.set(limit.id, id);
    return {
      id,
      occurred,
      event: `prefect.concurrency-limit.${phase}`,
      resource: {
        "prefect.resource.id": `prefect.concurrency-limit.${limit.id}`,
        "prefect.resource.name": limit.name,
        "slots-acquired": String(occupy),
        limit: String(limit.limit),
      },
      related,
      payload: {},
      follows: follows.get(limit.id) ?? null,
    };
  });
  // events are reports: losing one must not fail the work that took the slots
  await client.emitEvents(events).catch(() => undefined);
  return ids;
}

/**
 * How the client rides out an API that cannot answer: requests, and connections of the events
 * socket, are retried with exponential backoff — 0.1 s doubling up to 5 s, plus up to 20 %
 * jitter — `maxRetries` times (`PREFECT_CLIENT_MAX_RETRIES`, default 17: about 61 s, long enough
 * for a server to restart).
 */

/** Default retries: their delays add up to about 61 s. */
export const DEFAULT_MAX_RETRIES = 17;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;
/** Retry statuses of every request: rate-limited, or the server (or a proxy) not ready. */
export const RETRY_STATUSES: readonly number[] = [429, 502, 503, 504];

export interface RetryPolicy {
  /** Retries after a failed attempt. */
  maxRetries: number;
  /** HTTP statuses retried beside `RETRY_STATUSES` (`PREFECT_CLIENT_RETRY_EXTRA_CODES`). */
  extraCodes: readonly number[];
  /** Waits between attempts (injectable for tests). */
  sleep: (ms: number) => Promise<void>;
  /** Told when a second attempt has failed (default: a warning on stderr, once per outage). */
  onOutage: (what: string, error: unknown, policy: RetryPolicy) => void;
  /** Told when a request or connection succeeds (the default warning may then come again). */
  onRecovered: () => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A policy's own outage warning on standard error — once, until something gets through again —
 * so that a user sees why their flow is waiting (and the transport and events socket sharing the
 * policy warn once between them).
 */
function outageWarning(): Pick<RetryPolicy, "onOutage" | "onRecovered"> {
  let warned = false;
  return {
    onOutage: (what, error, policy) => {
      if (warned) return;
      warned = true;
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `prefect-ts WARNING: ${what} failed (${reason}); retrying for up to ${Math.round(retryBudgetMs(policy.maxRetries) / 1000)} s (PREFECT_CLIENT_MAX_RETRIES=${policy.maxRetries})\n`,
      );
    },
    onRecovered: () => {
      if (!warned) return;
      warned = false;
      process.stderr.write("prefect-ts INFO: the Prefect API answers again\n");
    },
  };
}

/** A policy from `options`, the defaults filling the rest (an already built policy as it is). */
export function retryPolicy(options: Partial<RetryPolicy> = {}): RetryPolicy {
  const warning = outageWarning();
  return {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    extraCodes: options.extraCodes ?? [],
    sleep: options.sleep ?? defaultSleep,
    onOutage: options.onOutage ?? warning.onOutage,
    onRecovered: options.onRecovered ?? (options.onOutage ? () => undefined : warning.onRecovered),
  };
}

/** The pause before retry `attempt` (from 0), in milliseconds, jittered up to 20 % longer. */
export function retryDelay(attempt: number): number {
  return nominalDelay(attempt) * (1 + Math.random() / 5);
}

function nominalDelay(attempt: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 20));
}

/** The shortest time `maxRetries` retries wait in all (jitter only lengthens it). */
export function retryBudgetMs(maxRetries: number): number {
  let total = 0;
  for (let attempt = 0; attempt < maxRetries; attempt++) total += nominalDelay(attempt);
  return total;
}

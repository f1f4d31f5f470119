/**
 * HTTP transport to a Prefect-compatible API: keep-alive connections (`http-request.ts`), Prefect's
 * headers, retries with backoff on 429/502/503/504 (and `PREFECT_CLIENT_RETRY_EXTRA_CODES`) and
 * connection errors, honouring `Retry-After`, for as long as the retry policy says (about a
 * minute by default: a server restart is ridden out), and errors mapped to this library's codes.
 */

import type { IncomingHttpHeaders } from "node:http";
import { API_VERSION } from "../core/api-version.ts";
import {
  ConflictError,
  ErrorCode,
  InvalidRequestError,
  ObjectNotFoundError,
  PrefectTsError,
  ValidationError,
} from "../core/errors.ts";
import { CsrfTokens, isCsrfRefusal } from "./csrf.ts";
import { type RawResponse, sendRequest } from "./http-request.ts";
import {
  RETRY_STATUSES,
  type RetryPolicy,
  retryBudgetMs,
  retryDelay,
  retryPolicy,
} from "./retry-policy.ts";

/** An answer with its status and headers (`HttpTransport.exchange`). */
export interface Exchange<T> {
  status: number;
  headers: IncomingHttpHeaders;
  data: T;
}

const NO_STATUSES: readonly number[] = [];

export interface TransportOptions {
  apiKey?: string | null;
  authString?: string | null;
  /** Retries, extra statuses, the pause between attempts (see `retry-policy.ts`). */
  retry?: Partial<RetryPolicy>;
  /** Send CSRF tokens when the server asks for them (`PREFECT_CLIENT_CSRF_SUPPORT_ENABLED`, default true). */
  csrfSupport?: boolean;
}

export class HttpTransport {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly retry: RetryPolicy;
  readonly #retryStatuses: ReadonlySet<number>;
  readonly #csrf: CsrfTokens;

  constructor(apiUrl: string, options: TransportOptions = {}) {
    this.baseUrl = apiUrl.replace(/\/+$/, "");
    this.#headers = {
      "x-prefect-api-version": API_VERSION,
      "user-agent": `prefect-ts (API ${API_VERSION})`,
    };
    if (options.apiKey) this.#headers.authorization = `Bearer ${options.apiKey}`;
    else if (options.authString) {
      this.#headers.authorization = `Basic ${Buffer.from(options.authString).toString("base64")}`;
    }
    this.retry = retryPolicy(options.retry);
    this.#retryStatuses = new Set([...RETRY_STATUSES, ...this.retry.extraCodes]);
    this.#csrf = new CsrfTokens(options.csrfSupport ?? true, (path) => this.request("GET", path));
  }

  /** The headers every request carries (API version, authorization). */
  get headers(): Readonly<Record<string, string>> {
    return this.#headers;
  }

  /** Send a request; resolves with the parsed JSON body (or null for an empty one). */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.requestRaw<T>(method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  /** Send a request whose body is already JSON text. */
  requestRaw<T>(method: string, path: string, json?: string): Promise<T> {
    return this.#exchange(method, path, json, NO_STATUSES).then((answer) => answer.data as T);
  }

  /**
   * Send a request and resolve with its status, headers and parsed body when it succeeds or
   * answers one of `accepted` (e.g. 423 with `Retry-After` while a concurrency limit is full);
   * other answers throw as `request` does.
   */
  exchange<T>(
    method: string,
    path: string,
    body: unknown,
    accepted: readonly number[],
    extraHeaders?: Readonly<Record<string, string>>,
  ): Promise<Exchange<T>> {
    const json = body === undefined ? undefined : JSON.stringify(body);
    return this.#exchange(method, path, json, accepted, extraHeaders) as Promise<Exchange<T>>;
  }

  async #exchange(
    method: string,
    path: string,
    json: string | undefined,
    accepted: readonly number[],
    extraHeaders?: Readonly<Record<string, string>>,
  ): Promise<Exchange<unknown>> {
    const url = `${this.baseUrl}${path}`;
    // a content type only with a body: an empty body under a JSON content type is not JSON
    const csrf = await this.#csrf.headers(method);
    const base = extraHeaders ? { ...this.#headers, ...extraHeaders } : this.#headers;
    const headers = csrf ? { ...base, ...csrf } : base;
    let sent: Record<string, string> =
      json === undefined ? headers : { ...headers, "content-type": "application/json" };
    let csrfRenewed = false;
    const { maxRetries, sleep } = this.retry;
    for (let attempt = 0; ; attempt++) {
      let response: RawResponse;
      try {
        response = await sendRequest(url, method, sent, json);
      } catch (error) {
        if (attempt < maxRetries) {
          if (attempt === 1) this.retry.onOutage(`${method} ${url}`, error, this.retry);
          await sleep(retryDelay(attempt));
          continue;
        }
        throw apiUnreachable(this.baseUrl, error, maxRetries);
      }
      if (this.#retryStatuses.has(response.status) && attempt < maxRetries) {
        if (attempt === 1) {
          this.retry.onOutage(`${method} ${url}`, `HTTP ${response.status}`, this.retry);
        }
        const retryAfter = Number(response.headers["retry-after"]);
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : retryDelay(attempt),
        );
        continue;
      }
      if (attempt > 1) this.retry.onRecovered();
      const { text } = response;
      const parsed: unknown = text ? safeJson(text) : null;
      if ((response.status >= 200 && response.status < 300) || accepted.includes(response.status)) {
        return { status: response.status, headers: response.headers, data: parsed };
      }
      // refused by the server's CSRF check (before any route): send again with a new token
      if (!csrfRenewed && (await this.#csrf.refused(response.status, parsed))) {
        csrfRenewed = true;
        const renewed = await this.#csrf.headers(method);
        sent = { ...sent, ...renewed };
        continue;
      }
      throw httpError(method, path, response.status, parsed ?? text);
    }
  }
}

/**
 * The error for an API that cannot be reached at `url` (after `retries` retries), saying what to
 * check.
 */
export function apiUnreachable(url: string, error: unknown, retries = 0): PrefectTsError {
  const reason = error instanceof Error ? error.message : String(error);
  const tried =
    retries > 0
      ? ` after ${retries} retries over ${Math.round(retryBudgetMs(retries) / 1000)} s (PREFECT_CLIENT_MAX_RETRIES)`
      : "";
  return new PrefectTsError(
    ErrorCode.API_UNREACHABLE,
    `cannot reach the Prefect API at ${url} (${reason})${tried}; is the server running? Check PREFECT_API_URL.`,
    { cause: error },
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function httpError(method: string, path: string, status: number, body: unknown): Error {
  const detail =
    body && typeof body === "object"
      ? ((body as { detail?: unknown }).detail ??
        (body as { exception_message?: unknown }).exception_message)
      : body;
  const text = typeof detail === "string" ? detail : JSON.stringify(body);
  if (status === 401) {
    return new PrefectTsError(
      ErrorCode.UNAUTHORIZED,
      `${method} ${path} was refused (HTTP 401 ${text}): the Prefect API requires authentication. Set PREFECT_API_AUTH_STRING to the server's user:password (its PREFECT_SERVER_API_AUTH_STRING), or PREFECT_API_KEY to an API key of the server.`,
    );
  }
  if (isCsrfRefusal(status, body)) {
    return new PrefectTsError(
      ErrorCode.HTTP,
      `${method} ${path} was refused (HTTP 403 ${text}): the server has CSRF protection on; leave PREFECT_CLIENT_CSRF_SUPPORT_ENABLED on (the default) so that the client sends tokens.`,
    );
  }
  if (status === 404) return new ObjectNotFoundError(text);
  if (status === 409) return new ConflictError(text);
  // a refusal in the server's words (`{"detail": "…"}`): the same error the embedded client throws
  if (
    (status === 400 || status === 403 || status === 422) &&
    typeof (body as { detail?: unknown } | null)?.detail === "string"
  ) {
    return new InvalidRequestError(text, status);
  }
  if (status === 422)
    return new ValidationError(`${method} ${path} was rejected: ${JSON.stringify(body)}`);
  return new PrefectTsError(
    ErrorCode.HTTP,
    `${method} ${path} failed with HTTP ${status}: ${text}`,
  );
}
